//! AWS IAM semantics: wildcard matching, condition operators, which conditions bind a
//! principal; which actions only accept `Resource: "*"` comes from [`crate::iam::actions`].

use super::policy::{Cond, Stmt};

pub use crate::iam::matching::{Op, glob, glob_ci, has_wildcard, parse_op, value_matches_anything};

/// Keys that tie `Principal: "*"` to the caller's organisation, account, ARN or source.
const BINDING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:userid",
    "aws:username",
    // KMS key policies: `Principal: "*"` for the services of one account.
    "kms:calleraccount",
    // S3 bucket policies delegating to the access points of one account (AWS's documented
    // pattern): only requests through those access points.
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

/// Does the condition restrict who the caller can be? Negated operators, `IfExists` (absent
/// key passes), `ForAllValues` (vacuously true on a missing key), `Null`, and values that
/// match anything do not.
pub fn restricts(c: &Cond) -> bool {
    let op = parse_op(&c.op);
    if op.negated || op.if_exists || op.for_all || op.base == "Null" || op.base == "Bool" {
        return false;
    }
    if c.values.is_empty() {
        return false;
    }
    !c.values
        .iter()
        .any(|v| v.str().is_some_and(|s| value_matches_anything(&op, s)))
}

/// Is `Principal: "*"` of this statement bound by a condition (org, account, ARN, source, an
/// OIDC subject)?
pub fn principal_bound(s: &Stmt) -> bool {
    s.conditions.iter().any(|c| {
        let k = c.key.to_ascii_lowercase();
        (BINDING_KEYS.contains(&k.as_str()) || k.ends_with(":sub") || k == "?") && restricts(c)
    })
}

/// Is every action this pattern covers one that requires `Resource: "*"` (from the AWS
/// action table)?
pub fn requires_star_resource(action: &str) -> bool {
    crate::iam::actions::requires_star_resource(action)
}

/// `*`, `*:*` — every action of every service.
pub fn is_all_actions(a: &str) -> bool {
    let t = a.trim();
    t == "*" || t == "*:*"
}

/// `s3:*` — every action of one service.
pub fn is_service_wildcard(a: &str) -> bool {
    a.split_once(':')
        .is_some_and(|(svc, rest)| !svc.is_empty() && !svc.contains('*') && rest == "*")
}

/// Account id of an AWS principal (`123456789012`, `arn:aws:iam::123456789012:root|role/x`).
pub fn account_of(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let rest = p.strip_prefix("arn:")?;
    let mut it = rest.splitn(5, ':');
    let _partition = it.next()?;
    let svc = it.next()?;
    let _region = it.next()?;
    let acct = it.next()?;
    (svc == "iam" || svc == "sts").then_some(acct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob("repo:acme/*", "repo:acme/x:ref:main"));
        assert!(!glob("repo:acme/*", "repo:other/x"));
        assert!(glob("a?c", "abc"));
        assert!(requires_star_resource("ec2:DescribeInstances"));
        // A few `ec2:Describe*` actions take resource ARNs (AWS's table says so).
        assert!(!requires_star_resource("ec2:Describe*"));
        assert!(!requires_star_resource("ec2:*"));
        assert!(!requires_star_resource("s3:GetObject"));
        assert_eq!(
            account_of("arn:aws:iam::123456789012:root"),
            Some("123456789012")
        );
        assert!(parse_op("ForAnyValue:StringLikeIfExists").if_exists);
    }

    fn cond(op: &str, key: &str, vals: &[&str]) -> Cond {
        use crate::terraform::eval::{At, K, Val};
        let at = At {
            file: 0,
            span: 0..0,
        };
        Cond {
            op: op.into(),
            key: key.into(),
            values: vals
                .iter()
                .map(|v| Val::new(K::Str(v.to_string(), false), at.clone()))
                .collect(),
            at,
        }
    }

    #[test]
    fn condition_semantics() {
        // `*` is literal under StringEquals: the condition restricts (to nothing).
        assert!(restricts(&cond(
            "StringEquals",
            "aws:PrincipalOrgID",
            &["*"]
        )));
        // Under StringLike a bare `*` matches anything.
        assert!(!restricts(&cond("StringLike", "aws:PrincipalArn", &["*"])));
        assert!(restricts(&cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sns:*:111122223333:t"]
        )));
        // Missing keys pass IfExists and ForAllValues; negations never bind.
        assert!(!restricts(&cond(
            "StringEqualsIfExists",
            "aws:PrincipalOrgID",
            &["o-1"]
        )));
        assert!(!restricts(&cond(
            "ForAllValues:StringEquals",
            "aws:PrincipalOrgID",
            &["o-1"]
        )));
        assert!(restricts(&cond(
            "ForAnyValue:StringEquals",
            "aws:PrincipalOrgPaths",
            &["o-1/r-1/"]
        )));
        assert!(!restricts(&cond(
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-1"]
        )));
        assert!(!restricts(&cond("Null", "aws:PrincipalOrgID", &["false"])));
        let op = parse_op("StringEquals");
        assert!(!has_wildcard(&op, "repo:acme/*"));
        assert!(has_wildcard(
            &parse_op("ForAnyValue:StringLike"),
            "repo:acme/*"
        ));
    }
}
