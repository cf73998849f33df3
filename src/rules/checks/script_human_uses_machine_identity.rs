//! Operator scripts in which a person acts as a machine identity: `gcloud auth
//! activate-service-account --key-file`, `az login --service-principal` with a password or
//! certificate, `GOOGLE_APPLICATION_CREDENTIALS` pointed at a key file, and `aws sts assume-role`
//! whose credentials are exported into the shell.

use crate::apptrust::scripts::{self, Command};
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::rules::Rule;

fn judge(c: &Command, exports_aws: bool) -> Option<(String, bool)> {
    if c.runs("gcloud", &["auth", "activate-service-account"]) && c.has("--key-file") {
        let sa = c
            .words
            .iter()
            .skip_while(|w| *w != "activate-service-account")
            .nth(1)
            .filter(|w| !w.starts_with('-'))
            .map(String::as_str)
            .unwrap_or("a service account");
        return Some((
            format!("`gcloud auth activate-service-account --key-file` makes this shell act as `{sa}` with its key"),
            true,
        ));
    }
    if c.runs("az", &["login"])
        && c.has("--service-principal")
        && (c.has("-p") || c.has("--password") || c.has("--certificate"))
    {
        return Some((
            "`az login --service-principal` with a secret makes this shell act as the service principal".into(),
            true,
        ));
    }
    if let Some(w) = c.words.iter().find(|w| {
        w.trim_start_matches("export ")
            .starts_with("GOOGLE_APPLICATION_CREDENTIALS=")
    }) {
        let v = w.split_once('=').map(|x| x.1).unwrap_or("");
        if v.ends_with(".json") && !v.contains("/run/secrets/") {
            return Some((
                format!("`GOOGLE_APPLICATION_CREDENTIALS={v}` makes every later command act as the key's service account"),
                true,
            ));
        }
    }
    if c.runs("aws", &["sts", "assume-role"]) && exports_aws {
        let role = c.flag(&["--role-arn"]).unwrap_or("a role");
        return Some((
            format!("`aws sts assume-role` exports the credentials of `{role}` into this shell"),
            false,
        ));
    }
    None
}

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let t = &cx.file.text;
    let exports_aws = t.contains("AWS_SESSION_TOKEN") || t.contains("aws configure set");
    for c in scripts::commands(t) {
        if let Some((msg, certain)) = judge(&c, exports_aws) {
            let f = rule.finding(cx.file, c.span.clone(), msg);
            out.push(if certain {
                f
            } else {
                f.with_confidence(Confidence::Low)
            });
        }
    }
}
