//! `--changed-since <ref>`: which files and lines changed since a git ref.
//!
//! The scan itself is always complete (facts that span files come from the whole repository);
//! this module only decides which findings to show afterwards. A finding is shown when its
//! primary location or one of its related locations touches a changed line.
//!
//! * The comparison is the working tree as scanned (the texts nhilint read) against the blobs of
//!   `ref`, line by line. A file that `ref` does not have (added since, or untracked and not
//!   ignored) counts as wholly changed; a file whose content matches a file that `ref` has and
//!   the working tree no longer has is a rename: only its changed lines count, so a pure move
//!   reports nothing new.
//! * A deletion counts as a change of the lines on both sides of it (deleting a condition can
//!   widen what the surrounding lines grant).
//! * git is only asked for the commit, the tree listing and blob contents (plumbing on the object
//!   database, see [`crate::git`]): it never reads the work tree or the index, so no clean
//!   filter, fsmonitor, hook, textconv or external diff of the repository can run.

use crate::finding::Finding;
use crate::git;
use crate::source::SourceFile;
use std::collections::HashMap;
use std::path::Path;

/// Changed line ranges per path (as in findings). `None` for a path: whole file.
pub type Changed = HashMap<String, Option<Vec<(u32, u32)>>>;

/// Most files compared pairwise for rename detection (added x deleted).
const RENAME_PAIRS: usize = 20_000;

/// The diff of the scanned `files` (paths relative to `root`) against `base`.
pub fn changed_lines(
    root: &Path,
    base: &str,
    files: &HashMap<String, SourceFile>,
    max: u64,
) -> Result<Changed, String> {
    if !git::valid_rev(base) {
        return Err(format!("--changed-since `{base}` is not a git ref"));
    }
    let Some(repo) = git::find_repo(root) else {
        return Err(format!(
            "--changed-since: {} is not inside a git repository",
            root.display()
        ));
    };
    let Some(commit) = git::resolve_commit(&repo, base)? else {
        return Err(format!(
            "--changed-since: `{base}` is not a commit in this repository"
        ));
    };
    let tree = git::ls_tree(&repo, &commit)?;
    let canon_root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let prefix = match canon_root.strip_prefix(&repo.top) {
        Ok(p) => p.to_string_lossy().replace('\\', "/"),
        Err(_) => return Err("--changed-since: the scan root is outside the repository".into()),
    };
    let to_repo = |p: &str| -> Option<String> {
        let joined = if prefix.is_empty() {
            p.to_string()
        } else {
            format!("{prefix}/{p}")
        };
        crate::terraform::eval::normalize(&joined)
    };
    let in_tree: HashMap<&str, &git::TreeEntry> =
        tree.iter().map(|e| (e.path.as_str(), e)).collect();

    let mut changed = Changed::new();
    let mut modified: Vec<(&str, &git::TreeEntry)> = Vec::new();
    let mut added: Vec<&str> = Vec::new();
    let mut present: std::collections::HashSet<String> = std::collections::HashSet::new();
    for path in files.keys() {
        let Some(rp) = to_repo(path) else { continue };
        match in_tree.get(rp.as_str()) {
            Some(e) if e.size <= max => modified.push((path, e)),
            Some(_) => {
                changed.insert(path.clone(), None);
            }
            None => added.push(path),
        }
        present.insert(rp);
    }
    // Rename sources: files of `ref` below the scan root that the working tree no longer has.
    let under = |p: &str| prefix.is_empty() || p.starts_with(&format!("{prefix}/"));
    let deleted: Vec<&git::TreeEntry> = if added.is_empty() {
        Vec::new()
    } else {
        tree.iter()
            .filter(|e| e.size <= max && under(&e.path) && !present.contains(&e.path))
            .filter(|e| std::fs::symlink_metadata(repo.top.join(&e.path)).is_err())
            .collect()
    };
    let deleted: Vec<&git::TreeEntry> = if added.len() * deleted.len() <= RENAME_PAIRS {
        deleted
    } else {
        Vec::new()
    };
    let mut oids: Vec<String> = modified.iter().map(|(_, e)| e.oid.clone()).collect();
    oids.extend(deleted.iter().map(|e| e.oid.clone()));
    oids.sort();
    oids.dedup();
    let blobs = git::cat_blobs(&repo, &oids)?;
    let text_of = |oid: &str| {
        blobs
            .get(oid)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };

    for (path, e) in modified {
        let new = &files[path].text;
        match text_of(&e.oid) {
            Some(old) => {
                let hunks = changed_ranges(&old, new);
                if !hunks.is_empty() {
                    changed.insert(path.to_string(), Some(hunks));
                }
            }
            None => {
                changed.insert(path.to_string(), None);
            }
        }
    }
    let old_texts: Vec<String> = deleted
        .iter()
        .map(|e| text_of(&e.oid).unwrap_or_default())
        .collect();
    let old_counts: Vec<HashMap<&str, u32>> = old_texts.iter().map(|t| line_counts(t)).collect();
    for path in added {
        let new = &files[path].text;
        let new_counts = line_counts(new);
        let best = old_texts
            .iter()
            .zip(&old_counts)
            // The shared lines, in any order, bound the similarity: a cheap filter first.
            .filter(|(_, oc)| similarity_bound(oc, &new_counts) >= 0.5)
            .map(|(old, _)| {
                let d = LineDiff::new(old, new);
                (d.similarity(), d)
            })
            .filter(|(s, _)| *s >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        changed.insert(path.to_string(), best.map(|(_, d)| d.new_ranges()));
    }
    Ok(changed)
}

fn line_counts(t: &str) -> HashMap<&str, u32> {
    let mut m = HashMap::new();
    for l in t.lines() {
        *m.entry(l).or_insert(0) += 1;
    }
    m
}

/// 2 * (lines shared as a multiset) / (total lines): at least the similarity of any diff.
fn similarity_bound(a: &HashMap<&str, u32>, b: &HashMap<&str, u32>) -> f64 {
    let (na, nb): (u32, u32) = (a.values().sum(), b.values().sum());
    if na + nb == 0 {
        return 1.0;
    }
    let common: u32 = a
        .iter()
        .map(|(l, n)| (*n).min(b.get(l).copied().unwrap_or(0)))
        .sum();
    2.0 * common as f64 / (na + nb) as f64
}

/// Changed line ranges (1-based, inclusive) of `new` against `old`, like `git diff -U0`.
pub fn changed_ranges(old: &str, new: &str) -> Vec<(u32, u32)> {
    LineDiff::new(old, new).new_ranges()
}

/// A line diff: hunks as (old start, old len, new start, new len), 0-based.
struct LineDiff {
    old_len: usize,
    new_len: usize,
    hunks: Vec<(usize, usize, usize, usize)>,
}

/// Largest edit distance searched exactly; beyond it the differing middle is one hunk.
const MAX_D: usize = 2000;

impl LineDiff {
    fn new<'a>(old: &'a str, new: &'a str) -> LineDiff {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut intern = |t: &'a str| -> Vec<u32> {
            t.lines()
                .map(|l| {
                    let n = ids.len() as u32;
                    *ids.entry(l).or_insert(n)
                })
                .collect()
        };
        let (a, b) = (intern(old), intern(new));
        let hunks = diff_ids(&a, &b);
        LineDiff {
            old_len: a.len(),
            new_len: b.len(),
            hunks,
        }
    }

    /// Share of lines kept: 2 * common / (old + new).
    fn similarity(&self) -> f64 {
        let total = self.old_len + self.new_len;
        if total == 0 {
            return 1.0;
        }
        let removed: usize = self.hunks.iter().map(|h| h.1).sum();
        let common = self.old_len - removed;
        2.0 * common as f64 / total as f64
    }

    fn new_ranges(&self) -> Vec<(u32, u32)> {
        self.hunks
            .iter()
            .map(|&(_, _, b, blen)| {
                let (b, blen) = (b as u32, blen as u32);
                if blen > 0 {
                    (b + 1, b + blen)
                } else {
                    // Pure deletion after new line `b`: the lines around the gap.
                    (b.max(1), b + 1)
                }
            })
            .collect()
    }
}

