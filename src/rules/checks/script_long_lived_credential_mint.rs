//! Operator scripts that mint long-lived machine credentials: `aws iam create-access-key`,
//! `gcloud iam service-accounts keys create`, `az ad sp|app credential reset` and
//! `az ad sp create-for-rbac` with `--years` of 2 or more, `kubectl create token` with a
//! `--duration` over 24 hours.

use crate::apptrust::scripts::{self, Command};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

fn judge(c: &Command) -> Option<String> {
    if c.runs("aws", &["iam", "create-access-key"]) {
        let user = c.flag(&["--user-name"]).unwrap_or("the caller");
        return Some(format!(
            "`aws iam create-access-key` mints an access key for `{user}` that never expires"
        ));
    }
    if c.runs("gcloud", &["service-accounts", "keys", "create"]) {
        let sa = c.flag(&["--iam-account"]).unwrap_or("a service account");
        return Some(format!(
            "`gcloud iam service-accounts keys create` mints a key for `{sa}` that is valid until deleted (year 9999)"
        ));
    }
    let az_reset = c.runs("az", &["sp", "credential", "reset"])
        || c.runs("az", &["app", "credential", "reset"])
        || c.runs("az", &["sp", "create-for-rbac"]);
    if az_reset
        && let Some(y) = c.flag(&["--years"])
        && y.parse::<f64>().is_ok_and(|n| n >= 2.0)
    {
        return Some(format!(
            "`az ad` mints a client secret valid for {y} years"
        ));
    }
    if c.runs("kubectl", &["create", "token"])
        && let Some(d) = c.flag(&["--duration"])
        && scripts::hours(d).is_some_and(|h| h > 24.0)
    {
        let sa = c
            .words
            .iter()
            .skip_while(|w| *w != "token")
            .nth(1)
            .map(String::as_str)
            .unwrap_or("a ServiceAccount");
        return Some(format!(
            "`kubectl create token {sa} --duration {d}` mints a ServiceAccount token valid for more than a day"
        ));
    }
    None
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for c in scripts::commands(&cx.file.text) {
        if let Some(msg) = judge(&c) {
            out.push(rule.finding(cx.file, c.span.clone(), msg));
        }
    }
}
