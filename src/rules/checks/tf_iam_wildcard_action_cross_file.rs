//! The project-wide companion of `iam-wildcard-action`: wildcard actions whose value is only
//! known with other files of the scan (a module argument, a tfvars file, a variable declared in
//! a sibling file). Reported where the `*` is written, with the uses as related locations.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::Files;

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    super::iam_wildcard_action::run(&a, &fs, rule, out, true);
}
