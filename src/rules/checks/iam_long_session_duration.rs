//! An IAM role whose `max_session_duration` exceeds one hour: a stolen session stays valid
//! for up to 12 hours.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, at_value, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for (_, r) in a.resources("aws_iam_role") {
        let Some(v) = r.body.get("max_session_duration") else { continue };
        let Some(secs) = v.as_f64() else { continue };
        if secs > 3600.0 {
            let hours = secs / 3600.0;
            let shown = if hours.fract() == 0.0 { format!("{} hours", hours as i64) } else { format!("{hours:.1} hours") };
            push(out, at_value(&fs, rule, v, None, format!("role `{}` allows sessions of {shown} ({} s)", r.address, secs as i64)));
        }
    }
}
