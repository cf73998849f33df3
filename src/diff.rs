//! `--changed-since <ref>`: which files and lines changed since a git ref.
//!
//! The scan itself is always complete (facts that span files come from the whole repository);
//! this module only decides which findings to show afterwards. A finding is shown when its
//! primary location or one of its related locations touches a changed line.
//!
//! * The diff is the working tree (staged and unstaged) against `ref`, with rename detection:
//!   a renamed file counts by its new path and only its changed lines count, so a pure move
//!   reports nothing new. Untracked files (not ignored) count as wholly changed.
//! * A deletion counts as a change of the lines on both sides of it (deleting a condition can
//!   widen what the surrounding lines grant).
//! * Paths are relative to the scan root, like findings: git runs in the scan root with
//!   `--relative`, so a scan root below the repository's top level works, and changes outside
//!   the scan root are ignored.
//! * User configuration cannot change the output we parse: prefixes, external diff drivers,
//!   textconv, colour and path quoting are all fixed on the command line, and quoted paths are
//!   unquoted anyway. git only reads the repository; nothing from it is executed.

use crate::finding::Finding;
use std::collections::HashMap;
use std::path::Path;

/// Changed line ranges per path (relative to the scan root). `None` for a path: whole file.
pub type Changed = HashMap<String, Option<Vec<(u32, u32)>>>;

