//! Vault policies granting `sudo`, or write capabilities on `sys/` endpoints (policies, auth
//! methods, mounts, audit devices, seal, raw storage): administration of Vault itself. `path "*"`
//! is `vault-policy-wildcard-path`'s; the client's own lease, wrapping and tool endpoints are
//! not administration.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for p in vault::policy_paths(cx.file, cx.parsed) {
        let path = p.path.trim().trim_start_matches('/');
        if matches!(path, "*" | "+/*") || p.denies() {
            continue;
        }
        if let Some(span) = p.has("sudo") {
            out.push(rule.finding(
                cx.file,
                span.clone(),
                format!("Vault policy `{}` grants `sudo` on `{path}`", p.policy),
            ));
            continue;
        }
        let writes = p.writes();
        if (path.starts_with("sys/") || path == "sys") && !writes.is_empty() && !vault::sys_self_service(path) {
            out.push(rule.finding(
                cx.file,
                p.path_span.clone(),
                format!(
                    "Vault policy `{}` grants `{}` on the system path `{path}`",
                    p.policy,
                    writes.join(", ")
                ),
            ));
        }
    }
}
