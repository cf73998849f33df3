//! GitLab `include:` of configuration from elsewhere without a pinned version: `remote:` URLs
//! without `integrity:`, `project:` without a commit-SHA `ref:`, components at `~latest`.

use crate::ci::{pinned_sha, text, text_or_empty};
use crate::context::FileCx;
use crate::finding::{Finding, Severity};
use crate::lang::{Node, V};
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::GitlabCi {
        return;
    }
    for root in cx.parsed.roots() {
        let Some(inc) = root.get("include") else {
            continue;
        };
        let items: Vec<&Node> = match &inc.v {
            V::Seq(items) => items.iter().collect(),
            _ => vec![inc],
        };
        for it in items {
            if let Some(s) = it.as_str().map(str::to_string).or_else(|| {
                it.is_expr().then(|| text(it).map(|c| c.into_owned())).flatten()
            }) {
                if s.starts_with("http://") || s.starts_with("https://") {
                    out.push(rule.finding(
                        cx.file,
                        it.span.clone(),
                        format!("remote include `{s}` can change under the pipeline (no `integrity:` hash)"),
                    ));
                }
                continue;
            }
            if let Some(r) = it.get("remote") {
                if it.get("integrity").is_none() {
                    out.push(rule.finding(
                        cx.file,
                        r.span.clone(),
                        format!(
                            "remote include `{}` can change under the pipeline (no `integrity:` hash)",
                            text_or_empty(r)
                        ),
                    ));
                }
            } else if let Some(p) = it.get("project") {
                let project = text_or_empty(p);
                let git_ref = it.get("ref").map(text_or_empty);
                if git_ref.as_deref().is_some_and(pinned_sha) {
                    continue;
                }
                let own = cx.config.org.gitlab_groups.iter().any(|g| {
                    project.to_ascii_lowercase().starts_with(&format!("{}/", g.to_ascii_lowercase()))
                });
                let what = match &git_ref {
                    None => "without `ref:` (its default branch)".to_string(),
                    Some(r) => format!("at mutable ref `{r}`"),
                };
                let mut f = rule.finding(
                    cx.file,
                    p.span.clone(),
                    format!("project include `{project}` is taken {what}, not a commit SHA"),
                );
                if own {
                    f = f.with_severity(Severity::Low);
                }
                out.push(f);
            } else if let Some(c) = it.get("component") {
                let comp = text_or_empty(c);
                if comp.ends_with("@~latest") || !comp.contains('@') {
                    out.push(rule.finding(
                        cx.file,
                        c.span.clone(),
                        format!("component `{comp}` follows its latest release instead of a pinned version"),
                    ));
                }
            }
        }
    }
}
