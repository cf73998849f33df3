//! Suppression: inline `nhilint: ignore[rule-id] reason` comments (optional
//! `until=YYYY-MM-DD`) on the finding's line or the line above, and config path ignores.

use crate::config::Config;
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::source::SourceFile;
use regex::Regex;
use std::sync::OnceLock;

pub const UNUSED_RULE: &str = "nhilint-unused-suppression";
pub const EXPIRED_RULE: &str = "nhilint-expired-suppression";
pub const NO_REASON_RULE: &str = "nhilint-suppression-without-reason";

#[derive(Clone, Debug)]
pub struct Suppression {
    pub line: u32,
    pub rules: Vec<String>,
    pub until: Option<String>,
    pub reason: String,
    /// Byte span of the directive in the file.
    pub span: std::ops::Range<usize>,
}

fn directive_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:#|//|/\*|<!--|--|;|\{\{-?\s*/\*)\s*nhilint:\s*ignore\[([^\]]*)\]([^\n]*)")
            .unwrap()
    })
}

/// Every suppression directive in a file's comments.
pub fn parse(file: &SourceFile) -> Vec<Suppression> {
    let text = &file.text;
    if !text.contains("nhilint:") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for m in directive_re().captures_iter(text) {
        let whole = m.get(0).unwrap();
        let rules: Vec<String> = m[1]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let mut rest = m[2].trim();
        for end in ["*/", "-->", "}}"] {
            if let Some(i) = rest.find(end) {
                rest = rest[..i].trim();
            }
        }
        let mut until = None;
        let mut reason_words = Vec::new();
        for w in rest.split_whitespace() {
            if let Some(d) = w.strip_prefix("until=") {
                until = Some(d.to_string());
            } else {
                reason_words.push(w);
            }
        }
        let (line, _) = file.line_col(whole.start());
        out.push(Suppression {
            line,
            rules,
            until,
            reason: reason_words.join(" "),
            span: whole.start()..whole.end(),
        });
    }
    out
}

impl Suppression {
    /// The reason is missing or still the quick fix's `<reason>` placeholder (any `<…>`).
    pub fn lacks_reason(&self) -> bool {
        let r = self.reason.trim();
        r.is_empty() || (r.starts_with('<') && r.ends_with('>'))
    }
}

/// Apply inline suppressions to one file's findings. Returns kept findings (plus findings of
/// the unused/expired meta rules) and the number suppressed.
pub fn apply(
    file: &SourceFile,
    findings: Vec<Finding>,
    rules: &RuleSet,
    inline: bool,
    today: &str,
) -> (Vec<Finding>, usize) {
    if !inline {
        return (findings, 0);
    }
    let sups = parse(file);
    if sups.is_empty() {
        return (findings, 0);
    }
    // While the no-reason rule is on, a suppression without a reason silences nothing.
    let need_reason = rules.contains(NO_REASON_RULE);
    let mut used = vec![false; sups.len()];
    let mut kept = Vec::new();
    let mut n = 0;
    for f in findings {
        let hit = sups.iter().enumerate().find(|(_, s)| {
            (s.line == f.start_line || s.line + 1 == f.start_line)
                && s.rules.iter().any(|r| {
                    r == &f.rule_id
                        || r == "all"
                        || crate::rules::card::find_card(&f.rule_id)
                            .is_some_and(|c| c.answers_to(r))
                })
        });
        match hit {
            Some((i, s)) => {
                used[i] = true;
                let expired = s.until.as_deref().is_some_and(|u| u < today);
                if expired || (need_reason && s.lacks_reason()) {
                    kept.push(f);
                } else {
                    n += 1;
                }
            }
            None => kept.push(f),
        }
    }
    for (i, s) in sups.iter().enumerate() {
        if need_reason
            && s.lacks_reason()
            && let Some(rule) = rules.get(NO_REASON_RULE)
        {
            let what = if s.reason.trim().is_empty() {
                "gives no reason".to_string()
            } else {
                format!("has the placeholder `{}` as its reason", s.reason.trim())
            };
            kept.push(rule.finding(
                file,
                s.span.clone(),
                format!(
                    "suppression of `{}` {what}, so it silences nothing: write why the finding is accepted after the `]`",
                    s.rules.join(", ")
                ),
            ));
        }
        if let Some(u) = &s.until {
            let valid = u.len() == 10 && u.as_bytes()[4] == b'-' && u.as_bytes()[7] == b'-';
            if let Some(rule) = rules.get(EXPIRED_RULE) {
                if !valid {
                    kept.push(rule.finding(
                        file,
                        s.span.clone(),
                        format!("suppression has an invalid date `until={u}` (use YYYY-MM-DD)"),
                    ));
                } else if u.as_str() < today {
                    kept.push(rule.finding(
                        file,
                        s.span.clone(),
                        format!("suppression of `{}` expired on {u}", s.rules.join(", ")),
                    ));
                }
            }
        }
        if !used[i]
            && let Some(rule) = rules.get(UNUSED_RULE)
        {
            for r in &s.rules {
                if r == "all" {
                    continue;
                }
                if crate::rules::card::find_card(r).is_none() {
                    kept.push(rule.finding(
                        file,
                        s.span.clone(),
                        format!("suppression names unknown rule `{r}`"),
                    ));
                } else if rules.contains(r) {
                    kept.push(rule.finding(
                        file,
                        s.span.clone(),
                        format!("suppression of `{r}` matches no finding"),
                    ));
                }
            }
        }
    }
    (kept, n)
}

/// `[[ignore-paths]]` in config, with each entry's globs compiled once per run (not per finding).
pub struct PathIgnores<'a> {
    entries: Vec<(&'a [String], globset::GlobSet)>,
    config: &'a Config,
}

impl<'a> PathIgnores<'a> {
    pub fn new(config: &'a Config) -> PathIgnores<'a> {
        let entries = config
            .ignore_paths
            .iter()
            .map(|ip| {
                let mut b = globset::GlobSetBuilder::new();
                for g in &ip.paths {
                    if let Ok(g) = globset::GlobBuilder::new(g)
                        .literal_separator(false)
                        .build()
                    {
                        b.add(g);
                    }
                }
                (
                    ip.rules.as_slice(),
                    b.build().unwrap_or_else(|_| globset::GlobSet::empty()),
                )
            })
            .collect();
        PathIgnores { entries, config }
    }

    pub fn ignores(&self, f: &Finding) -> bool {
        self.entries.iter().any(|(rules, globs)| {
            let rule_ok = rules.is_empty()
                || rules.iter().any(|t| {
                    crate::rules::card::find_card(&f.rule_id)
                        .is_some_and(|c| crate::rules::card::token_matches(t, c))
                });
            rule_ok && globs.is_match(self.config.config_relative(&f.path))
        })
    }
}
