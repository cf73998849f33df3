//! CircleCI orbs referenced as `@volatile` (whatever is newest) or `@dev:<label>` (a mutable
//! development build): their code runs with the project's contexts and environment variables.

use crate::ci::others::circleci_orbs;
use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::CircleCi {
        return;
    }
    for root in cx.parsed.roots() {
        for (alias, r, n) in circleci_orbs(root) {
            let what = if r.ends_with("@volatile") {
                "`@volatile` (always the newest release)"
            } else if r.contains("@dev:") {
                "a mutable development version (`@dev:`)"
            } else if !r.contains('@') {
                "no version"
            } else {
                continue;
            };
            out.push(
                rule.finding(cx.file, n.span.clone(), format!("orb `{alias}` (`{r}`) is referenced with {what}"))
                    .with_fp_key(alias.to_string()),
            );
        }
    }
}
