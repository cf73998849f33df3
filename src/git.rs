//! Git, read-only and inert: nothing a scanned repository holds is ever executed, and nothing it
//! holds can block a scan.
//!
//! * The repository is found without running git, by reading `.git` ourselves: a `.git` file and
//!   the `commondir` it leads to are read only when they are small regular files (a FIFO or
//!   `/dev/zero` there is refused, never opened).
//! * git itself is only run as plumbing on the object database (`rev-parse --verify`, `ls-tree`,
//!   `cat-file --batch`) with `--git-dir` given, so it never looks at the work tree or the index:
//!   no clean/smudge/process filter, no fsmonitor, no untracked cache, no textconv.
//! * Every hook, pager, external diff, credential helper, ssh command, askpass and lazy fetch is
//!   switched off on the command line (which beats the repository's `.git/config`), the system
//!   config is not read, and every run has a timeout after which git is killed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Largest `.git` file, `commondir` or `gitdir` link read.
const LINK_MAX: u64 = 4096;

/// A git repository found by reading `.git`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repo {
    /// The work tree's top level (holds `.git`).
    pub top: PathBuf,
    /// The `.git` directory (for a linked worktree: its private directory).
    pub git_dir: PathBuf,
    /// Where `config`, objects and refs live (`commondir` of a linked worktree, else `git_dir`).
    pub common_dir: PathBuf,
}

/// The repository containing `start` (a file or directory), walking up, without running git.
pub fn find_repo(start: &Path) -> Option<Repo> {
    let start = std::fs::canonicalize(start).ok()?;
    let start = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    for d in start.ancestors().take(256) {
        let dotgit = d.join(".git");
        let Ok(meta) = std::fs::symlink_metadata(&dotgit) else {
            continue;
        };
        let ft = meta.file_type();
        if ft.is_dir() || (ft.is_symlink() && dotgit.is_dir()) {
            return Some(Repo {
                top: d.to_path_buf(),
                git_dir: dotgit.clone(),
                common_dir: dotgit,
            });
        }
        if !ft.is_file() {
            // A FIFO, socket or device named `.git`: not a repository we will read.
            return None;
        }
        let text = crate::fsafe::read_small_text(&dotgit, LINK_MAX)?;
        let gitdir = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
        let gitdir = resolve(d, gitdir)?;
        if !gitdir.is_dir() {
            return None;
        }
        let common_file = gitdir.join("commondir");
        let common_dir = match std::fs::symlink_metadata(&common_file) {
            Err(_) => gitdir.clone(),
            Ok(_) => {
                let c = crate::fsafe::read_small_text(&common_file, LINK_MAX)?;
                let c = resolve(&gitdir, c.trim())?;
                if !c.is_dir() {
                    return None;
                }
                c
            }
        };
        return Some(Repo {
            top: d.to_path_buf(),
            git_dir: gitdir,
            common_dir,
        });
    }
    None
}

fn resolve(base: &Path, p: &str) -> Option<PathBuf> {
    if p.is_empty() || p.contains('\0') {
        return None;
    }
    let p = Path::new(p);
    Some(if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    })
}

/// How long one git run may take (`NHILINT_GIT_TIMEOUT` seconds, default 60).
pub fn timeout() -> Duration {
    let secs = std::env::var("NHILINT_GIT_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// Environment variables that redirect git or make it run programs: removed.
const ENV_REMOVED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_EXTERNAL_DIFF",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "SSH_ASKPASS",
    "GIT_TRACE",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
];

/// `-c` settings that switch off everything git could run, whatever the repository configures.
const CONFIG_OFF: &[&str] = &[
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.askPass=",
    "core.sshCommand=",
    "core.editor=true",
    "core.untrackedCache=false",
    "core.quotePath=false",
    "credential.helper=",
    "diff.external=",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
];

/// A git command on `repo`'s object database (no work tree).
pub fn command(repo: &Repo) -> Command {
    let mut c = Command::new("git");
    for k in ENV_REMOVED {
        c.env_remove(k);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("GIT_PAGER", "cat")
        .env("PAGER", "cat")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_ATTR_NOSYSTEM", "1")
        .env("LC_ALL", "C");
    c.arg("--no-pager")
        .arg("--no-replace-objects")
        .arg(format!("--git-dir={}", repo.git_dir.display()));
    for kv in CONFIG_OFF {
        c.args(["-c", kv]);
    }
    c.current_dir(&repo.top).stdin(Stdio::null());
    c
}

/// What a finished git run printed.
pub struct Output {
    pub success: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Run `cmd` with `input` on stdin, killing it after [`timeout`].
pub fn run(mut cmd: Command, input: Option<Vec<u8>>) -> Result<Output, String> {
    let limit = timeout();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot run git: {e}"))?;
    let writer = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => Some(std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })),
        _ => None,
    };
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut b);
        }
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.take(64 * 1024).read_to_end(&mut b);
        }
        b
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("git: {e}")),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if let Some(w) = writer {
        let _ = w.join();
    }
    match status {
        None => Err(format!(
            "git did not finish within {} s (killed)",
            limit.as_secs()
        )),
        Some(s) => Ok(Output {
            success: s.success(),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).trim().to_string(),
        }),
    }
}

