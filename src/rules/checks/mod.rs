//! Named checks, one file per rule (`<rule_id with underscores>.rs`), registered by build.rs.
//! A check file defines `pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>)`
//! and/or `pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>)`.

#![allow(clippy::module_inception)]

include!(concat!(env!("OUT_DIR"), "/checks.rs"));
