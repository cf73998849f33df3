//! `--changed-since <ref>`: which files and lines changed since a git ref.

use crate::finding::Finding;
use std::collections::HashMap;
use std::path::Path;

/// Changed line ranges per path (relative to the scan root). `None` for a path: whole file.
pub type Changed = HashMap<String, Option<Vec<(u32, u32)>>>;

/// Ask git (read-only) for the diff against `base`. Nothing from the repository is executed.
pub fn changed_lines(root: &Path, base: &str) -> Result<Changed, String> {
    if base.starts_with('-') {
        return Err(format!("--changed-since `{base}` is not a git ref"));
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "diff",
            "--no-ext-diff",
            "--no-color",
            "--unified=0",
            "--relative",
            base,
            "--",
        ])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git diff {base}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let mut changed: Changed = HashMap::new();
    let mut cur: Option<String> = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            cur = p.strip_prefix("b/").map(str::to_string);
            if let Some(c) = &cur {
                changed.entry(c.clone()).or_insert_with(|| Some(Vec::new()));
            }
        } else if let Some(h) = line.strip_prefix("@@ ") {
            let Some(c) = &cur else { continue };
            let plus = h
                .split_whitespace()
                .find(|t| t.starts_with('+'))
                .unwrap_or("+0");
            let mut it = plus[1..].split(',');
            let start: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let len: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            if len > 0
                && let Some(Some(v)) = changed.get_mut(c)
            {
                v.push((start, start + len - 1));
            }
        }
    }
    // Untracked files count as wholly changed.
    if let Ok(o) = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--others", "--exclude-standard"])
        .output()
    {
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            changed.insert(l.to_string(), None);
        }
    }
    Ok(changed)
}

pub fn is_changed(changed: &Changed, f: &Finding) -> bool {
    match changed.get(&f.path) {
        None => false,
        Some(None) => true,
        Some(Some(ranges)) => ranges
            .iter()
            .any(|(a, b)| f.start_line <= *b && f.end_line.max(f.start_line) >= *a),
    }
}
