//! `inventory --since <ref>`: the facts of the repository at a git ref, read with read-only git
//! plumbing (`ls-tree`, `cat-file --batch`: no checkout, no hook, no filter, nothing of the
//! repository is executed), and the trust edges added or widened since then.

use super::model::{Inventory, TrustEntry};
use crate::config::Config;
use crate::engine::Engine;
use crate::facts::Facts;
use crate::finding::ScanError;
use crate::git;
use crate::rules::RuleSet;
use std::path::{Path, PathBuf};

/// The old tree, written into a fresh private directory (removed when dropped).
struct OldTree(PathBuf);

impl Drop for OldTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Is `rel` a plain relative path (no empty, `.`, `..` or `.git` component, not absolute)?
fn plain_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && rel
            .split('/')
            .all(|c| !matches!(c, "" | "." | "..") && !c.eq_ignore_ascii_case(".git"))
}

/// Write `files` (path relative to the tree, bytes) into a new directory only this process can
/// read. Only regular files and folders are created, each new (`create_new`), inside a folder
/// made for this call, so nothing of the repository can redirect a write.
fn write_tree<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<OldTree, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("nhilint-since-{}-{nanos:09}", std::process::id()));
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(&dir)
        .map_err(|e| format!("cannot create a folder for the old tree: {e}"))?;
    let tree = OldTree(dir);
    for (rel, bytes) in files {
        let path = tree.0.join(rel);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
            })
            .and_then(|mut f| std::io::Write::write_all(&mut f, bytes));
        written.map_err(|e| format!("cannot write the old tree ({rel}): {e}"))?;
    }
    Ok(tree)
}

/// Facts of the files under `root` as they were at `rev`, and the files of that tree that
/// could not be analysed (an internal error names the file, the other files still count).
///
/// The old tree is read with git plumbing (`ls-tree`, `cat-file --batch`: no checkout, no
/// hook, no filter), written as plain files into a private temporary folder and scanned there
/// like the working tree (no rule active): variables from sibling files and tfvars, module
/// arguments, Helm charts with their subcharts and extra renderings, and Kustomize overlays
/// resolve the same way on both sides, so an edge is reported as changed only when what it
/// admits changed.
pub fn facts_at(
    root: &Path,
    rev: &str,
    config: &Config,
) -> Result<(Facts, Vec<ScanError>), String> {
    if !git::valid_rev(rev) {
        return Err(format!("invalid git ref `{rev}`"));
    }
    let repo = git::find_repo(root)
        .ok_or_else(|| format!("{} is not inside a git repository", root.display()))?;
    let canon = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let prefix = match canon.strip_prefix(&repo.top) {
        Ok(p) if p.as_os_str().is_empty() => String::new(),
        Ok(p) => format!("{}/", p.to_string_lossy().replace('\\', "/")),
        Err(_) => return Err(format!("{} is outside its repository", root.display())),
    };
    let commit = git::resolve_commit(&repo, rev)?
        .ok_or_else(|| format!("`{rev}` is not a git ref of this repository"))?;
    let entries: Vec<git::TreeEntry> = git::ls_tree(&repo, &commit)?
        .into_iter()
        .filter(|e| e.path.starts_with(prefix.as_str()))
        .filter(|e| e.size <= config.scan.max_file_size)
        .collect();
    let oids: Vec<String> = entries.iter().map(|e| e.oid.clone()).collect();
    let contents = git::cat_blobs(&repo, &oids)?;
    let mut errors = Vec::new();
    let files = entries.iter().filter_map(|e| {
        let rel = &e.path[prefix.len()..];
        if !plain_rel(rel) {
            errors.push(ScanError {
                path: rel.to_string(),
                line: None,
                message: format!("as of `{rev}`: not read (the path is not a plain relative path)"),
            });
            return None;
        }
        Some((rel, contents.get(&e.oid)?.as_slice()))
    });
    let tree = write_tree(files)?;
    drop(contents);
    let walk = crate::walk::collect(&tree.0, std::slice::from_ref(&tree.0), config, 1);
    let engine = Engine::new(config.clone(), RuleSet { rules: Vec::new() });
    let report = engine.scan_files(&tree.0, walk.inputs, None);
    let shown = tree.0.to_string_lossy().to_string();
    errors.extend(
        walk.errors
            .iter()
            .chain(report.errors.iter())
            .map(|e| ScanError {
                path: e.path.clone(),
                line: e.line,
                message: format!("as of `{rev}`: {}", e.message.replace(&shown, rev)),
            }),
    );
    Ok((report.facts, errors))
}

