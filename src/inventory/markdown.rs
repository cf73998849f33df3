//! The inventory as Markdown tables (and, with `--since`, a pull-request comment).

use super::model::{Inventory, TrustEntry};
use crate::graph::oidc::Tri;

/// A table cell: pipes and newlines would break the table, backticks the code spans.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn code(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = cell(s).replace('`', "'");
    format!("`{s}`")
}

fn loc(path: &str, line: u32) -> String {
    code(&format!("{path}:{line}"))
}

fn tri(t: Option<Tri>) -> &'static str {
    match t {
        Some(Tri::Yes) => "yes",
        Some(Tri::Maybe) => "maybe",
        Some(Tri::No) => "**no**",
        None => "no trust in repo",
    }
}

fn conditions(t: &TrustEntry) -> String {
    let c: Vec<String> = t
        .conditions
        .iter()
        .map(|c| {
            code(&format!(
                "{} {} = {}",
                c.operator,
                c.key,
                c.values.join(", ")
            ))
        })
        .collect();
    if c.is_empty() {
        "none".into()
    } else {
        c.join("<br>")
    }
}

fn admits(t: &TrustEntry) -> String {
    if t.admits.is_empty() {
        "narrow".into()
    } else {
        cell(&t.admits.join("; "))
    }
}

fn trust_table(s: &mut String, trust: &[TrustEntry], with_change: bool) {
    if with_change {
        s.push_str("| Change | Identity | Trusted principal | Conditions | Admits | Before | Where |\n|---|---|---|---|---|---|---|\n");
    } else {
        s.push_str("| Identity | Trusted principal | Conditions | Admits | Consumers | Where |\n|---|---|---|---|---|---|\n");
    }
    for t in trust {
        let ident = code(t.identity.split('#').next_back().unwrap_or(&t.identity));
        let principal = format!("{} {}", cell(&t.kind), code(&t.principal));
        if with_change {
            let before = t
                .before
                .as_ref()
                .map(|b| admits(b))
                .unwrap_or_else(|| "—".into());
            s.push_str(&format!(
                "| {} | {ident} | {principal} | {} | {} | {before} | {} |\n",
                t.change.as_deref().unwrap_or(""),
                conditions(t),
                admits(t),
                loc(&t.path, t.start_line)
            ));
        } else {
            let consumers: Vec<String> = t
                .consumers
                .iter()
                .map(|c| {
                    format!(
                        "{} via {} ({})",
                        code(&c.usage),
                        cell(&c.via),
                        tri(Some(c.admitted))
                    )
                })
                .collect();
            s.push_str(&format!(
                "| {ident} | {principal} | {} | {} | {} | {} |\n",
                conditions(t),
                admits(t),
                if consumers.is_empty() {
                    "—".into()
                } else {
                    consumers.join("<br>")
                },
                loc(&t.path, t.start_line)
            ));
        }
    }
}

pub fn render(inv: &Inventory) -> String {
    let mut s = String::from("# NHI inventory\n\n");
    if let Some(r) = &inv.repository {
        s.push_str(&format!("Repository: {}\n\n", code(r)));
    }
    s.push_str(&format!(
        "{} identities, {} credentials, {} trust edges, {} grants, {} usages.\n\n",
        inv.identities.len(),
        inv.credentials.len(),
        inv.trust.len(),
        inv.grants.len(),
        inv.usages.len()
    ));
    s.push_str("## Identities\n\n| Identity | Kind | Privilege | Grants | Environments | Owner | Consumers | Where |\n|---|---|---|---|---|---|---|---|\n");
    for i in &inv.identities {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            code(&i.name),
            cell(&i.kind),
            i.privilege,
            if i.grant_summary.is_empty() {
                "—".into()
            } else {
                code(&i.grant_summary)
            },
            cell(&i.environments.join(", ")),
            cell(i.owner.as_deref().unwrap_or("—")),
            i.consumers.len(),
            loc(&i.path, i.start_line)
        ));
    }
    s.push_str("\n## Trust\n\n");
    trust_table(&mut s, &inv.trust, false);
    s.push_str("\n## Usages\n\n| Consumer | Kind | Uses | Resolved to | Admitted | Environments | Where |\n|---|---|---|---|---|---|---|\n");
    for u in &inv.usages {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            code(&u.consumer),
            cell(&u.kind),
            code(&u.identity_ref),
            u.identity
                .as_deref()
                .map(code)
                .unwrap_or_else(|| format!("{:?}", u.resolution).to_lowercase()),
            tri(u.admitted),
            cell(&u.environments.join(", ")),
            loc(&u.path, u.start_line)
        ));
    }
    if !inv.credentials.is_empty() {
        s.push_str("\n## Credentials\n\n| Credential | Kind | Identity | Lifetime | Storage | Value | Where |\n|---|---|---|---|---|---|---|\n");
        for c in &inv.credentials {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                code(&c.id),
                cell(&c.kind),
                c.identity.as_deref().map(code).unwrap_or_default(),
                cell(c.lifetime.as_deref().unwrap_or("")),
                cell(&c.storage),
                c.redacted.as_deref().map(code).unwrap_or_default(),
                loc(&c.path, c.start_line)
            ));
        }
    }
    calls_table(&mut s, inv);
    s
}

/// Who may call whom (mesh) and which agent tool server holds which credential.
fn calls_table(s: &mut String, inv: &Inventory) {
    let (mesh, agents): (Vec<_>, Vec<_>) = inv.calls.iter().partition(|c| c.kind != "mcp-server");
    if !mesh.is_empty() {
        s.push_str("\n## Who may call whom (service mesh)\n\n| Caller | Caller ServiceAccount | Callee | Callee workloads | Callee ServiceAccounts | Kind | Where |\n|---|---|---|---|---|---|---|\n");
        for c in mesh {
            let caller = if c.any_caller {
                format!("{} (any caller)", code(&c.from))
            } else {
                code(&c.from)
            };
            s.push_str(&format!(
                "| {caller} | {} | {} | {} | {} | {} | {} |\n",
                c.caller_identity
                    .as_deref()
                    .or(c.caller_service_account.as_deref())
                    .map(code)
                    .unwrap_or_else(|| "—".into()),
                code(&c.to),
                list(&c.callee_workloads),
                list(&c.callee_service_accounts),
                cell(&c.kind),
                loc(&c.path, c.start_line)
            ));
        }
    }
    if !agents.is_empty() {
        s.push_str("\n## AI agents' tool servers\n\n| Agent | Tool server | Credentials | Where |\n|---|---|---|---|\n");
        for c in agents {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code(&c.from),
                code(&c.to),
                list(&c.credentials),
                loc(&c.path, c.start_line)
            ));
        }
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "—".into()
    } else {
        v.iter().map(|x| code(x)).collect::<Vec<_>>().join(", ")
    }
}

/// The pull-request comment of `inventory --since <ref>`.
pub fn render_since(inv: &Inventory) -> String {
    let since = inv.since.as_deref().unwrap_or("?");
    let added = inv
        .trust
        .iter()
        .filter(|t| t.change.as_deref() == Some("added"))
        .count();
    let widened = inv.trust.len() - added;
    let mut s = format!("### nhilint: trust changes since {}\n\n", code(since));
    if inv.trust.is_empty() {
        s.push_str("No trust edge was added or widened.\n");
        return s;
    }
    s.push_str(&format!(
        "{added} trust edge(s) added, {widened} widened. Who can act as these identities, from where:\n\n"
    ));
    trust_table(&mut s, &inv.trust, true);
    s
}
