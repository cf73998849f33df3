//! `vault_jwt_auth_backend_role` (JWT/OIDC auth, e.g. CI tokens) that admits broad subjects:
//! `bound_claims_type = "glob"` with a `*` in a subject-like claim (`sub`, `repository`,
//! `project_path`, `ref`, ...), or a `jwt` role that binds neither `bound_subject` nor
//! `bound_claims` (every token of the issuer with the audience gets in).

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

const SUBJECT_CLAIMS: [&str; 10] = [
    "sub",
    "repository",
    "repository_owner",
    "project_path",
    "namespace_path",
    "job_workflow_ref",
    "workflow_ref",
    "ref",
    "environment",
    "email",
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for (kind, t, name, b, node) in vault::tf_blocks(cx.parsed) {
        if kind != "resource" || t != "vault_jwt_auth_backend_role" {
            continue;
        }
        let role = vault::role_name(node, name);
        let glob = node
            .get("bound_claims_type")
            .and_then(|n| n.as_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("glob"));
        let claims = node.get("bound_claims");
        if glob {
            for e in claims.map(|c| c.entries()).unwrap_or(&[]) {
                if !SUBJECT_CLAIMS.contains(&e.key.as_str()) {
                    continue;
                }
                for (v, n) in e.value.str_or_seq() {
                    // Each comma-separated value is one pattern.
                    for part in v.split(',') {
                        let part = part.trim();
                        if part.contains('*') && part != "refs/heads/*" || part == "*" {
                            out.push(rule.finding(
                                cx.file,
                                n.span.clone(),
                                format!("JWT role `{role}` accepts any `{}` matching the glob `{part}`", e.key),
                            ));
                        }
                    }
                }
            }
        }
        let role_type = node
            .get("role_type")
            .and_then(|n| n.as_str())
            .unwrap_or("oidc");
        let no_subject = node.get("bound_subject").is_none()
            && claims.is_none_or(|c| c.entries().is_empty() && !c.is_expr());
        if role_type == "jwt" && no_subject {
            out.push(rule.finding(
                cx.file,
                b.labels[1].1.clone(),
                format!("JWT role `{role}` binds no subject or claims: every token of the issuer with the audience is accepted"),
            ));
        }
    }
}
