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
use crate::walk::Input;
use std::path::{Path, PathBuf};

/// Could this path hold facts (Terraform and its variable files, Kubernetes, Helm charts and
/// their helpers, CloudFormation, CI)? Content decides for YAML/JSON.
fn candidate(path: &str) -> bool {
    let l = path.to_lowercase();
    [
        ".tf",
        ".tf.json",
        ".tfvars",
        ".tfvars.json",
        ".hcl",
        ".yml",
        ".yaml",
        ".json",
        ".tpl",
    ]
    .iter()
    .any(|e| l.ends_with(e))
        || l.rsplit('/').next() == Some(".helmignore")
}

/// Facts of the files under `root` as they were at `rev`, and the files of that tree that
/// could not be analysed (an internal error names the file, the other files still count).
///
/// The old tree goes through the same pipeline as the current one (a scan of its files held in
/// memory, with no rule active): variables from sibling files and tfvars, module arguments,
/// rendered Helm charts and Kustomize overlays resolve the same way on both sides, so an edge
/// is reported as changed only when what it admits changed.
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
        .filter(|e| e.path.starts_with(prefix.as_str()) && candidate(&e.path))
        .filter(|e| e.size <= config.scan.max_file_size)
        .collect();
    let oids: Vec<String> = entries.iter().map(|e| e.oid.clone()).collect();
    let contents = git::cat_blobs(&repo, &oids)?;
    let inputs: Vec<Input> = entries
        .iter()
        .filter_map(|e| {
            let crate::decode::Decoded::Text(t, _) =
                crate::decode::decode(contents.get(&e.oid)?.clone())
            else {
                return None;
            };
            let rel = e
                .path
                .strip_prefix(prefix.as_str())
                .unwrap_or(&e.path)
                .to_string();
            // Held in memory; the path names no file on disk (nothing is read from the
            // working tree for the old side).
            Some(Input {
                abs: PathBuf::from(format!("\0{rev}/{rel}")),
                rel,
                text: Some(t),
            })
        })
        .collect();
    let engine = Engine::new(config.clone(), RuleSet { rules: Vec::new() });
    // An empty root: the Terraform analysis reads no module of the working tree.
    let report = engine.scan_files(Path::new(""), inputs, None);
    let errors = report
        .errors
        .iter()
        .map(|e| ScanError {
            path: e.path.clone(),
            line: e.line,
            message: format!("as of `{rev}`: {}", e.message),
        })
        .collect();
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
