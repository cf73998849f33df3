//! Writes to `$GITHUB_ENV` / `$GITHUB_PATH` of text an outsider chooses: every later step of the
//! job starts with that environment (`LD_PRELOAD`, `NODE_OPTIONS`, `BASH_ENV`) or that `PATH`,
//! so the writer decides what code runs next, next to the job's secrets and token.

use crate::ci::gha::{PRIVILEGED_TRIGGERS, Workflow, job_holdings, untrusted_expr, untrusted_step_output};
use crate::ci::{Script, expressions, text_or_empty};
use crate::context::FileCx;
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
            // Variables that earlier steps put into `$GITHUB_ENV` from outsider text (`hi`) or,
            // on privileged triggers, from command output or files (`lo`).
            let (mut job_hi, mut job_lo): (HashSet<String>, HashSet<String>) = Default::default();
            for s in &job.steps {
                let Some(run) = s.run else { continue };
                let Some(script) = Script::of(cx.file, run) else {
                    continue;
                };
                let mut vars = base.clone();
                vars.extend(job_hi.iter().cloned());
                let mut lo = job_lo.clone();
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
                    let uses = |set: &HashSet<String>| {
                        set.iter()
                            .find(|v| line.contains(&format!("${v}")) || line.contains(&format!("${{{v}}}")))
                            .cloned()
                    };
                    if let Some(name) = assigned_var(line) {
                        let from_cmd = privileged.is_some() && (line.contains("$(") || line.contains('`'));
                        if uses(&vars).is_some() {
                            vars.insert(name.to_string());
                        } else if from_cmd || uses(&lo).is_some() {
                            lo.insert(name.to_string());
                        }
                    }
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
                    let derived = uses(&lo);
                    let (what, conf) = match (expr, var) {
                        (Some(e), _) => (e, Confidence::High),
                        (None, Some(v)) => (v, Confidence::High),
                        (None, None) if dynamic => (
                            format!("command output on `{}`", privileged.map(|t| t.name.as_str()).unwrap_or("")),
                            Confidence::Low,
                        ),
                        (None, None) => match derived {
                            Some(v) => (
                                format!(
                                    "`${v}` (set from command output or a file on `{}`)",
                                    privileged.map(|t| t.name.as_str()).unwrap_or("")
                                ),
                                Confidence::Low,
                            ),
                            None => continue,
                        },
                    };
                    if target == "GITHUB_ENV"
                        && let Some(name) = env_file_name(line)
                    {
                        if conf == Confidence::High {
                            job_hi.insert(name.to_string());
                        } else {
                            job_lo.insert(name.to_string());
                        }
                    }
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

/// `NAME=…` (optionally after `export`/`local`/`declare`/`readonly`) at the start of a script line.
fn assigned_var(line: &str) -> Option<&str> {
    let mut t = line.trim_start();
    for kw in ["export ", "local ", "declare ", "readonly "] {
        if let Some(r) = t.strip_prefix(kw) {
            t = r.trim_start();
        }
    }
    let end = t.find('=')?;
    let name = &t[..end];
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    ok.then_some(name)
}

/// The variable a `$GITHUB_ENV` line defines: `echo "NAME=…" >> $GITHUB_ENV`.
fn env_file_name(line: &str) -> Option<&str> {
    let i = line.find("echo ")? + 5;
    let rest = line[i..].trim_start().trim_start_matches(['"', '\'']);
    let end = rest.find('=')?;
    let name = &rest[..end];
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_and_env_lines() {
        assert_eq!(assigned_var("  PR=$(cat .pr/N)"), Some("PR"));
        assert_eq!(assigned_var("export NS=\"pr${PR}\""), Some("NS"));
        assert_eq!(assigned_var("if [[ -z \"$PR\" ]]; then"), None);
        assert_eq!(env_file_name("echo \"PR_NUMBER=$PR\" >> $GITHUB_ENV"), Some("PR_NUMBER"));
        assert_eq!(env_file_name("echo $HOME/bin >> $GITHUB_PATH"), None);
    }
}
