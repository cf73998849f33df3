//! Credentials written literally in provider blocks (`access_key`/`secret_key`, `credentials`,
//! `client_secret`, `token`, …). The value is never shown, only a redacted form.

use crate::context::ProjectCx;
use crate::facts::terraform::{PROVIDER_SECRET_ATTRS, is_literal_here};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "provider") {
        for (p, attr) in PROVIDER_SECRET_ATTRS {
            if r.rtype != *p {
                continue;
            }
            let Some(v) = r.body.get(attr) else { continue };
            if !is_literal_here(v, r) {
                continue;
            }
            let Some(s) = v.str() else { continue };
            // `credentials = "path/to/key.json"` names a file, not a secret.
            if *attr == "credentials" && !s.trim_start().starts_with('{') {
                continue;
            }
            let f = finding(&fs, rule, &v.at, format!("provider `{}` has a literal `{attr}` ({})", r.rtype, crate::redact::redact(s)));
            push(out, f.map(|f| f.with_mask(v.at.span.clone()).with_fp_key(format!("provider.{}.{attr}", r.rtype))));
        }
    }
}
