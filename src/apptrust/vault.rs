//! Vault, the system that mints most machine credentials: policy text (standalone `*.hcl`
//! policy files, `vault_policy` resources with heredoc policies, `vault_policy_document` data
//! sources) and auth roles (`vault_approle_auth_backend_role`, `vault_jwt_auth_backend_role`,
//! `vault_kubernetes_auth_backend_role`, ...) in Terraform.

use crate::lang::Parsed;
use crate::lang::{Block, Node, Span, V};
use crate::source::SourceFile;

/// One `path "x" { capabilities = [...] }` of a policy, spans in the file.
pub struct PolicyPath {
    pub path: String,
    pub path_span: Span,
    /// Capabilities (lower case) with their spans.
    pub caps: Vec<(String, Span)>,
    /// The policy's name (`vault_policy` resource name or the file name).
    pub policy: String,
}

impl PolicyPath {
    pub fn has(&self, cap: &str) -> Option<&Span> {
        self.caps.iter().find(|(c, _)| c == cap).map(|(_, s)| s)
    }

    pub fn denies(&self) -> bool {
        self.has("deny").is_some()
    }

    /// Capabilities that change or mint something (everything but read and list).
    pub fn writes(&self) -> Vec<&str> {
        self.caps
            .iter()
            .map(|(c, _)| c.as_str())
            .filter(|c| {
                matches!(
                    *c,
                    "create" | "update" | "patch" | "delete" | "sudo" | "write"
                )
            })
            .collect()
    }

    pub fn caps_text(&self) -> String {
        self.caps
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn strings(n: Option<&Node>, base: usize) -> Vec<(String, Span)> {
    let Some(n) = n else { return Vec::new() };
    match &n.v {
        V::Seq(items) => items
            .iter()
            .filter_map(|i| {
                i.as_str().map(|s| {
                    (
                        s.to_ascii_lowercase(),
                        i.span.start + base..i.span.end + base,
                    )
                })
            })
            .collect(),
        V::Str(s) => vec![(
            s.to_ascii_lowercase(),
            n.span.start + base..n.span.end + base,
        )],
        _ => Vec::new(),
    }
}

/// Top-level `path` blocks of a policy body (spans shifted by `base`).
fn paths_of_body(root: &Node, base: usize, policy: &str) -> Vec<PolicyPath> {
    let mut out = Vec::new();
    for (b, node) in root.blocks("path") {
        let Some((p, ps)) = b.labels.first() else {
            continue;
        };
        let caps = strings(node.get("capabilities"), base);
        out.push(PolicyPath {
            path: p.clone(),
            path_span: ps.start + base..ps.end + base,
            caps,
            policy: policy.to_string(),
        });
    }
    out
}

/// The policy text of a heredoc or string value in the file: `(text, offset in the file)`.
fn embedded_text<'a>(file: &'a SourceFile, n: &Node) -> Option<(&'a str, usize)> {
    let raw = file.text.get(n.span.clone())?;
    if raw.starts_with("<<") {
        let nl = raw.find('\n')? + 1;
        let end = raw.trim_end().rfind('\n').unwrap_or(raw.len());
        if end <= nl {
            return None;
        }
        return Some((&raw[nl..end], n.span.start + nl));
    }
    if raw.starts_with('"') && !raw.contains("\\n") {
        return Some((&raw[1..raw.len().saturating_sub(1)], n.span.start + 1));
    }
    None
}

/// Terraform resources and data sources of a parsed HCL file: `(kind, type, name, block, node)`.
pub fn tf_blocks(parsed: &Parsed) -> Vec<(&str, &str, &str, &Block, &Node)> {
    let Parsed::Hcl(d) = parsed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for kind in ["resource", "data"] {
        for (b, node) in d.root.blocks(kind) {
            if let [(t, _), (n, _), ..] = &b.labels[..] {
                out.push((kind, t.as_str(), n.as_str(), b, node));
            }
        }
    }
    out
}

/// Every policy path of a file: a standalone policy (`path` blocks at the top), heredoc
/// policies of `vault_policy` resources, and `rule` blocks of `vault_policy_document`.
pub fn policy_paths(file: &SourceFile, parsed: &Parsed) -> Vec<PolicyPath> {
    let Parsed::Hcl(d) = parsed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let fname = file.path.rsplit('/').next().unwrap_or(&file.path);
    out.extend(paths_of_body(&d.root, 0, fname));
    for (kind, t, name, _, node) in tf_blocks(parsed) {
        match (kind, t) {
            ("resource", "vault_policy") => {
                let Some(p) = node.get("policy") else {
                    continue;
                };
                let Some((text, base)) = embedded_text(file, p) else {
                    continue;
                };
                let policy = node
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or(name)
                    .to_string();
                let parsed = crate::lang::hcl::parse(text);
                out.extend(paths_of_body(&parsed.doc.root, base, &policy));
            }
            ("data", "vault_policy_document") => {
                for (_, rule) in node.blocks("rule") {
                    let Some(pn) = rule.get("path") else { continue };
                    let Some(p) = pn.as_str() else { continue };
                    out.push(PolicyPath {
                        path: p.to_string(),
                        path_span: pn.span.clone(),
                        caps: strings(rule.get("capabilities"), 0),
                        policy: name.to_string(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Vault `sys/` endpoints a client uses on itself (renewing its leases, reading its
/// capabilities, wrapping), not administration.
pub fn sys_self_service(path: &str) -> bool {
    const SELF: [&str; 8] = [
        "sys/leases/renew",
        "sys/leases/lookup",
        "sys/renew",
        "sys/capabilities-self",
        "sys/wrapping/",
        "sys/tools/",
        "sys/control-group/request",
        "sys/mfa/validate",
    ];
    SELF.iter().any(|s| path.starts_with(s))
}

/// Paths that mint Vault tokens or auth credentials: `(description)`.
pub fn mints(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    if p == "auth/*" || p == "auth/+/*" || p == "auth/token/*" {
        return Some("every auth endpoint, token creation included");
    }
    if p.starts_with("auth/token/create") {
        return Some("token creation");
    }
    if p.starts_with("auth/")
        && (p.ends_with("/secret-id")
            || p.ends_with("/secret-id/*")
            || p.ends_with("/custom-secret-id"))
    {
        return Some("AppRole secret ID creation");
    }
    None
}

/// Duration attribute in seconds: numbers and `"24h"`-style strings.
pub fn seconds(n: &Node) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let s = n.as_str()?.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let v: i64 = num.trim().parse().ok()?;
    let m = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    Some(v * m)
}

/// Auth backend role resources of the Vault provider that issue tokens.
pub fn is_auth_role(t: &str) -> bool {
    t.starts_with("vault_") && t.ends_with("_auth_backend_role")
        || t == "vault_token_auth_backend_role"
}

/// The role name of an auth role resource (`role_name`, else the resource name).
pub fn role_name<'a>(node: &'a Node, resource: &'a str) -> &'a str {
    node.get("role_name")
        .and_then(|n| n.as_str())
        .unwrap_or(resource)
}