fn sub_values(t: &TrustEntry) -> Vec<String> {
    let mut v: Vec<String> = t
        .conditions
        .iter()
        .flat_map(|c| {
            c.values
                .iter()
                .map(move |x| format!("{}|{}|{x}", c.operator, c.key))
        })
        .collect();
    v.sort();
    v
}

/// Does `now` admit something `before` did not?
pub fn widened(before: &TrustEntry, now: &TrustEntry) -> bool {
    if now.breadth > before.breadth || now.principal != before.principal {
        return true;
    }
    if now.admits.iter().any(|a| !before.admits.contains(a)) {
        return true;
    }
    let b = sub_values(before);
    let n = sub_values(now);
    // A condition removed lets more in; a value added to a condition admits a new subject.
    let removed_key = before.conditions.iter().any(|c| {
        !now.conditions
            .iter()
            .any(|d| d.key == c.key && d.operator == c.operator)
    });
    if removed_key {
        return true;
    }
    if n.iter().any(|x| !b.contains(x)) {
        return true;
    }
    now.consumers
        .iter()
        .any(|c| !before.consumers.iter().any(|d| d.usage == c.usage))
}

fn fallback_key(t: &TrustEntry) -> (String, String, String) {
    let ident = t
        .identity
        .rsplit('#')
        .next()
        .unwrap_or(&t.identity)
        .to_string();
    (ident, t.kind.clone(), t.principal.clone())
}

/// The inventory restricted to trust edges added or widened between `before` and `now`.
pub fn changes(mut now: Inventory, before: &Inventory, since: &str) -> Inventory {
    let mut trust = Vec::new();
    for t in now.trust.drain(..) {
        let old = before.trust.iter().find(|b| b.id == t.id).or_else(|| {
            before
                .trust
                .iter()
                .find(|b| fallback_key(b) == fallback_key(&t))
        });
        match old {
            None => trust.push(TrustEntry {
                change: Some("added".into()),
                ..t
            }),
            Some(b) if widened(b, &t) => {
                let mut prev = b.clone();
                prev.before = None;
                trust.push(TrustEntry {
                    change: Some("widened".into()),
                    before: Some(Box::new(prev)),
                    ..t
                })
            }
            Some(_) => {}
        }
    }
    let idents: std::collections::BTreeSet<String> =
        trust.iter().map(|t| t.identity.clone()).collect();
    now.identities.retain(|i| idents.contains(&i.id));
    now.grants.retain(|g| {
        idents.contains(&g.identity)
            || now
                .identities
                .iter()
                .any(|i| i.refs.get("tf_address") == Some(&g.identity))
    });
    now.usages
        .retain(|u| u.identity.as_ref().is_some_and(|i| idents.contains(i)));
    now.credentials.clear();
    // App-to-app edges are not compared across refs yet.
    now.calls.clear();
    now.trust = trust;
    now.since = Some(since.to_string());
    now
}

#[cfg(test)]
mod tests {
    use super::{plain_rel, write_tree};

    #[test]
    fn only_plain_relative_paths_are_written() {
        for ok in ["main.tf", "infra/a/b.tf", "charts/x/.helmignore", "a..b/c"] {
            assert!(plain_rel(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/x",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/.",
            ".git/config",
            "x/.GIT/h",
            "a\\b",
        ] {
            assert!(!plain_rel(bad), "{bad}");
        }
    }

    #[test]
    fn the_old_tree_is_private_and_removed_when_dropped() {
        let tree = write_tree([("a/b.tf", &b"x"[..]), ("c.yaml", &b"y"[..])]).unwrap();
        let dir = tree.0.clone();
        assert_eq!(std::fs::read(dir.join("a/b.tf")).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
        // The same path twice is refused (every file is created new).
        assert!(write_tree([("a", &b""[..]), ("a", &b""[..])]).is_err());
        drop(tree);
        assert!(!dir.exists());
    }
}
