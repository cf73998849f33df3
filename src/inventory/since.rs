//! `inventory --since <ref>`: the facts of the repository at a git ref, read with read-only git
//! plumbing (`ls-tree`, `cat-file --batch`: no checkout, no hook, no filter, nothing of the
//! repository is executed), and the trust edges added or widened since then.

use super::model::{Inventory, TrustEntry};
use crate::config::Config;
use crate::engine::{Engine, ScanError};
use crate::facts::{self, Facts};
use crate::source::SourceFile;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false", "--no-pager"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    c
}

fn git_out(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = git(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// Could this path hold facts (Terraform, Kubernetes, CI)? Content decides for YAML/JSON.
fn candidate(path: &str) -> bool {
    let l = path.to_lowercase();
    [".tf", ".tf.json", ".hcl", ".yml", ".yaml", ".json"]
        .iter()
        .any(|e| l.ends_with(e))
}

/// Facts of the files under `root` as they were at `rev`, and the files of that tree that
/// could not be analysed (an internal error names the file, the other files still count).
pub fn facts_at(
    root: &Path,
    rev: &str,
    config: &Config,
) -> Result<(Facts, Vec<ScanError>), String> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(['\n', '\0']) {
        return Err(format!("invalid git ref `{rev}`"));
    }
    let top = String::from_utf8_lossy(&git_out(root, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let prefix = String::from_utf8_lossy(&git_out(root, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let top = Path::new(&top);
    let tree = format!("{rev}^{{tree}}");
    git_out(top, &["rev-parse", "--verify", "--quiet", &tree])
        .map_err(|_| format!("`{rev}` is not a git ref of this repository"))?;
    let mut args = vec!["ls-tree", "-r", "-z", "--name-only", rev];
    if !prefix.is_empty() {
        args.push("--");
        args.push(&prefix);
    }
    let listing = git_out(top, &args)?;
    let paths: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|p| p.starts_with(prefix.as_str()) && candidate(p))
        .map(str::to_string)
        .collect();
    let blobs = cat_files(top, rev, &paths, config.scan.max_file_size)?;
    let mut all = Facts::default();
    let mut errors = Vec::new();
    for (path, text) in blobs {
        let rel = path
            .strip_prefix(prefix.as_str())
            .unwrap_or(&path)
            .to_string();
        let analysed = crate::guard::catch(|| {
            let file = SourceFile::new(rel.as_str(), text);
            if !matches!(file.kind.target(), "terraform" | "kubernetes" | "ci") {
                return Facts::default();
            }
            let (parsed, _) = Engine::parse(&file);
            facts::extract(&file, &parsed, config)
        });
        match analysed {
            Ok(f) => all.extend(f),
            Err(p) => errors.push(ScanError {
                path: rel,
                line: None,
                message: p.message(&format!("while analysing this file as of `{rev}`")),
            }),
        }
    }
    all.sort();
    Ok((all, errors))
}

/// Read blobs `rev:path` through one `git cat-file --batch`.
fn cat_files(
    top: &Path,
    rev: &str,
    paths: &[String],
    max: u64,
) -> Result<Vec<(String, String)>, String> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = git(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut input = String::new();
    for p in paths {
        input.push_str(&format!("{rev}:{p}\n"));
    }
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .ok_or("git cat-file: no stdout")?
        .read_to_end(&mut out)
        .map_err(|e| format!("git cat-file: {e}"))?;
    let _ = writer.join();
    let _ = child.wait();
    let mut res = Vec::new();
    let mut pos = 0usize;
    for p in paths {
        let Some(nl) = out[pos..].iter().position(|b| *b == b'\n') else {
            break;
        };
        let header = String::from_utf8_lossy(&out[pos..pos + nl]).to_string();
        pos += nl + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        if parts.len() != 3 {
            continue; // `<obj> missing`
        }
        let size: usize = parts[2].parse().unwrap_or(0);
        let end = (pos + size).min(out.len());
        let body = &out[pos..end];
        pos = end + 1;
        if parts[1] != "blob" || size as u64 > max {
            continue;
        }
        if let Ok(t) = std::str::from_utf8(body) {
            res.push((p.clone(), t.to_string()));
        }
    }
    Ok(res)
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
    now.trust = trust;
    now.since = Some(since.to_string());
    now
}
