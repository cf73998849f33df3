//! `sh` steps inside a credential scope (`withCredentials`, `environment { X = credentials() }`)
//! that run code the pipeline does not pin: a script downloaded and executed, or the
//! repository's own build (`make`, `npm install`, `pip install -r`, `./gradlew`). Whoever can
//! change that code (a Makefile edit, a hijacked download) reads the credential from the
//! environment: indirect poisoned pipeline execution.

use crate::ci::jenkins;
use crate::context::FileCx;
use crate::finding::{Confidence, Finding, Severity};
use crate::rules::Rule;

/// (pattern, what it runs, downloaded?)
const RUNNERS: &[(&str, &str, bool)] = &[
    ("| sh", "a downloaded script", true),
    ("| bash", "a downloaded script", true),
    ("curl -O", "a downloaded script", true),
    ("curl -Os", "a downloaded script", true),
    ("wget ", "a downloaded script", true),
    ("make", "the repository's Makefile", false),
    ("npm install", "the packages' install scripts", false),
    ("npm ci", "the packages' install scripts", false),
    ("yarn install", "the packages' install scripts", false),
    ("pip install", "the packages' setup code", false),
    ("pip3 install", "the packages' setup code", false),
    ("./gradlew", "the repository's Gradle build", false),
    ("mvn ", "the repository's Maven build", false),
    ("pytest", "the repository's tests", false),
    ("tox", "the repository's tests", false),
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in jenkins::scoped_sh_steps(&cx.file.text, cx.file.kind) {
        let sh = &s.sh;
        {
            let creds: Vec<&str> = s
                .creds
                .iter()
                .filter(|(v, _)| !v.ends_with("_PSW"))
                .map(|(v, _)| v.as_str())
                .collect();
            let Some(first) = creds.first() else { continue };
            let t = &sh.script.text;
            let words = |pat: &str| {
                t.lines().any(|l| {
                    let l = l.trim();
                    if pat == "make" {
                        l == "make" || l.starts_with("make ")
                    } else {
                        l.contains(pat)
                    }
                })
            };
            let Some((_, what, downloaded)) = RUNNERS.iter().find(|(pat, _, _)| words(pat)) else {
                continue;
            };
            let (sev, conf) = if *downloaded {
                (Severity::High, Confidence::High)
            } else {
                (rule.severity, Confidence::Medium)
            };
            out.push(
                rule.finding(
                    cx.file,
                    sh.at.clone(),
                    format!("credential `{first}` is in the environment of {what}, which the pipeline does not pin"),
                )
                .with_severity(sev)
                .with_confidence(conf)
                .with_fp_key(format!("{first}:{what}")),
            );
        }
    }
}
