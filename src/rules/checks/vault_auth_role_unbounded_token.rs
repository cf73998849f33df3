//! Vault auth roles whose tokens have no upper bound: `token_period` set without
//! `token_explicit_max_ttl` (a periodic token lives as long as it is renewed), or neither
//! `token_max_ttl` nor `token_explicit_max_ttl` set (the mount or system maximum applies, 32 days
//! by default), or a bound of 0.

use crate::apptrust::vault;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for (kind, t, name, b, node) in vault::tf_blocks(cx.parsed) {
        if kind != "resource" || !vault::is_auth_role(t) {
            continue;
        }
        let role = vault::role_name(node, name);
        let secs = |k: &str| node.get(k).map(|n| (n, vault::seconds(n)));
        let explicit = secs("token_explicit_max_ttl");
        let max = secs("token_max_ttl");
        let period = secs("token_period");
        let bounded = |v: &Option<(&crate::lang::Node, Option<i64>)>| {
            matches!(v, Some((_, Some(s))) if *s > 0) || matches!(v, Some((_, None)))
        };
        if let Some((pn, Some(p))) = period
            && p > 0
            && !bounded(&explicit)
        {
            out.push(
                rule.finding(
                    cx.file,
                    pn.span.clone(),
                    format!("`{t}` `{role}` issues periodic tokens with no `token_explicit_max_ttl`: they live as long as they are renewed"),
                )
                .with_severity(rule.severity.raise()),
            );
            continue;
        }
        if bounded(&explicit) || bounded(&max) {
            continue;
        }
        let (span, how) = match max.or(explicit) {
            Some((n, _)) => (n.span.clone(), "sets a token maximum TTL of 0"),
            None => (b.labels[1].1.clone(), "sets no `token_max_ttl`"),
        };
        out.push(rule.finding(
            cx.file,
            span,
            format!("`{t}` `{role}` {how}: its tokens are renewable up to the mount or system maximum (32 days by default)"),
        ));
    }
}
