//! An `output` that exposes secret material (an access key secret, a service account private
//! key, a client secret, a generated password or private key) without `sensitive = true`.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push, secret_refs};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "output") {
        if r.body.get("sensitive").and_then(|v| v.as_bool()) == Some(true) {
            continue;
        }
        let Some(v) = r.body.get("value") else { continue };
        // A template output showing a `NoEcho` parameter: outputs are never masked.
        if let Some(names) = r.body.get("no_echo_refs") {
            for n in names.items() {
                let msg = format!("output `{}` shows the `NoEcho` parameter `{}` in clear to anyone who can describe the stack", r.name, n.str().unwrap_or(""));
                push(out, finding(&fs, rule, &n.at, msg));
            }
            continue;
        }
        let refs = secret_refs(&fs, v);
        if let Some(first) = refs.first() {
            let msg = if crate::terraform::cfn::lowered(r) {
                format!("output `{}` exposes `{first}` to anyone who can describe the stack", r.name)
            } else {
                format!("output `{}` exposes `{first}` and is not marked `sensitive`", r.name)
            };
            push(out, finding(&fs, rule, &v.at, msg));
        }
    }
}
