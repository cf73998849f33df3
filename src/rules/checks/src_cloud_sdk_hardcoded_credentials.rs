//! Hard-coded credentials passed to cloud SDKs (boto3, AWS SDK for JS/Go/Java, Azure identity,
//! Google auth), found through the syntax tree so comments and environment look-ups never count.

use crate::context::FileCx;
use crate::facts::code::{SDK_KEYWORDS, emit, finding, gate, sdk_credentials};
use crate::finding::Finding;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Some(t) = gate(cx.file, SDK_KEYWORDS) else {
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
