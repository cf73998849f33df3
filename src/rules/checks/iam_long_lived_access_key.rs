//! Long-lived keys created by Terraform: `aws_iam_access_key` and
//! `google_service_account_key` never expire and their secret lands in the state file.

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::report::{Files, finding, push};

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "resource") {
        let msg = match r.rtype.as_str() {
            "aws_iam_access_key" => {
                if r.body.get("status").and_then(|s| s.known_str()) == Some("Inactive") {
                    continue;
                }
                let user = r.body.get("user").map(user_name).unwrap_or_default();
                let stored = if crate::terraform::cfn::lowered(r) { "can be read from the stack with `Fn::GetAtt`" } else { "is stored in Terraform state" };
                format!("`{}` creates a static access key for IAM user `{user}`: it never expires and its secret {stored}", r.full_address())
            }
            "google_service_account_key" => {
                let sa = r.body.get("service_account_id").map(|u| u.display()).unwrap_or_default();
                let uploaded = r.body.get("public_key_data").is_some();
                if uploaded {
                    format!("`{}` registers a user-managed key for service account `{sa}`: it never expires", r.full_address())
                } else {
                    format!("`{}` creates a service account key for `{sa}`: it never expires and the private key is stored in Terraform state", r.full_address())
                }
            }
            _ => continue,
        };
        push(out, finding(&fs, rule, &r.label_at, msg));
    }
}

/// The user a key belongs to: a reference to a user's name (`aws_iam_user.ci.name`, or the
/// `!Ref User` of a template) names the user resource (`aws_iam_user.ci`, `User`); a literal
/// name is shown as written.
fn user_name(v: &crate::terraform::eval::Val) -> String {
    match v.unknown_text() {
        Some(t) if t.starts_with("aws_iam_user.") => {
            t.strip_suffix(".name").unwrap_or(t).to_string()
        }
        _ => v.display(),
    }
}
