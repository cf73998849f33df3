//! An IAM user with both a console login profile and access keys: one identity used by a
//! person (console) and by machines (keys).

use crate::context::ProjectCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::terraform::analysis::{Analysis, Res};
use crate::terraform::report::{Files, finding, push, related};

fn users_of<'a>(a: &'a Analysis, rtype: &'a str) -> Vec<(&'a Res, &'a Res)> {
    a.resources(rtype)
        .filter_map(|(_, r)| {
            let u = r.body.get("user")?;
            let user = crate::facts::terraform::identity_res(a, r.inst, u, "aws_iam_user")?;
            Some((user, r))
        })
        .collect()
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    let logins = users_of(&a, "aws_iam_user_login_profile");
    let keys = users_of(&a, "aws_iam_access_key");
    for (user, login) in &logins {
        let Some((_, key)) = keys.iter().find(|(u, _)| std::ptr::eq(*u, *user)) else {
            continue;
        };
        let f = finding(&fs, rule, &user.label_at, format!("IAM user `{}` has both a console login profile and access keys", user.full_address()));
        let f = f.map(|f| {
            let mut f = f;
            if let Some(r) = related(&fs, &login.label_at, "console login profile") {
                f = f.with_related(r);
            }
            if let Some(r) = related(&fs, &key.label_at, "access key") {
                f = f.with_related(r);
            }
            f
        });
        push(out, f);
    }
}
