//! The demo repository: every `Real problem` comment is followed by a finding, every
//! `Near-miss` block stays quiet (a block runs from the comment to the next blank line).

use assert_cmd::Command;
use std::path::Path;

#[test]
fn demo_reports_real_problems_and_stays_quiet_on_near_misses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let out = Command::cargo_bin("nhilint")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    let findings: Vec<(String, u64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                // Paths are relative to the repository's top level.
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("testdata/demo/")
                    .to_string(),
                f["start_line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut checked = (0, 0);
    for entry in walk(&root) {
        let rel = entry
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&entry).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let is_near = l.contains("Near-miss");
            let is_real = l.contains("Real problem");
            if !is_near && !is_real {
                continue;
            }
            let start = i as u64 + 2;
            let end = lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| l.trim().is_empty())
                .map(|(j, _)| j as u64)
                .unwrap_or(lines.len() as u64);
            let inside: Vec<&(String, u64, String)> = findings
                .iter()
                .filter(|(p, ln, _)| *p == rel && *ln >= start && *ln <= end)
                .collect();
            if is_near {
                checked.0 += 1;
                if !inside.is_empty() {
                    problems.push(format!(
                        "{rel}:{start}-{end} near-miss reported: {inside:?}"
                    ));
                }
            } else {
                checked.1 += 1;
                if inside.is_empty() {
                    problems.push(format!("{rel}:{start}-{end} real problem not reported"));
                }
            }
        }
    }
    assert!(checked.0 >= 6 && checked.1 >= 4, "{checked:?}");
    assert!(
        problems.is_empty(),
        "{}\nall findings: {findings:#?}",
        problems.join("\n")
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}
