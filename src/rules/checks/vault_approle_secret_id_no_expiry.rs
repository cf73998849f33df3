//! `vault_approle_auth_backend_role` whose secret IDs never expire: `secret_id_ttl` unset (the
//! Vault default is 0) or 0. An unlimited `secret_id_num_uses` is named in the message.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for (kind, t, name, b, node) in vault::tf_blocks(cx.parsed) {
        if kind != "resource" || t != "vault_approle_auth_backend_role" {
            continue;
        }
        let uses = match node.get("secret_id_num_uses").and_then(|n| n.as_i64()) {
            None | Some(0) => ", usable any number of times",
            _ => "",
        };
        let (span, how) = match node.get("secret_id_ttl") {
            None => (b.labels[1].1.clone(), "sets no `secret_id_ttl`"),
            Some(n) => match vault::seconds(n) {
                Some(0) => (n.span.clone(), "sets `secret_id_ttl = 0`"),
                _ => continue,
            },
        };
        let role = vault::role_name(node, name);
        out.push(rule.finding(
            cx.file,
            span,
            format!("AppRole `{role}` {how}: its secret IDs never expire{uses}"),
        ));
    }
}
