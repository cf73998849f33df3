//! `CI_JOB_JWT`, `CI_JOB_JWT_V1`, `CI_JOB_JWT_V2`: the deprecated job tokens (removed in GitLab
//! 17.0) that every job received with a fixed audience.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use crate::source::FileKind;
use regex::Regex;
use std::sync::OnceLock;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    if cx.file.kind != FileKind::GitlabCi || !cx.file.text.contains("CI_JOB_JWT") {
        return;
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"\bCI_JOB_JWT(?:_V1|_V2)?\b").expect("regex"));
    for m in re.find_iter(&cx.file.text) {
        let (line, _) = cx.file.line_col(m.start());
        if cx.file.line_text(line).trim_start().starts_with('#') {
            continue;
        }
        out.push(rule.finding(
            cx.file,
            m.start()..m.end(),
            format!(
                "`{}` is a deprecated job token with a fixed audience, removed in GitLab 17.0",
                m.as_str()
            ),
        ));
    }
}