/// Is `rev` safe to hand to git as a revision (not an option, no control characters)?
pub fn valid_rev(rev: &str) -> bool {
    !rev.is_empty() && !rev.starts_with('-') && !rev.chars().any(|c| c.is_control())
}

/// The commit `rev` names, as a full object id.
pub fn resolve_commit(repo: &Repo, rev: &str) -> Result<Option<String>, String> {
    let mut c = command(repo);
    c.args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"));
    let o = run(c, None)?;
    if !o.success {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&o.stdout).trim().to_string()))
}

/// One blob of a tree listing.
#[derive(Clone, Debug)]
pub struct TreeEntry {
    /// Relative to the repository top level, forward slashes.
    pub path: String,
    pub oid: String,
    pub size: u64,
}

/// Every regular-file blob of `commit`'s tree (`ls-tree -r -l -z`; symlinks and submodules are
/// left out). Paths that are not valid UTF-8 are left out too.
pub fn ls_tree(repo: &Repo, commit: &str) -> Result<Vec<TreeEntry>, String> {
    let mut c = command(repo);
    c.args(["ls-tree", "-r", "-l", "-z", "--full-tree", commit]);
    let o = run(c, None)?;
    if !o.success {
        return Err(format!("git ls-tree: {}", o.stderr));
    }
    let mut out = Vec::new();
    for rec in o.stdout.split(|b| *b == 0) {
        let Some(tab) = rec.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (Ok(head), Ok(path)) = (
            std::str::from_utf8(&rec[..tab]),
            std::str::from_utf8(&rec[tab + 1..]),
        ) else {
            continue;
        };
        let f: Vec<&str> = head.split_whitespace().collect();
        if f.len() != 4 || f[1] != "blob" || !(f[0] == "100644" || f[0] == "100755") {
            continue;
        }
        out.push(TreeEntry {
            path: path.to_string(),
            oid: f[2].to_string(),
            size: f[3].parse().unwrap_or(u64::MAX),
        });
    }
    Ok(out)
}

/// Raw contents of blobs by object id (`cat-file --batch`: no filter, no textconv). Missing
/// objects are left out of the result.
pub fn cat_blobs(
    repo: &Repo,
    oids: &[String],
) -> Result<std::collections::HashMap<String, Vec<u8>>, String> {
    let mut res = std::collections::HashMap::new();
    if oids.is_empty() {
        return Ok(res);
    }
    let mut input = Vec::new();
    for o in oids {
        input.extend_from_slice(o.as_bytes());
        input.push(b'\n');
    }
    let mut c = command(repo);
    c.args(["cat-file", "--batch"]);
    let o = run(c, Some(input))?;
    if !o.success {
        return Err(format!("git cat-file: {}", o.stderr));
    }
    let out = &o.stdout;
    let mut pos = 0usize;
    for oid in oids {
        let Some(nl) = out[pos..].iter().position(|b| *b == b'\n') else {
            break;
        };
        let header = String::from_utf8_lossy(&out[pos..pos + nl]).to_string();
        pos += nl + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        if parts.len() != 3 {
            continue; // `<oid> missing`
        }
        let size: usize = parts[2].parse().unwrap_or(0);
        let end = pos.saturating_add(size).min(out.len());
        if parts[1] == "blob" {
            res.insert(oid.clone(), out[pos..end].to_vec());
        }
        pos = (end + 1).min(out.len());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_repo(d: &Path) -> PathBuf {
        let g = d.join("main/.git");
        std::fs::create_dir_all(g.join("objects")).unwrap();
        std::fs::create_dir_all(g.join("refs")).unwrap();
        g
    }

    #[test]
    fn finds_plain_and_linked_repositories() {
        let d = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(d.path()).unwrap();
        let g = fake_repo(&base);
        std::fs::create_dir_all(base.join("main/sub/deep")).unwrap();
        let r = find_repo(&base.join("main/sub/deep")).unwrap();
        assert_eq!(r.top, base.join("main"));
        assert_eq!(r.common_dir, g);
        // A linked worktree: `.git` file -> private dir whose `commondir` leads back.
        let wtdir = g.join("worktrees/wt");
        std::fs::create_dir_all(&wtdir).unwrap();
        std::fs::write(wtdir.join("commondir"), "../..\n").unwrap();
        std::fs::create_dir_all(base.join("wt")).unwrap();
        std::fs::write(
            base.join("wt/.git"),
            format!("gitdir: {}\n", wtdir.display()),
        )
        .unwrap();
        let r = find_repo(&base.join("wt")).unwrap();
        assert_eq!(r.top, base.join("wt"));
        assert_eq!(r.git_dir, wtdir);
        assert_eq!(std::fs::canonicalize(&r.common_dir).unwrap(), g);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_fifo_and_device_links() {
        let d = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(d.path()).unwrap();
        let g = base.join("g");
        std::fs::create_dir_all(&g).unwrap();
        std::fs::write(base.join(".git"), "gitdir: g\n").unwrap();
        crate::fsafe::mkfifo(&g.join("commondir"));
        assert_eq!(find_repo(&base), None);
        std::fs::remove_file(g.join("commondir")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", g.join("commondir")).unwrap();
        assert_eq!(find_repo(&base), None);
        std::fs::remove_file(base.join(".git")).unwrap();
        crate::fsafe::mkfifo(&base.join(".git"));
        assert_eq!(find_repo(&base), None);
    }
}
