//! Writes to `$GITHUB_ENV` / `$GITHUB_PATH` of text an outsider chooses: every later step of the
//! job starts with that environment (`LD_PRELOAD`, `NODE_OPTIONS`, `BASH_ENV`) or that `PATH`,
//! so the writer decides what code runs next, next to the job's secrets and token.

use crate::ci::gha::{PRIVILEGED_TRIGGERS, Workflow, job_holdings, untrusted_expr, untrusted_step_output};
use crate::ci::{Script, expressions, text_or_empty};
use crate::engine::FileCx;
use crate::finding::{Confidence, Finding, Severity};
use crate::rules::Rule;
use std::collections::HashSet;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let privileged = w.has_trigger(PRIVILEGED_TRIGGERS);
        for job in &w.jobs {
            let held = job_holdings(cx.file, &w, job);
            // Environment variables that carry untrusted text.
            let mut tainted: HashSet<String> = HashSet::new();
            let mut taint = |n: Option<&crate::lang::Node>| {
                for e in n.map(|n| n.entries()).unwrap_or(&[]) {
                    let t = text_or_empty(&e.value);
                    if expressions(&t)
                        .iter()
                        .any(|(_, x)| untrusted_expr(x) || untrusted_step_output(job, x))
                    {
                        tainted.insert(e.key.clone());
                    }
                }
            };
            taint(w.env);
            taint(job.env);
            let base = tainted.clone();
            for s in &job.steps {
                let Some(run) = s.run else { continue };
                let Some(script) = Script::of(cx.file, run) else {
                    continue;
                };
                let mut vars = base.clone();
                for e in s.env.map(|n| n.entries()).unwrap_or(&[]) {
                    let t = text_or_empty(&e.value);
                    if expressions(&t)
                        .iter()
                        .any(|(_, x)| untrusted_expr(x) || untrusted_step_output(job, x))
                    {
                        vars.insert(e.key.clone());
                    }
                }
                let mut off = 0;
                for line in script.text.split_inclusive('\n') {
                    let start = off;
                    off += line.len();
                    let target = if line.contains("GITHUB_ENV") {
                        "GITHUB_ENV"
                    } else if line.contains("GITHUB_PATH") {
                        "GITHUB_PATH"
                    } else {
                        continue;
                    };
                    if !(line.contains('>') || line.contains("tee")) {
                        continue;
                    }
                    let expr = expressions(line)
                        .into_iter()
                        .find(|(_, x)| untrusted_expr(x) || untrusted_step_output(job, x))
                        .map(|(_, x)| format!("`${{{{ {x} }}}}`"));
                    let var = vars
                        .iter()
                        .find(|v| line.contains(&format!("${v}")) || line.contains(&format!("${{{v}}}")))
                        .map(|v| format!("`${v}` (set from an outsider-controlled expression)"));
                    // On privileged triggers, content read from files or commands may come from
                    // a pull request's artifacts or checkout.
                    let dynamic = privileged.is_some()
                        && (line.contains("$(") || line.contains('`') || line.trim_start().starts_with("cat "));
                    let (what, conf) = match (expr, var) {
                        (Some(e), _) => (e, Confidence::High),
                        (None, Some(v)) => (v, Confidence::High),
                        (None, None) if dynamic => (
                            format!("command output on `{}`", privileged.map(|t| t.name.as_str()).unwrap_or("")),
                            Confidence::Low,
                        ),
                        _ => continue,
                    };
                    let trimmed = line.trim_end();
                    let lead = trimmed.len() - trimmed.trim_start().len();
                    let sev = if held.is_empty() { Severity::Medium } else { rule.severity };
                    out.push(
                        rule.finding(
                            cx.file,
                            script.span(start + lead..start + trimmed.len()),
                            format!("job `{}` writes {what} to `${target}`, which sets the environment of every later step", job.id),
                        )
                        .with_severity(sev)
                        .with_confidence(conf)
                        .with_fp_key(format!("{}:{target}:{}", job.id, trimmed.trim())),
                    );
                }
            }
        }
    }
}
