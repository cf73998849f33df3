//! Credentials interpolated by Groovy into an `sh "…${SECRET}…"` GString: Groovy pastes the
//! value into the command text before the shell runs, so it reaches the process arguments and
//! the shell's trace, and Jenkins warns "A secret was passed to sh using Groovy String
//! interpolation, which is insecure".

use crate::ci::jenkins;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for s in jenkins::scoped_sh_steps(&cx.file.text, cx.file.kind) {
        for (span, name) in &s.interpolations {
            let Some((_, id)) = s.creds.iter().find(|(v, _)| v == name) else {
                continue;
            };
            out.push(
                rule.finding(
                    cx.file,
                    span.clone(),
                    format!(
                        "credential `{name}` (id `{id}`) is interpolated by Groovy into an `sh` command line"
                    ),
                )
                .with_fp_key(format!("{name}:{}", s.sh.at.start)),
            );
        }
    }
}
