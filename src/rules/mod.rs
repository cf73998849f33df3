//! Rules: embedded cards joined with their check (a file in `checks/`, a declarative matcher,
//! or a secret detector).

pub mod card;
pub mod checks;
pub mod matchers;

use crate::config::Config;
use crate::context::{FileCx, ProjectCx};
use crate::finding::{Finding, Severity};
use crate::lang::Span;
use crate::source::SourceFile;
use card::{Card, catalog, token_matches};
use std::sync::Arc;

pub type FileCheck = fn(&FileCx, &Rule, &mut Vec<Finding>);
pub type ProjectCheck = fn(&ProjectCx, &Rule, &mut Vec<Finding>);

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
            let rc = config
                .rules
                .get(&card.id)
                .or_else(|| card.aliases.iter().find_map(|a| config.rules.get(a)));
            let explicitly_selected = select.iter().any(|t| card.answers_to(t));
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
        self.rules
            .iter()
            .find(|r| r.card.id == id)
            .or_else(|| self.rules.iter().find(|r| r.card.answers_to(id)))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }
}
