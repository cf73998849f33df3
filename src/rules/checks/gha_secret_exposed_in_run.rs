//! Secrets in `run:` scripts that are echoed, written to files, passed on command lines or
//! traced with `set -x`, found by parsing the script with tree-sitter-bash.

use crate::ci::gha::{Workflow, secret_keys, secretish_expr};
use crate::ci::{Script, bash, text_or_empty};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::lang::Node;
use crate::rules::Rule;
use std::collections::HashSet;

fn secret_vars(n: Option<&Node>, is_action: bool, into: &mut HashSet<String>) {
    into.extend(secret_keys(n, is_action));
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let mut wf_vars = HashSet::new();
        secret_vars(w.env, w.is_action, &mut wf_vars);
        for job in &w.jobs {
            let mut job_vars = wf_vars.clone();
            secret_vars(job.env, w.is_action, &mut job_vars);
            for s in &job.steps {
                let Some(run) = s.run else { continue };
                // A non-bash shell (pwsh, python, cmd) is not parsed; Windows runners default to
                // pwsh unless a shell is set on the step or in `defaults.run.shell`.
                let shell = s
                    .node
                    .get("shell")
                    .or_else(|| job.node.path("defaults.run.shell"))
                    .or_else(|| w.root.path("defaults.run.shell"))
                    .map(text_or_empty);
                let windows = job
                    .runs_on
                    .map(|r| cx.file.text.get(r.span.clone()).unwrap_or(""))
                    .is_some_and(|t| t.to_ascii_lowercase().contains("windows"));
                match shell {
                    Some(sh) if !(sh.starts_with("bash") || sh.starts_with("sh")) => continue,
                    None if windows => continue,
                    _ => {}
                }
                let Some(script) = Script::of(cx.file, run) else {
                    continue;
                };
                let mut vars = job_vars.clone();
                secret_vars(s.env, w.is_action, &mut vars);
                let is_action = w.is_action;
                let leaks = bash::analyze(&script, &|e| secretish_expr(e, is_action), &vars);
                for l in leaks {
                    let msg = l.message();
                    out.push(
                        rule.finding(cx.file, l.span, msg.clone())
                            .with_fp_key(format!("{}:{}", job.id, msg)),
                    );
                }
            }
        }
    }
}
