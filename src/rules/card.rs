//! Rule cards: `rules/<target>/<id>.toml`, the single source of a rule's metadata, docs and
//! examples (which are also its tests).

use crate::finding::{Confidence, Severity};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    pub id: String,
    pub title: String,
    /// terraform | kubernetes | ci | source | secrets | project | meta
    pub target: String,
    pub severity: Severity,
    pub confidence: Confidence,
    pub owasp_nhi: Vec<String>,
    /// `file` (default) or `project` (sees the whole fact graph).
    #[serde(default = "default_scope")]
    pub scope: String,
    /// Name of the check in `src/rules/checks/` (defaults to the id).
    #[serde(default)]
    pub check: Option<String>,
    /// Declarative matcher (see `matchers.rs`).
    #[serde(default, rename = "match")]
    pub matcher: Option<crate::rules::matchers::MatchSpec>,
    /// Secret detector (see `src/secrets/`).
    #[serde(default)]
    pub detector: Option<toml::Table>,
    /// Other targets whose files this (per-file) rule also reads: `cloudformation` for a
    /// policy rule written for Terraform that applies to templates unchanged.
    #[serde(default)]
    pub also_targets: Vec<String>,
    /// Former ids of the rule: suppressions, `--select`/`--ignore`, config and baselines
    /// written with them still apply to it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Off unless selected or enabled in config.
    #[serde(default)]
    pub opt_in: bool,
    /// What the rule judges, which decides where it reports (see [`RuleKind`]); default from
    /// the target: `secrets` → secret, `meta` → meta, else structural.
    #[serde(default)]
    pub kind: Option<RuleKind>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub docs: Docs,
    pub examples: Vec<Example>,
}

/// What a rule judges. Structural rules (IAM, RBAC, trust, CI configuration) do not report in
/// test, fixture and e2e paths by default (`[paths] structural-in`); secret rules report
/// everywhere, one confidence step lower in test, example and docs paths; governance rules
/// (owner labels and tags) run only when `[owners]` is configured; meta rules always run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Structural,
    Secret,
    Governance,
    Meta,
}

impl Card {
    pub fn rule_kind(&self) -> RuleKind {
        match (self.kind, self.target.as_str()) {
            (Some(k), _) => k,
            (None, "secrets") => RuleKind::Secret,
            (None, "meta") => RuleKind::Meta,
            _ if self.owasp_nhi.iter().any(|o| o == "NHI2:2025") => RuleKind::Secret,
            _ => RuleKind::Structural,
        }
    }
}

fn default_scope() -> String {
    "file".into()
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    pub what: String,
    pub why: String,
    pub fix: String,
    #[serde(default)]
    pub references: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// `bad` (must produce at least one finding of the rule) or `clean` (must produce none).
    pub kind: String,
    pub path: String,
    pub code: String,
    /// Exact number of findings a bad example must produce (optional).
    #[serde(default)]
    pub count: Option<usize>,
    /// Other files of the same example repository (cross-file rules).
    #[serde(default)]
    pub files: Vec<ExampleFile>,
    #[serde(default)]
    pub note: Option<String>,
    /// Extra `nhilint.toml` content for this example.
    #[serde(default)]
    pub config: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    pub path: String,
    pub code: String,
}

/// Every rule target (`cloudformation` rules are the policy rules that read templates too).
pub const TARGETS: &[&str] = &[
    "terraform",
    "cloudformation",
    "kubernetes",
    "ci",
    "source",
    "secrets",
    "project",
    "meta",
];

impl Card {
    /// Does this rule read files of `target`?
    pub fn reads(&self, target: &str) -> bool {
        self.target == target || self.also_targets.iter().any(|t| t == target)
    }

    /// Is `id` this rule's id or one of its former ids?
    pub fn answers_to(&self, id: &str) -> bool {
        self.id == id || self.aliases.iter().any(|a| a == id)
    }
}

pub const OWASP_ITEMS: [&str; 10] = [
    "NHI1:2025",
    "NHI2:2025",
    "NHI3:2025",
    "NHI4:2025",
    "NHI5:2025",
    "NHI6:2025",
    "NHI7:2025",
    "NHI8:2025",
    "NHI9:2025",
    "NHI10:2025",
];

pub fn owasp_title(item: &str) -> &'static str {
    match item {
        "NHI1:2025" => "Improper Offboarding",
        "NHI2:2025" => "Secret Leakage",
        "NHI3:2025" => "Vulnerable Third-Party NHI",
        "NHI4:2025" => "Insecure Authentication",
        "NHI5:2025" => "Overprivileged NHI",
        "NHI6:2025" => "Insecure Cloud Deployment Configurations",
        "NHI7:2025" => "Long-Lived Secrets",
        "NHI8:2025" => "Environment Isolation",
        "NHI9:2025" => "NHI Reuse",
        "NHI10:2025" => "Human Use of NHI",
        _ => "",
    }
}