fn git(root: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.arg("-C")
        .arg(root)
        .args(["-c", "core.quotePath=false", "-c", "diff.noprefix=false"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_EXTERNAL_DIFF")
        .env("GIT_PAGER", "cat")
        .stdin(std::process::Stdio::null());
    c
}

/// Ask git (read-only) for the diff against `base`.
pub fn changed_lines(root: &Path, base: &str) -> Result<Changed, String> {
    if base.is_empty() || base.starts_with('-') {
        return Err(format!("--changed-since `{base}` is not a git ref"));
    }
    // Resolve the ref first for a clear error message.
    let rev = git(root)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{base}^{{commit}}"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !rev.status.success() {
        let inside = git(root)
            .args(["rev-parse", "--is-inside-work-tree"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        return Err(if inside {
            format!("--changed-since: `{base}` is not a commit in this repository")
        } else {
            format!(
                "--changed-since: {} is not inside a git repository",
                root.display()
            )
        });
    }
    let commit = String::from_utf8_lossy(&rev.stdout).trim().to_string();
    let out = git(root)
        .args([
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--unified=0",
            "--find-renames",
            "--relative",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            &commit,
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
    let mut changed = parse_diff(&String::from_utf8_lossy(&out.stdout));
    // Untracked files count as wholly changed (NUL-separated: no quoting).
    if let Ok(o) = git(root)
        .args(["ls-files", "-z", "--others", "--exclude-standard"])
        .output()
        && o.status.success()
    {
        for l in o.stdout.split(|&b| b == 0) {
            if !l.is_empty() {
                changed.insert(String::from_utf8_lossy(l).into_owned(), None);
            }
        }
    }
    Ok(changed)
}

/// Parse `git diff --unified=0` output into changed ranges of the new side.
pub fn parse_diff(diff: &str) -> Changed {
    let mut changed: Changed = HashMap::new();
    let mut cur: Option<String> = None;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            cur = None;
        } else if let Some(p) = line.strip_prefix("rename to ") {
            // A rename without content change has no `+++` line: the file is known, no lines.
            let p = unquote(p);
            changed.entry(p.clone()).or_insert_with(|| Some(Vec::new()));
            cur = Some(p);
        } else if let Some(p) = line.strip_prefix("+++ ") {
            let p = unquote(p);
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
            let range = if len > 0 {
                (start, start + len - 1)
            } else {
                // Pure deletion after line `start`: the lines around the gap.
                (start.max(1), start + 1)
            };
            if let Some(Some(v)) = changed.get_mut(c) {
                v.push(range);
            }
        }
    }
    changed
}

/// Undo git's C-style quoting of a path (`"a/r\303\251gion.tf"`); unquoted text is returned as is.
pub fn unquote(s: &str) -> String {
    let s = s.trim_end_matches('\t');
    let Some(inner) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) else {
        return s.to_string();
    };
    let b = inner.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let c = b[i + 1];
            let simple = match c {
                b'a' => Some(7),
                b'b' => Some(8),
                b't' => Some(b'\t'),
                b'n' => Some(b'\n'),
                b'v' => Some(11),
                b'f' => Some(12),
                b'r' => Some(b'\r'),
                b'"' => Some(b'"'),
                b'\\' => Some(b'\\'),
                _ => None,
            };
            if let Some(v) = simple {
                out.push(v);
                i += 2;
                continue;
            }
            if i + 3 < b.len() && b[i + 1..i + 4].iter().all(|d| (b'0'..=b'7').contains(d)) {
                let v = (b[i + 1] - b'0') as u32 * 64
                    + (b[i + 2] - b'0') as u32 * 8
                    + (b[i + 3] - b'0') as u32;
                out.push(v as u8);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn touches(changed: &Changed, path: &str, start: u32, end: u32) -> bool {
    match changed.get(path) {
        None => false,
        Some(None) => true,
        Some(Some(ranges)) => ranges
            .iter()
            .any(|(a, b)| start <= *b && end.max(start) >= *a),
    }
}

/// Is the finding (or one of its related locations) on a changed line?
pub fn is_changed(changed: &Changed, f: &Finding) -> bool {
    touches(changed, &f.path, f.start_line, f.end_line)
        || f.related.iter().any(|r| {
            touches(
                changed,
                &r.path,
                r.start_line,
                r.end_line.unwrap_or(r.start_line),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hunks_renames_and_quoted_paths() {
        let diff = "\
diff --git a/a.tf b/a.tf
index 1..2 100644
--- a/a.tf
+++ b/a.tf
@@ -3 +3,2 @@ x
@@ -10,2 +11,0 @@ y
diff --git a/old.tf b/new.tf
similarity index 100%
rename from old.tf
rename to new.tf
diff --git a/x.tf b/moved/x.tf
similarity index 80%
rename from x.tf
rename to moved/x.tf
--- a/x.tf
+++ b/moved/x.tf
@@ -1 +1 @@
diff --git \"a/r\\303\\251gion.tf\" \"b/r\\303\\251gion.tf\"
--- \"a/r\\303\\251gion.tf\"
+++ \"b/r\\303\\251gion.tf\"
@@ -0,0 +1,4 @@
diff --git a/gone.tf b/gone.tf
deleted file mode 100644
--- a/gone.tf
+++ /dev/null
@@ -1,3 +0,0 @@
";
        let c = parse_diff(diff);
        assert_eq!(c["a.tf"], Some(vec![(3, 4), (11, 12)]));
        assert_eq!(c["new.tf"], Some(vec![]));
        assert_eq!(c["moved/x.tf"], Some(vec![(1, 1)]));
        assert_eq!(c["région.tf"], Some(vec![(1, 4)]));
        assert!(!c.contains_key("gone.tf"));
        assert!(!c.contains_key("x.tf"));
    }

    #[test]
    fn related_locations_count() {
        use crate::finding::Related;
        let mut changed = Changed::new();
        changed.insert("ci.yml".into(), Some(vec![(7, 7)]));
        changed.insert("new.tf".into(), None);
        let rule = crate::rules::RuleSet::build(&crate::config::Config::default(), &[], &[]);
        let Some(r) = rule.rules.first() else { return };
        let file = crate::source::SourceFile::new("iam.tf", "a\nb\n");
        let f = r.finding(&file, 0..1, "m");
        assert!(!is_changed(&changed, &f));
        let rel = |path: &str, line| Related {
            path: path.into(),
            start_line: line,
            start_column: None,
            end_line: None,
            end_column: None,
            message: "r".into(),
        };
        assert!(is_changed(
            &changed,
            &f.clone().with_related(rel("ci.yml", 7))
        ));
        assert!(!is_changed(
            &changed,
            &f.clone().with_related(rel("ci.yml", 8))
        ));
        assert!(is_changed(&changed, &f.with_related(rel("new.tf", 99))));
    }

    #[test]
    fn unquotes() {
        assert_eq!(unquote("plain.tf"), "plain.tf");
        assert_eq!(unquote("\"a\\tb\\\"c\\\\\""), "a\tb\"c\\");
        assert_eq!(unquote("\"\\303\\251\""), "é");
    }
}
