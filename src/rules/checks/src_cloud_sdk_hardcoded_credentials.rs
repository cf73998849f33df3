//! Hard-coded credentials passed to cloud SDKs (boto3, AWS SDK for JS/Go/Java, Azure identity,
//! Google auth), found through the syntax tree so comments and environment look-ups never count.

use crate::context::FileCx;
use crate::facts::code::{emit, finding, sdk_credentials, sdk_prefilter};
use crate::lang::code;
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if code::Lang::of(cx.file).is_none() || !sdk_prefilter(cx.file) {
        return;
    }
    let Some(t) = code::parse(cx.file) else {
        return;
    };
    for c in sdk_credentials(&t) {
        let msg = format!(
            "hard-coded {} `{}` passed to {}",
            c.what, c.redacted, c.target
        );
        let _ = c.value_len;
        emit(out, finding(rule, cx.file, c.span, msg, true));
    }
}
