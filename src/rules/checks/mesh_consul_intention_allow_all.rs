//! Consul intentions that allow every service: a `ServiceIntentions` object, or a
//! `service-intentions` config entry (HCL), with a source named `*` and action `allow` (or
//! allow permissions).

use crate::apptrust::mesh::{self, seq};
use crate::context::FileCx;
use crate::lang::Parsed;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if let Parsed::Hcl(d) = cx.parsed {
        let kind = d.root.get_ci("kind").and_then(|k| k.as_str()).unwrap_or("");
        if kind.eq_ignore_ascii_case("service-intentions") {
            let dest = d.root.get_ci("name").and_then(|n| n.as_str()).unwrap_or("?");
            for (_, name) in mesh::consul_allow_all(seq(d.root.get_ci("sources"))) {
                out.push(rule.finding(
                    cx.file,
                    name.span.clone(),
                    format!("service-intentions `{dest}` allows every service (source `*`)"),
                ));
            }
        }
        return;
    }
    for o in kube::file_objects(cx.file, cx.parsed) {
        if !mesh::is_consul(&o) || o.kind != "ServiceIntentions" {
            continue;
        }
        let Some(spec) = o.node.get("spec") else { continue };
        let dest = spec
            .path("destination.name")
            .and_then(|n| n.as_str())
            .unwrap_or("?");
        for (_, name) in mesh::consul_allow_all(seq(spec.get("sources"))) {
            let what = if dest == "*" {
                "every service may call every service".to_string()
            } else {
                format!("every service may call `{dest}`")
            };
            out.push(rule.finding(
                cx.file,
                name.span.clone(),
                format!("{} allows source `*`: {what}", o.describe()),
            ));
        }
    }
}
