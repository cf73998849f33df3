//! `check --history [REV-RANGE]`: the secrets of past commits.
//!
//! The blobs that commits of the range added or changed are read from the object database with
//! git plumbing only ([`crate::git`]: `rev-list`, `diff-tree --stdin`, `cat-file --batch-check`
//! and `--batch`, safe options, a timeout per run; nothing of the repository is executed and the
//! work tree is never touched). Each blob is read and scanned once, under the oldest commit of
//! the range that introduced it; blobs of `HEAD`'s tree are left to the work-tree scan. Only the
//! secrets rules run on them. A finding's path is `<commit>:<path>` (12 hex digits of the
//! commit, git's own `rev:path` notation) and its message names the commit.
//!
//! The cost is bounded: blobs larger than `scan.max-file-size` are skipped, and at most
//! `NHILINT_HISTORY_MAX_BLOBS` blobs (default 200,000) of at most `NHILINT_HISTORY_MAX_BYTES`
//! bytes in all (default 2 GiB) are read; when a budget runs out the scan says so in its errors.

use crate::context::Report;
use crate::engine::Engine;
use crate::finding::ScanError;
use crate::git::{self, Repo};
use std::collections::{HashMap, HashSet};

/// Blobs read per `cat-file --batch` run, at most (their sizes summed).
const BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// A blob to scan: where it first appeared in the range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    pub commit: String,
    pub path: String,
    pub oid: String,
}

/// `rev-list` arguments for a range given on the command line (`None`: every ref).
pub fn range_args(range: Option<&str>) -> Result<Vec<String>, String> {
    match range {
        None => Ok(vec!["--all".to_string()]),
        Some(r) => {
            let parts: Vec<&str> = r.split_whitespace().collect();
            if parts.is_empty() || !parts.iter().all(|p| git::valid_rev(p)) {
                return Err(format!(
                    "--history `{r}`: not a revision range (such as `main`, `v1.0..HEAD`)"
                ));
            }
            Ok(parts.iter().map(|p| p.to_string()).collect())
        }
    }
}

