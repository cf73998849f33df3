//! An Allow statement of an identity policy whose Action is `*` (or `service:*`), or that uses
//! `NotAction` (allows everything not listed). Every policy source goes through one IR; a
//! wildcard that arrives through a variable is reported where it is written.

use crate::context::FileCx;
use crate::terraform::Analysis;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::iam;
use crate::terraform::policy::Effect;
use crate::terraform::report::{Files, at_value, finding, holder, push, statements, unknown_note};

/// Per-file: the editor gets this rule as you type. Values from sibling files (variables.tf,
/// tfvars, module calls) stay unknown here; the project-wide rules resolve them.
pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind == crate::source::FileKind::TfVars {
        return;
    }
    let a = crate::terraform::analysis_of_file(cx.file, cx.parsed, cx.config);
    let fs = Files::one(cx.file, &a);
    run(&a, &fs, rule, out, false);
}

/// Did the value at byte `i` need another file to be known (a module argument, a tfvars file,
/// a variable of a sibling file)?
pub fn cross_file(v: &crate::terraform::eval::Val, i: Option<usize>) -> bool {
    let (at, via) = match i {
        Some(i) => v.origin_of(i),
        None => (v.at.clone(), v.via.clone()),
    };
    via.iter().any(|u| u.file != at.file)
}

/// Report wildcard actions; `cross_file_only` keeps those whose value came from another file
/// (the project-wide companion rule), the per-file rule keeps the others.
pub fn run(a: &Analysis, fs: &Files, rule: &Rule, out: &mut Vec<Finding>, cross_file_only: bool) {
    for (site, _, s) in statements(a) {
        if s.effect != Effect::Allow || s.has_principal() {
            continue;
        }
        let who = holder(a, site);
        for v in &s.actions {
            let Some(act) = v.str() else { continue };
            let i = act.find('*');
            if cross_file(v, i) != cross_file_only {
                continue;
            }
            if iam::is_all_actions(act) {
                let f = at_value(fs, rule, v, i, format!("{who} allows every action (`{act}`)"));
                push(out, f.map(|f| unknown_note(f, v.is_unknown(), "part of the action")));
            } else if iam::is_service_wildcard(act) {
                let svc = act.split(':').next().unwrap_or("");
                let sev = if matches!(svc, "iam" | "sts" | "organizations" | "kms" | "secretsmanager") {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let f = at_value(fs, rule, v, i, format!("{who} allows every `{svc}` action (`{act}`)"));
                push(out, f.map(|f| unknown_note(f.with_severity(sev.min(rule.severity)), v.is_unknown(), "the service")));
            }
        }
        if let Some(na) = &s.not_actions
            && !cross_file_only
        {
            let listed: Vec<String> = na.iter().map(|v| v.display()).collect();
            let at = na.first().map(|v| v.at.clone()).unwrap_or(s.at.clone());
            push(
                out,
                finding(fs, rule, &at, format!("{who} allows every action except {} (`NotAction` with `Allow`)", listed.join(", "))),
            );
        }
    }
}