/// Hunks between two line-id sequences: common prefix and suffix, then Myers on the middle.
fn diff_ids(a: &[u32], b: &[u32]) -> Vec<(usize, usize, usize, usize)> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    if am.is_empty() && bm.is_empty() {
        return Vec::new();
    }
    let matches = myers(am, bm, MAX_D).unwrap_or_default();
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in matches
        .into_iter()
        .chain(std::iter::once((am.len(), bm.len())))
    {
        if mi > i || mj > j {
            hunks.push((pre + i, mi - i, pre + j, mj - j));
        }
        i = mi + 1;
        j = mj + 1;
    }
    hunks
}

/// Matching index pairs of a shortest edit script (Myers 1986), or `None` past `max_d` edits.
fn myers(a: &[u32], b: &[u32], max_d: usize) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max.min(max_d) as isize {
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]);
            let mut x = if down {
                v[(off + k + 1) as usize]
            } else {
                v[(off + k - 1) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        if d == 0 {
            while x > 0 && y > 0 {
                out.push(((x - 1) as usize, (y - 1) as usize));
                x -= 1;
                y -= 1;
            }
            break;
        }
        let vp = &trace[d as usize];
        let at = |k: isize| vp[(k + d) as usize];
        let k = x - y;
        let down = k == -d || (k != d && at(k - 1) < at(k + 1));
        let pk = if down { k + 1 } else { k - 1 };
        let px = at(pk);
        let py = px - pk;
        while x > px && y > py {
            out.push(((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        x = px;
        y = py;
    }
    out.reverse();
    out
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
    fn line_ranges_like_git() {
        assert_eq!(changed_ranges("a\nb\nc\n", "a\nb\nc\n"), vec![]);
        // insertion, modification, deletion (the lines around the gap)
        assert_eq!(changed_ranges("a\nb\nc\n", "a\nx\nb\nc\n"), vec![(2, 2)]);
        assert_eq!(changed_ranges("a\nb\nc\n", "a\nB\nc\n"), vec![(2, 2)]);
        assert_eq!(changed_ranges("a\nb\nc\n", "a\nc\n"), vec![(1, 2)]);
        assert_eq!(changed_ranges("a\nb\n", "b\n"), vec![(1, 1)]);
        assert_eq!(
            changed_ranges("1\n2\n3\n4\n5\n6\n", "1\nx\n3\n4\n6\ny\n"),
            vec![(2, 2), (4, 5), (6, 6)]
        );
        // CRLF against LF is no change.
        assert_eq!(changed_ranges("a\nb\n", "a\r\nb\r\n"), vec![]);
        let d = LineDiff::new("a\nb\nc\nd\n", "a\nb\nc\nz\n");
        assert!((d.similarity() - 0.75).abs() < 1e-9);
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
}
