//! Bindings whose subjects are whole populations: `system:unauthenticated`, `system:anonymous`
//! (raised), `system:authenticated` and `system:serviceaccounts[:<ns>]`. The read-only discovery
//! roles the platform itself binds to them are not reported.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube::{self, rbac};
use crate::rules::Rule;

const PLATFORM_ROLES: [&str; 4] = [
    "system:discovery",
    "system:basic-user",
    "system:public-info-viewer",
    "system:service-account-issuer-discovery",
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        let Some((rkind, rname, subs)) = rbac::binding_parts(&o) else {
            continue;
        };
        if PLATFORM_ROLES.contains(&rname.as_str()) {
            continue;
        }
        for s in subs {
            if s.kind != "Group" && s.kind != "User" {
                continue;
            }
            let Some(name) = s.name.as_deref() else { continue };
            let (who, sev) = match name {
                "system:unauthenticated" | "system:anonymous" => {
                    ("anyone, without credentials", rule.severity.raise())
                }
                "system:authenticated" if s.kind == "Group" => {
                    ("every authenticated identity", rule.severity)
                }
                "system:serviceaccounts" if s.kind == "Group" => {
                    ("every ServiceAccount of the cluster", rule.severity)
                }
                g if s.kind == "Group" && g.starts_with("system:serviceaccounts:") => {
                    ("every ServiceAccount of a namespace", rule.severity)
                }
                _ => continue,
            };
            out.push(
                rule.finding(
                    cx.file,
                    s.node.span.clone(),
                    format!(
                        "{} grants {rkind} `{}` to {s_kind} `{name}` ({who})",
                        o.describe(),
                        kube::show(&rname),
                        s_kind = s.kind
                    ),
                )
                .with_severity(sev),
            );
        }
    }
}
