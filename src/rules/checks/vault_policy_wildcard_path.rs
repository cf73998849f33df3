//! Vault policies granting `path "*"` (every secret, every auth method, every system endpoint),
//! in standalone policy files, `vault_policy` heredocs and `vault_policy_document` rules.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for p in vault::policy_paths(cx.file, cx.parsed) {
        let path = p.path.trim();
        if !matches!(path, "*" | "+/*" | "/*") || p.denies() || p.caps.is_empty() {
            continue;
        }
        let writes = p.writes();
        let f = rule.finding(
            cx.file,
            p.path_span.clone(),
            format!(
                "Vault policy `{}` grants `{}` on `path \"{path}\"`: every secret engine, auth method and system endpoint",
                p.policy,
                p.caps_text()
            ),
        );
        out.push(if writes.is_empty() {
            f.with_severity(rule.severity.lower())
        } else {
            f
        });
    }
}