/// `NHI5:2025 Overprivileged NHI, NHI10:2025 Human Use of NHI`: items with their titles.
pub fn owasp_labels(items: &[String]) -> String {
    items
        .iter()
        .map(|o| format!("{o} {}", owasp_title(o)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Card {
    /// Problems with this card, empty when valid.
    pub fn validate(&self) -> Vec<String> {
        let mut p = Vec::new();
        let id_ok = !self.id.is_empty()
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !self.id.starts_with('-')
            && !self.id.ends_with('-')
            && self.id.contains('-');
        if !id_ok {
            p.push(format!(
                "id `{}` is not kebab-case with a target prefix",
                self.id
            ));
        }
        if self.title.trim().is_empty() {
            p.push("empty title".into());
        }
        if !TARGETS.contains(&self.target.as_str())
            && !crate::source::APP_TARGETS.contains(&self.target.as_str())
        {
            p.push(format!("unknown target `{}`", self.target));
        }
        for t in &self.also_targets {
            if !TARGETS.contains(&t.as_str()) || t == &self.target {
                p.push(format!("also_targets `{t}` is not another known target"));
            }
        }
        if self.scope != "file" && self.scope != "project" {
            p.push(format!("unknown scope `{}`", self.scope));
        }
        if self.owasp_nhi.is_empty() {
            p.push("no owasp_nhi item".into());
        }
        for o in &self.owasp_nhi {
            if !OWASP_ITEMS.contains(&o.as_str()) {
                p.push(format!(
                    "owasp_nhi `{o}` is not one of NHI1:2025..NHI10:2025"
                ));
            }
        }
        for (n, t) in [
            ("what", &self.docs.what),
            ("why", &self.docs.why),
            ("fix", &self.docs.fix),
        ] {
            if t.trim().len() < 20 {
                p.push(format!("docs.{n} is missing or too short"));
            }
        }
        if self.docs.references.is_empty() {
            p.push("docs.references is empty".into());
        }
        if !self.examples.iter().any(|e| e.kind == "bad") {
            p.push("no bad example".into());
        }
        if !self.examples.iter().any(|e| e.kind == "clean") {
            p.push("no clean example".into());
        }
        for e in &self.examples {
            if e.kind != "bad" && e.kind != "clean" {
                p.push(format!("example kind `{}` is not bad|clean", e.kind));
            }
        }
        p
    }
}
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/cards.rs"));
}

/// Where module cards live (data for the Terraform evaluator, not rules).
const MODULE_CARDS: &str = "rules/modules/";

/// The module cards of the binary: (path, text).
pub fn module_card_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::CARDS
        .iter()
        .filter(|(p, _)| p.starts_with(MODULE_CARDS))
        .copied()
}

/// Every card of the binary, parsed once. Errors are reported by `catalog_errors` (and a test).
pub fn catalog() -> &'static [Card] {
    &load().0
}

pub fn catalog_errors() -> &'static [String] {
    &load().1
}

fn load() -> &'static (Vec<Card>, Vec<String>) {
    static CELL: OnceLock<(Vec<Card>, Vec<String>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut cards = Vec::new();
        let mut errors = Vec::new();
        for (path, text) in embedded::CARDS {
            if path.starts_with(MODULE_CARDS) {
                continue;
            }
            match toml::from_str::<Card>(text) {
                Ok(c) => {
                    let expected_dir = format!("rules/{}/", c.target);
                    if !(path.starts_with(&expected_dir)
                        || c.target == "project" && path.starts_with("rules/"))
                    {
                        errors.push(format!(
                            "{path}: target `{}` but file is not under {expected_dir}",
                            c.target
                        ));
                    }
                    if !path.ends_with(&format!("/{}.toml", c.id)) {
                        errors.push(format!("{path}: file name does not match id `{}`", c.id));
                    }
                    cards.push(c)
                }
                Err(e) => errors.push(format!("{path}: {e}")),
            }
        }
        cards.sort_by(|a, b| a.id.cmp(&b.id));
        (cards, errors)
    })
}

pub fn find_card(id: &str) -> Option<&'static Card> {
    catalog()
        .iter()
        .find(|c| c.id == id)
        .or_else(|| catalog().iter().find(|c| c.answers_to(id)))
}

/// Does a `--select`/`--ignore` token name this card? Accepts an id, a prefix ending in `*`
/// or `-` (`tf-*`, `k8s-`), a target (`terraform`) or an OWASP item (`NHI5`, `NHI5:2025`).
pub fn token_matches(token: &str, card: &Card) -> bool {
    let t = token.trim();
    if t.is_empty() {
        return false;
    }
    if card.answers_to(t) || t.eq_ignore_ascii_case("all") || t == card.target {
        return true;
    }
    if let Some(p) = t.strip_suffix('*') {
        return card.id.starts_with(p);
    }
    if t.ends_with('-') {
        return card.id.starts_with(t);
    }
    let up = t.to_ascii_uppercase();
    if up.starts_with("NHI") {
        let full = if up.contains(':') {
            up
        } else {
            format!("{up}:2025")
        };
        return card.owasp_nhi.contains(&full);
    }
    false
}
