//! Vault policies that let their holder mint credentials: `create`/`update` on
//! `auth/token/create*` (child and orphan tokens), `auth/token/*`, `auth/*`, or an AppRole's
//! `secret-id` endpoint.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for p in vault::policy_paths(cx.file, cx.parsed) {
        let path = p.path.trim().trim_start_matches('/');
        let Some(what) = vault::mints(path) else { continue };
        if p.denies() {
            continue;
        }
        let caps: Vec<&str> = p
            .writes()
            .into_iter()
            .filter(|c| matches!(*c, "create" | "update" | "sudo" | "write"))
            .collect();
        if caps.is_empty() {
            continue;
        }
        let orphan = if path.contains("create-orphan") || path == "auth/token/*" || path == "auth/*" {
            " (orphan tokens included, which outlive their creator)"
        } else {
            ""
        };
        out.push(rule.finding(
            cx.file,
            p.path_span.clone(),
            format!(
                "Vault policy `{}` grants `{}` on `{path}`: {what}{orphan}",
                p.policy,
                caps.join(", ")
            ),
        ));
    }
}