/// Commits of the range, oldest first.
fn commits(repo: &Repo, args: &[String]) -> Result<Vec<String>, String> {
    let mut c = git::command(repo);
    c.args(["rev-list", "--reverse", "--topo-order"]);
    if args.iter().any(|a| a != "--all") {
        c.arg("--end-of-options");
    }
    c.args(args);
    let o = git::run(c, None)?;
    if !o.success {
        return Err(format!("git rev-list: {}", o.stderr));
    }
    Ok(String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// Parse `diff-tree --stdin -r -z -c --root --no-renames` output: for each commit id, the blobs
/// it added or modified (regular files only), first appearance kept. A merge commit's records are
/// combined (`::` then one mode and one id per parent, then the result's): they list only the
/// paths whose result differs from every parent, so a blob that the merge itself wrote (a
/// conflict resolution, an "evil merge") is found, and a blob merged in from a branch is not
/// listed again.
pub fn parse_diff_tree(out: &[u8], skip: &HashSet<String>) -> Vec<Blob> {
    let mut blobs = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut commit = String::new();
    let mut fields = out.split(|b| *b == 0);
    while let Some(f) = fields.next() {
        if f.is_empty() {
            continue;
        }
        let Some(rec) = f.strip_prefix(b":") else {
            commit = String::from_utf8_lossy(f).trim().to_string();
            continue;
        };
        let Some(path) = fields.next() else {
            break;
        };
        let rec = String::from_utf8_lossy(rec);
        // `:` once for a plain record, once more per extra parent of a merge.
        let parents = 1 + rec.bytes().take_while(|b| *b == b':').count();
        let p: Vec<&str> = rec.trim_start_matches(':').split(' ').collect();
        if p.len() != 2 * (parents + 1) + 1 {
            continue;
        }
        let (mode, oid, status) = (p[parents], p[2 * parents + 1], p[2 * parents + 2]);
        let added_or_changed = status.bytes().all(|c| matches!(c, b'A' | b'M'));
        if !matches!(mode, "100644" | "100755") || !added_or_changed {
            continue;
        }
        let Ok(path) = std::str::from_utf8(path) else {
            continue;
        };
        if commit.is_empty() || skip.contains(oid) || !seen.insert(oid.to_string()) {
            continue;
        }
        blobs.push(Blob {
            commit: commit.clone(),
            path: path.to_string(),
            oid: oid.to_string(),
        });
    }
    blobs
}

fn changed_blobs(
    repo: &Repo,
    commits: &[String],
    skip: &HashSet<String>,
) -> Result<Vec<Blob>, String> {
    if commits.is_empty() {
        return Ok(Vec::new());
    }
    let mut input = Vec::new();
    for c in commits {
        input.extend_from_slice(c.as_bytes());
        input.push(b'\n');
    }
    let mut c = git::command(repo);
    c.args([
        "diff-tree",
        "--stdin",
        "-r",
        "-z",
        "-c",
        "--root",
        "--no-renames",
    ]);
    let o = git::run(c, Some(input))?;
    if !o.success {
        return Err(format!("git diff-tree: {}", o.stderr));
    }
    Ok(parse_diff_tree(&o.stdout, skip))
}

/// Sizes of blobs (`cat-file --batch-check`).
fn sizes(repo: &Repo, oids: &[&str]) -> Result<HashMap<String, u64>, String> {
    let mut input = Vec::new();
    for o in oids {
        input.extend_from_slice(o.as_bytes());
        input.push(b'\n');
    }
    let mut c = git::command(repo);
    c.args(["cat-file", "--batch-check"]);
    let o = git::run(c, Some(input))?;
    if !o.success {
        return Err(format!("git cat-file: {}", o.stderr));
    }
    let mut out = HashMap::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        let p: Vec<&str> = l.split(' ').collect();
        if p.len() == 3
            && p[1] == "blob"
            && let Ok(n) = p[2].parse()
        {
            out.insert(p[0].to_string(), n);
        }
    }
    Ok(out)
}

/// The blobs of `HEAD`'s tree (the work-tree scan reports those).
fn head_blobs(repo: &Repo) -> HashSet<String> {
    match git::resolve_commit(repo, "HEAD") {
        Ok(Some(head)) => git::ls_tree(repo, &head)
            .map(|es| es.into_iter().map(|e| e.oid).collect())
            .unwrap_or_default(),
        _ => HashSet::new(),
    }
}

fn error(message: String) -> ScanError {
    ScanError {
        path: ".".into(),
        line: None,
        message,
    }
}

/// Scan the history of the repository holding `root` with `engine` (its rules: the secrets
/// rules) and add the findings, their sources and masks to `report`.
pub fn scan(
    engine: &Engine,
    root: &std::path::Path,
    range: Option<&str>,
    jobs: usize,
    report: &mut Report,
) -> Result<(), String> {
    let args = range_args(range)?;
    let repo = git::find_repo(root)
        .ok_or_else(|| format!("--history: {} is not in a git repository", root.display()))?;
    let commits = commits(&repo, &args)?;
    let skip = head_blobs(&repo);
    let mut blobs = changed_blobs(&repo, &commits, &skip)?;
    let max_blobs = crate::guard::budget_from_env("NHILINT_HISTORY_MAX_BLOBS", 200_000);
    let max_bytes = crate::guard::budget_from_env("NHILINT_HISTORY_MAX_BYTES", 2 << 30) as u64;
    if blobs.len() > max_blobs {
        report.errors.push(error(format!(
            "history budget exceeded: {} blobs changed in {} commits, only the first {max_blobs} were read (NHILINT_HISTORY_MAX_BLOBS)",
            blobs.len(),
            commits.len()
        )));
        blobs.truncate(max_blobs);
    }
    let oids: Vec<&str> = blobs.iter().map(|b| b.oid.as_str()).collect();
    let sizes = sizes(&repo, &oids)?;
    let max_file = engine.config.scan.max_file_size;
    let mut total = 0u64;
    let mut kept = Vec::new();
    let mut over_budget = false;
    for b in blobs {
        let Some(&n) = sizes.get(&b.oid) else {
            continue;
        };
        if n > max_file {
            report.stats.files_skipped += 1;
            continue;
        }
        if total + n > max_bytes {
            over_budget = true;
            break;
        }
        total += n;
        kept.push((b, n));
    }
    if over_budget {
        report.errors.push(error(format!(
            "history budget exceeded: {max_bytes} bytes of blobs read, the older rest was not (NHILINT_HISTORY_MAX_BYTES)"
        )));
    }
    // Read in batches of bounded size, scan each batch on `jobs` threads.
    let mut start = 0;
    while start < kept.len() {
        let mut end = start;
        let mut sum = 0;
        while end < kept.len() && (end == start || sum + kept[end].1 <= BATCH_BYTES) {
            sum += kept[end].1;
            end += 1;
        }
        let batch = &kept[start..end];
        let ids: Vec<String> = batch.iter().map(|(b, _)| b.oid.clone()).collect();
        let contents = git::cat_blobs(&repo, &ids)?;
        let texts: Vec<(&Blob, String)> = batch
            .iter()
            .filter_map(|(b, _)| {
                let bytes = contents.get(&b.oid)?.clone();
                match crate::decode::decode(bytes) {
                    crate::decode::Decoded::Text(s, _) => Some((b, s)),
                    crate::decode::Decoded::Binary(_) => None,
                }
            })
            .collect();
        report.stats.files_skipped += batch.len() - texts.len();
        scan_texts(engine, &texts, jobs.max(1), report);
        start = end;
    }
    Ok(())
}

/// The name a blob's findings carry: `<12 hex digits of the commit>:<path>`.
pub fn history_path(commit: &str, path: &str) -> String {
    format!("{}:{path}", &commit[..commit.len().min(12)])
}

fn scan_texts(engine: &Engine, texts: &[(&Blob, String)], jobs: usize, report: &mut Report) {
    let chunk = texts.len().div_ceil(jobs).max(1);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(b, text)| {
                            let r = crate::guard::catch(|| engine.check_text(&b.path, text));
                            (*b, text, r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (b, text, r) in results {
        report.stats.files_scanned += 1;
        let name = history_path(&b.commit, &b.path);
        let (findings, errors) = match r {
            Ok(x) => x,
            Err(p) => {
                report.errors.push(ScanError {
                    path: name,
                    line: None,
                    message: p.message("while scanning this blob"),
                });
                continue;
            }
        };
        for e in errors {
            report.errors.push(ScanError {
                path: name.clone(),
                ..e
            });
        }
        if findings.is_empty() {
            continue;
        }
        let short = &b.commit[..b.commit.len().min(12)];
        for mut f in findings {
            f.path = name.clone();
            f.message = format!("{} (in commit {short})", f.message);
            for r in &mut f.related {
                if r.path == b.path {
                    r.path = name.clone();
                }
            }
            report
                .masks
                .entry(name.clone())
                .or_default()
                .extend(f.mask.iter().cloned());
            report.findings.push(f);
        }
        report.sources.insert(
            name.clone(),
            crate::source::SourceFile::new(name.clone(), text.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_tree_records() {
        let out = b"c1\0:000000 100644 0000 aaa A\0a.env\0:000000 120000 0000 lnk A\0link\0\
c2\0:100644 100644 aaa bbb M\0a.env\0:100644 000000 bbb 0000 D\0gone\0:000000 100644 0000 aaa A\0copy.env\0:000000 100644 0000 ccc A\0head.txt\0";
        let skip: HashSet<String> = ["ccc".to_string()].into_iter().collect();
        let b = parse_diff_tree(out, &skip);
        let got: Vec<(&str, &str, &str)> = b
            .iter()
            .map(|b| (b.commit.as_str(), b.path.as_str(), b.oid.as_str()))
            .collect();
        assert_eq!(got, vec![("c1", "a.env", "aaa"), ("c2", "a.env", "bbb")]);
        // A merge's combined records: the result's mode and id come last.
        let out = b"m1\0::100644 100644 100644 aaa bbb ddd MM\0a.env\0::000000 000000 100644 0000 0000 eee AA\0evil.env\0::100644 100644 000000 aaa aaa 0000 DD\0gone\0";
        let b = parse_diff_tree(out, &HashSet::new());
        let got: Vec<(&str, &str)> = b
            .iter()
            .map(|b| (b.path.as_str(), b.oid.as_str()))
            .collect();
        assert_eq!(got, vec![("a.env", "ddd"), ("evil.env", "eee")]);
        assert!(range_args(Some("--output=x")).is_err());
        assert_eq!(range_args(Some("v1..HEAD")).unwrap(), vec!["v1..HEAD"]);
        assert_eq!(history_path("0123456789abcdef", "a/b"), "0123456789ab:a/b");
    }
}
