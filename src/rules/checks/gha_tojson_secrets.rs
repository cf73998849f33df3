//! `toJSON(secrets)`: the whole secrets context (every repository, environment and
//! organisation secret the workflow can see) handed to one step.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::rules::Rule;
use regex::Regex;
use std::sync::OnceLock;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"(?i)\btojson\s*\(\s*secrets\s*\)").expect("regex"));
    let text = &cx.file.text;
    if !text.contains("ecrets") {
        return;
    }
    for m in re.find_iter(text) {
        let (line, _) = cx.file.line_col(m.start());
        if cx.file.line_text(line).trim_start().starts_with('#') {
            continue;
        }
        out.push(rule.finding(
            cx.file,
            m.start()..m.end(),
            "`toJSON(secrets)` exposes every secret of the repository to this step",
        ));
    }
}
