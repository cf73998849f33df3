//! Credentials bound by `withCredentials` or `environment { X = credentials('id') }` that an
//! `sh` script echoes, writes to a file, passes on a command line or traces with `set -x`
//! (the shell analysis of `crate::ci::bash`, values derived from them included).

use crate::ci::{bash, jenkins};
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use std::collections::HashSet;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in jenkins::scoped_sh_steps(&cx.file.text, cx.file.kind) {
        let vars: HashSet<String> = s.creds.iter().map(|(v, _)| v.clone()).collect();
        if vars.is_empty() {
            continue;
        }
        for l in bash::analyze(&s.sh.script, &|_| false, &vars) {
            let msg = l.message();
            out.push(rule.finding(cx.file, l.span, msg.clone()).with_fp_key(msg));
        }
    }
}
