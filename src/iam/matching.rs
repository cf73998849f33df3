//! AWS IAM matching: `*`/`?` globs and condition operators, shared by every format's policy
//! model (Terraform, CloudFormation, JSON policies).

/// Glob match with IAM's `*` and `?` (case-insensitive, for actions).
pub fn glob_ci(pattern: &str, value: &str) -> bool {
    glob(&pattern.to_ascii_lowercase(), &value.to_ascii_lowercase())
}

/// Glob match with `*` and `?`, iterative (no recursion).
pub fn glob(p: &str, v: &str) -> bool {
    let p = p.as_bytes();
    let v = v.as_bytes();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// A parsed condition operator.
#[derive(Clone, Debug, Default)]
pub struct Op {
    /// Without set prefix and `IfExists`: `StringLike`, `ArnEquals`, `Null`, ...
    pub base: String,
    pub for_any: bool,
    pub for_all: bool,
    pub if_exists: bool,
    /// `StringNotEquals`, `ArnNotLike`, ...
    pub negated: bool,
    /// Wildcards `*`/`?` are interpreted (StringLike, ArnLike, ArnEquals — ARN operators match
    /// wildcards in both forms).
    pub wildcards: bool,
}

pub fn parse_op(op: &str) -> Op {
    let mut o = Op::default();
    let mut s = op.trim();
    if let Some(r) = s.strip_prefix("ForAnyValue:") {
        o.for_any = true;
        s = r;
    } else if let Some(r) = s.strip_prefix("ForAllValues:") {
        o.for_all = true;
        s = r;
    }
    if let Some(r) = s.strip_suffix("IfExists") {
        o.if_exists = true;
        s = r;
    }
    o.base = s.to_string();
    o.negated = s.contains("Not");
    o.wildcards = matches!(
        s,
        "StringLike" | "StringNotLike" | "ArnLike" | "ArnNotLike" | "ArnEquals" | "ArnNotEquals"
    );
    o
}

/// Is this condition value a pure wildcard under its operator (matches anything)?
pub fn value_matches_anything(op: &Op, v: &str) -> bool {
    op.wildcards && !v.is_empty() && v.chars().all(|c| c == '*' || c == '?') && v.contains('*')
}

/// Does the value contain a wildcard the operator interprets?
pub fn has_wildcard(op: &Op, v: &str) -> bool {
    op.wildcards && (v.contains('*') || v.contains('?'))
}
