//! `nhilint inventory`: identities, credentials, trust edges (with their evaluated conditions),
//! grants and usages of a repository, as JSON (Inventory JSON, version 1), Markdown, Graphviz
//! DOT or Mermaid. `--since <ref>` keeps only the trust edges added or widened since a git ref.

pub mod diagram;
pub mod markdown;
pub mod model;
pub mod since;

use crate::config::Config;
use crate::context::Report;
use crate::graph::Graph;
pub use model::Inventory;
use std::path::Path;

pub const FORMATS: [&str; 4] = ["json", "markdown", "dot", "mermaid"];

/// The inventory of a scan.
pub fn inventory(report: &Report, root: &Path, config: &Config) -> Inventory {
    let g = Graph::build(&report.facts, config, root);
    model::build(&g)
}

/// Inventory JSON, version 1 (sorted, pretty, newline-terminated).
pub fn render_json(inv: &Inventory) -> String {
    let mut s = serde_json::to_string_pretty(inv).unwrap_or_default();
    s.push('\n');
    s
}

fn render_inv(format: &str, inv: &Inventory) -> Result<String, String> {
    match format {
        "json" => Ok(render_json(inv)),
        "markdown" | "md" => Ok(if inv.since.is_some() {
            markdown::render_since(inv)
        } else {
            markdown::render(inv)
        }),
        "dot" => Ok(diagram::render_dot(inv)),
        "mermaid" => Ok(diagram::render_mermaid(inv)),
        other => Err(format!(
            "unknown inventory format `{other}`; use one of {}",
            FORMATS.join(", ")
        )),
    }
}

/// Render the inventory of a scan, with the configuration the scan used.
pub fn render_with_config(
    format: &str,
    report: &Report,
    root: &Path,
    since: Option<&str>,
    config: &Config,
) -> Result<String, String> {
    if !FORMATS.contains(&format) && format != "md" {
        return render_inv(format, &Inventory::empty());
    }
    let inv = inventory(report, root, config);
    let mut errors = report.errors.clone();
    let mut inv = match since {
        None => inv,
        Some(rev) => {
            let (old_facts, old_errors) = since::facts_at(root, rev, config)?;
            errors.extend(old_errors);
            let g = Graph::build(&old_facts, config, root);
            let before = model::build(&g);
            since::changes(inv, &before, rev)
        }
    };
    inv.errors = errors;
    render_inv(format, &inv)
}

/// Render the inventory (configuration found from `root`).
pub fn render(
    format: &str,
    report: &Report,
    root: &Path,
    since: Option<&str>,
) -> Result<String, String> {
    let config = Config::resolve(None, root).map_err(|e| e.to_string())?;
    render_with_config(format, report, root, since, &config)
}

impl Inventory {
    pub fn empty() -> Inventory {
        Inventory {
            version: 1,
            repository: None,
            since: None,
            identities: Vec::new(),
            credentials: Vec::new(),
            trust: Vec::new(),
            grants: Vec::new(),
            usages: Vec::new(),
            calls: Vec::new(),
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Credential, Facts};
    use crate::graph::tests::{gh_trust, grant, identity, loc, usage};
    use serde_json::json;

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.identities.push(identity(
            "infra/iam.tf#aws_iam_role.deploy",
            "aws_iam_role",
            "aws",
            "deploy",
            json!({"tf_address": "aws_iam_role.deploy", "arn_pattern": "arn:aws:iam::*:role/deploy"}),
        ));
        f.trusts.push(gh_trust(
            "infra/iam.tf#aws_iam_role.deploy/trust/0",
            "infra/iam.tf#aws_iam_role.deploy",
            "StringLike",
            &["repo:acme/app:*"],
        ));
        f.grants.push(grant(
            "infra/iam.tf#aws_iam_role_policy.deploy/0",
            "aws_iam_role.deploy",
            &["s3:PutObject"],
        ));
        f.usages.push(usage(
            ".github/workflows/deploy.yml#jobs.deploy/0",
            "gha-assume-role",
            ".github/workflows/deploy.yml#jobs.deploy",
            "arn:aws:iam::123456789012:role/deploy",
            json!({"triggers": ["push"], "branches": ["main"]}),
        ));
        f.usages.push(usage(
            ".github/workflows/deploy.yml#jobs.other/0",
            "gha-assume-role",
            ".github/workflows/deploy.yml#jobs.other",
            "${{ vars.ROLE_ARN }}",
            json!({"triggers": ["push"]}),
        ));
        f.credentials.push(Credential {
            id: "infra/iam.tf#aws_iam_access_key.ci".into(),
            kind: "access-key".into(),
            identity: None,
            lifetime: Some("never expires".into()),
            storage: "terraform-state".into(),
            redacted: Some("AKIAABCDEFGHIJKLMNOP".into()),
            loc: loc("infra/iam.tf", 40),
            attrs: Default::default(),
        });
        f
    }

    fn inv(f: &Facts) -> Inventory {
        let g = Graph::build_with_repo(f, &Config::default(), Some("acme/app".into()));
        model::build(&g)
    }

    #[test]
    fn json_shape_and_no_secrets() {
        let f = facts();
        let s = render_json(&inv(&f));
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["version"], 1);
        for k in ["identities", "credentials", "trust", "grants", "usages"] {
            for e in v[k].as_array().unwrap() {
                for f in ["id", "kind", "path", "start_line"] {
                    assert!(e.get(f).is_some(), "{k} entry without {f}: {e}");
                }
            }
        }
        assert!(!s.contains("AKIAABCDEFGHIJKLMNOP"), "{s}");
        assert_eq!(v["trust"][0]["admits"][0], "any branch of `acme/app`");
        assert_eq!(v["trust"][0]["consumers"][0]["admitted"], "yes");
        assert_eq!(v["usages"][1]["resolution"], "unresolved");
    }

    #[test]
    fn diagrams_escape_and_are_deterministic() {
        let mut f = facts();
        f.identities[0].name = "de\"ploy\\x".into();
        let i = inv(&f);
        let d = diagram::render_dot(&i);
        assert!(d.starts_with("digraph nhilint {"));
        assert!(d.contains("de\\\"ploy\\\\x"), "{d}");
        assert_eq!(d, diagram::render_dot(&inv(&f)));
        let m = diagram::render_mermaid(&i);
        assert!(m.contains("de#quot;ploy"), "{m}");
        let md = markdown::render(&i);
        assert!(
            md.contains("| `deploy` |") || md.contains("de\"ploy"),
            "{md}"
        );
    }

    #[test]
    fn since_reports_added_and_widened() {
        let now_f = facts();
        let mut old_f = facts();
        old_f.trusts[0].conditions[1].operator = "StringEquals".into();
        old_f.trusts[0].conditions[1].values = vec!["repo:acme/app:ref:refs/heads/main".into()];
        let now = inv(&now_f);
        let before = inv(&old_f);
        let c = since::changes(now.clone(), &before, "main");
        assert_eq!(c.trust.len(), 1);
        assert_eq!(c.trust[0].change.as_deref(), Some("widened"));
        let md = markdown::render_since(&c);
        assert!(md.contains("1 widened"), "{md}");
        let same = since::changes(now.clone(), &now, "main");
        assert!(same.trust.is_empty());
        let mut none = facts();
        none.trusts.clear();
        let added = since::changes(now, &inv(&none), "main");
        assert_eq!(added.trust[0].change.as_deref(), Some("added"));
    }
}
