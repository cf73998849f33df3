//! Rules: embedded cards joined with their check (a file in `checks/`, a declarative matcher,
//! or a secret detector).

pub mod card;
pub mod checks;
pub mod matchers;

use crate::config::Config;
use crate::engine::{FileCx, ProjectCx};
use crate::finding::{Finding, Severity};
use crate::lang::Span;
use crate::source::SourceFile;
pub use card::Card;
use std::sync::{Arc, OnceLock};

pub type FileCheck = fn(&FileCx, &Rule, &mut Vec<Finding>);
pub type ProjectCheck = fn(&ProjectCx, &Rule, &mut Vec<Finding>);

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/cards.rs"));
}

pub struct Rule {
    pub card: Card,
    /// Effective severity (card, or config override).
    pub severity: Severity,
    pub file_check: Option<FileCheck>,
    pub project_check: Option<ProjectCheck>,
    pub matcher: Option<matchers::Matcher>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.card.id
    }

    pub fn is_project(&self) -> bool {
        self.card.scope == "project"
    }

    pub fn help(&self) -> String {
        self.card.docs.fix.trim().to_string()
    }

    /// A finding of this rule at `span` of `file`.
    pub fn finding(&self, file: &SourceFile, span: Span, message: impl Into<String>) -> Finding {
        let start = file.line_col(span.start);
        let end = file.line_col(span.end.max(span.start));
        self.finding_at(&file.path, span, start, end, message)
    }

    /// A finding located by path and line only (project rules on facts of another file).
    pub fn finding_at(
        &self,
        path: &str,
        span: Span,
        start: (u32, u32),
        end: (u32, u32),
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule_id: self.card.id.clone(),
            title: self.card.title.clone(),
            severity: self.severity,
            confidence: self.card.confidence,
            owasp_nhi: self.card.owasp_nhi.clone(),
            message: message.into(),
            path: path.to_string(),
            start_line: start.0,
            start_column: start.1,
            end_line: end.0,
            end_column: end.1,
            fingerprint: String::new(),
            related: Vec::new(),
            help: self.help(),
            span,
            fp_key: None,
            mask: Vec::new(),
        }
    }
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
    catalog().iter().find(|c| c.id == id)
}

/// Does a `--select`/`--ignore` token name this card? Accepts an id, a prefix ending in `*`
/// or `-` (`tf-*`, `k8s-`), a target (`terraform`) or an OWASP item (`NHI5`, `NHI5:2025`).
pub fn token_matches(token: &str, card: &Card) -> bool {
    let t = token.trim();
    if t.is_empty() {
        return false;
    }
    if t == card.id || t.eq_ignore_ascii_case("all") || t == card.target {
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

pub struct RuleSet {
    pub rules: Vec<Arc<Rule>>,
}

impl RuleSet {
    /// The active rules for a run: config enable/disable and severity, then `select`/`ignore`.
    pub fn build(config: &Config, select: &[String], ignore: &[String]) -> RuleSet {
        let mut rules = Vec::new();
        let select: Vec<&String> = select.iter().chain(config.select.iter()).collect();
        let ignore: Vec<&String> = ignore.iter().chain(config.ignore.iter()).collect();
        for card in catalog() {
            let rc = config.rules.get(&card.id);
            let explicitly_selected = select.contains(&&card.id);
            let mut enabled = !card.opt_in || explicitly_selected;
            if let Some(rc) = rc
                && let Some(e) = rc.enabled
            {
                enabled = e;
            }
            if !select.is_empty() && !select.iter().any(|t| token_matches(t, card)) {
                enabled = false;
            }
            if explicitly_selected {
                enabled = true;
            }
            if ignore.iter().any(|t| token_matches(t, card)) {
                enabled = false;
            }
            // Governance (owner) rules run only when the organisation says what an owner is.
            if !enabled || card.rule_kind() == card::RuleKind::Governance && config.owners.is_none()
            {
                continue;
            }
            let check_name = card.check.clone().unwrap_or_else(|| card.id.clone());
            let file_check = checks::file_check(&check_name);
            let project_check = checks::project_check(&check_name);
            let matcher = card
                .matcher
                .as_ref()
                .and_then(|m| matchers::Matcher::compile(m).ok());
            let severity = rc.and_then(|r| r.severity).unwrap_or(card.severity);
            rules.push(Arc::new(Rule {
                card: card.clone(),
                severity,
                file_check,
                project_check,
                matcher,
            }));
        }
        RuleSet { rules }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Rule>> {
        self.rules.iter().find(|r| r.card.id == id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}
