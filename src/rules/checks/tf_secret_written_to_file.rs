//! Secret material written to a file on disk by `local_file`/`local_sensitive_file` (key
//! secrets, private keys, client secrets, generated passwords): it outlives the run in
//! workspaces, CI caches and artifacts.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push, secret_refs};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "resource" && matches!(r.rtype.as_str(), "local_file" | "local_sensitive_file")) {
        for attr in ["content", "sensitive_content", "content_base64"] {
            let Some(v) = r.body.get(attr) else { continue };
            let refs = secret_refs(&fs, v);
            if let Some(first) = refs.first() {
                let file = r.body.get("filename").map(|f| f.display()).unwrap_or_default();
                push(out, finding(&fs, rule, &v.at, format!("`{}` writes `{first}` to the file `{file}`", r.address)));
            }
        }
    }
}
