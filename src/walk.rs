//! Walking: our own walk (so that nothing in the tree can block it), honouring `.gitignore`,
//! `.ignore`, `.nhilintignore`, `.git/info/exclude` and config excludes; hidden folders scanned
//! but never `.git`; symlinks never followed inside a tree; FIFOs, sockets and devices never
//! opened; unreadable folders, oversized files and file names that are not UTF-8 reported.
//!
//! Every path is relative to one root (see [`path_root`]): the git top level containing the scan
//! paths, else the current directory, so that a file has the same name whatever is scanned.

use crate::config::Config;
use crate::finding::ScanError;
use crate::source::SourceFile;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::Override;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Input {
    pub abs: PathBuf,
    /// Relative to the path root, forward slashes; bytes that are not UTF-8 escaped as `\xNN`.
    pub rel: String,
    /// Text already in memory (stdin, editor buffer).
    pub text: Option<String>,
}

pub enum Read {
    Text(SourceFile),
    Skip(String),
    Error(String),
}

/// What a walk found.
#[derive(Default)]
pub struct Collected {
    /// Sorted by path.
    pub inputs: Vec<Input>,
    /// Symlinks, FIFOs, sockets and devices met while walking (never read).
    pub skipped: usize,
    /// Folders that could not be read, names that are not UTF-8, special files given as paths.
    pub errors: Vec<ScanError>,
}

/// Largest ignore file read.
const IGNORE_FILE_MAX: u64 = 1024 * 1024;

/// The root of every output path for a scan of `paths`: the top level of the git repository
/// containing all of them (found by reading `.git`, never by running git); else the current
/// directory when they are all inside it; else the deepest folder containing all of them (so
/// `nhilint check /elsewhere/dir` names files relative to that folder, as before). Canonical.
pub fn path_root(paths: &[PathBuf]) -> PathBuf {
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .unwrap_or_else(|_| PathBuf::from("."));
    let given: Vec<PathBuf> = if paths.is_empty() {
        vec![cwd.clone()]
    } else {
        paths.to_vec()
    };
    // Where each argument is: a folder (a symlinked one followed), else the folder holding it
    // (a symlinked file is named where it is, not where it points).
    let canon: Vec<PathBuf> = given
        .iter()
        .filter_map(|p| {
            if std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
                std::fs::canonicalize(p).ok()
            } else {
                let parent = p.parent().filter(|x| !x.as_os_str().is_empty());
                std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()
            }
        })
        .collect();
    let mut top: Option<PathBuf> = None;
    let mut same_repo = !canon.is_empty();
    for c in &canon {
        match crate::git::find_repo(c) {
            Some(r) if top.as_ref().is_none_or(|t| *t == r.top) => top = Some(r.top),
            _ => same_repo = false,
        }
    }
    if same_repo && let Some(t) = top {
        return t;
    }
    if canon.iter().all(|c| c.starts_with(&cwd)) {
        return cwd;
    }
    let mut common = canon[0].clone();
    while !canon.iter().all(|c| c.starts_with(&common)) {
        if !common.pop() {
            return cwd;
        }
    }
    common
}

/// A path as text: forward slashes, bytes that are not UTF-8 as `\xNN` (two different names
/// never give the same text through lossy decoding). The flag is false when bytes were escaped.
pub fn path_text(p: &Path) -> (String, bool) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = p.as_os_str().as_bytes();
        if let Ok(s) = std::str::from_utf8(bytes) {
            return (s.to_string(), true);
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        (out, false)
    }
    #[cfg(not(unix))]
    {
        let s = p.to_string_lossy();
        let ok = matches!(s, std::borrow::Cow::Borrowed(_));
        (s.replace('\\', "/"), ok)
    }
}

/// `a/./b/../c` → `a/c` (lexical; `..` kept when it climbs above the start).
fn normalize_lexically(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How a file is named in the output: relative to the root, else under the path as given.
struct Namer {
    root: PathBuf,
    /// The argument as typed (normalised) and its canonical form.
    given: PathBuf,
    canon: PathBuf,
}

impl Namer {
    fn name(&self, abs: &Path) -> (String, bool) {
        let rel = match abs.strip_prefix(&self.root) {
            Ok(r) => r.to_path_buf(),
            Err(_) => match abs.strip_prefix(&self.canon) {
                Ok(r) if r.as_os_str().is_empty() => self.given.clone(),
                Ok(r) => self.given.join(r),
                Err(_) => abs.to_path_buf(),
            },
        };
        let (s, ok) = path_text(&rel);
        (s.strip_prefix("./").map(str::to_string).unwrap_or(s), ok)
    }
}

/// Gitignore-syntax lines of a small regular file (`None` if absent, special or too large).
fn ignore_file(dir: &Path, name: &str) -> Option<Gitignore> {
    ignore_file_at(&dir.join(name), dir)
}

/// Gitignore-syntax lines of `path`, relative to `base`.
fn ignore_file_at(path: &Path, dir: &Path) -> Option<Gitignore> {
    let path = path.to_path_buf();
    let text = crate::fsafe::read_regular(&path, IGNORE_FILE_MAX).ok()?;
    let text = String::from_utf8_lossy(&text);
    let mut b = GitignoreBuilder::new(dir);
    for line in text.lines() {
        let _ = b.add_line(Some(path.clone()), line);
    }
    b.build().ok().filter(|g| !g.is_empty())
}

/// The ignore files of one folder.
#[derive(Default)]
struct Level {
    custom: Option<Gitignore>,
    ignore: Option<Gitignore>,
    git: Option<Gitignore>,
}

impl Level {
    fn read(dir: &Path) -> Option<Arc<Level>> {
        let l = Level {
            custom: ignore_file(dir, ".nhilintignore"),
            ignore: ignore_file(dir, ".ignore"),
            git: ignore_file(dir, ".gitignore"),
        };
        if l.custom.is_none() && l.ignore.is_none() && l.git.is_none() {
            None
        } else {
            Some(Arc::new(l))
        }
    }
}

/// Ignore rules in force: config excludes, then per folder (deepest first) `.nhilintignore`,
/// `.ignore`, `.gitignore`, then the repository's `info/exclude` (the precedence of ripgrep).
struct Rules {
    overrides: Override,
    exclude: Option<Gitignore>,
}

impl Rules {
    fn new(root: &Path, config: &Config) -> Rules {
        let base = config
            .base_dir()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .filter(|d| d.starts_with(root) || root.starts_with(d))
            .unwrap_or_else(|| root.to_path_buf());
        let mut ob = ignore::overrides::OverrideBuilder::new(&base);
        for e in &config.scan.exclude {
            let _ = ob.add(&format!("!{e}"));
        }
        let overrides = ob.build().unwrap_or_else(|_| Override::empty());
        // Patterns of info/exclude are relative to the work tree's top level.
        let exclude = crate::git::find_repo(root)
            .and_then(|r| ignore_file_at(&r.common_dir.join("info/exclude"), &r.top));
        Rules { overrides, exclude }
    }

    fn ignored(&self, levels: &[Arc<Level>], path: &Path, is_dir: bool) -> bool {
        match self.overrides.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
        let pick = |f: &dyn Fn(&Level) -> Option<&Gitignore>| -> Match<()> {
            for l in levels.iter().rev() {
                if let Some(g) = f(l) {
                    match g.matched(path, is_dir) {
                        Match::None => {}
                        Match::Ignore(_) => return Match::Ignore(()),
                        Match::Whitelist(_) => return Match::Whitelist(()),
                    }
                }
            }
            Match::None
        };
        for m in [
            pick(&|l| l.custom.as_ref()),
            pick(&|l| l.ignore.as_ref()),
            pick(&|l| l.git.as_ref()),
        ] {
            match m {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        self.exclude
            .as_ref()
            .is_some_and(|g| g.matched(path, is_dir).is_ignore())
    }
}

/// The files of a scan, named relative to `root`. Directories are walked; explicit files are
/// taken as given (pre-commit) but still honour config excludes and the root's `.nhilintignore`.
/// Symlinked arguments are followed; inside a tree, symlinks are not.
pub fn collect(root: &Path, paths: &[PathBuf], config: &Config, _threads: usize) -> Collected {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let rules = Rules::new(&root, config);
    let root_level: Vec<Arc<Level>> = Level::read(&root).into_iter().collect();
    let mut c = Collected::default();
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![root.clone()]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        let Ok(canon) = std::fs::canonicalize(p) else {
            let (name, _) = path_text(p);
            c.errors.push(err(name, "no such file or directory"));
            continue;
        };
        let namer = Namer {
            root: root.clone(),
            given: normalize_lexically(p),
            canon: canon.clone(),
        };
        let meta = match std::fs::metadata(&canon) {
            Ok(m) => m,
            Err(e) => {
                c.errors
                    .push(err(namer.name(&canon).0, format!("cannot read: {e}")));
                continue;
            }
        };
        if meta.is_dir() {
            walk_dir(&root, &canon, &namer, &rules, &mut c);
            continue;
        }
        let (rel, utf8) = namer.name(&canon);
        if !meta.is_file() {
            c.skipped += 1;
            c.errors.push(err(
                rel,
                format!(
                    "not a regular file ({}); not read",
                    crate::fsafe::kind_name(&meta.file_type())
                ),
            ));
            continue;
        }
        let excluded = rules.overrides.matched(&canon, false).is_ignore()
            || root_level.iter().any(|l| {
                l.custom
                    .as_ref()
                    .is_some_and(|g| g.matched_path_or_any_parents(&canon, false).is_ignore())
            })
            || canon.components().any(|c| c.as_os_str() == ".git");
        if excluded {
            c.skipped += 1;
            continue;
        }
        if !utf8 {
            c.errors.push(not_utf8(&rel));
        }
        c.inputs.push(Input {
            abs: canon,
            rel,
            text: None,
        });
    }
    c.inputs
        .sort_by(|a, b| a.rel.cmp(&b.rel).then_with(|| a.abs.cmp(&b.abs)));
    let mut kept: Vec<Input> = Vec::with_capacity(c.inputs.len());
    for i in std::mem::take(&mut c.inputs) {
        match kept.last() {
            Some(k) if k.rel == i.rel && k.abs == i.abs => {}
            Some(k) if k.rel == i.rel => {
                c.skipped += 1;
                c.errors.push(err(
                    i.rel.clone(),
                    format!(
                        "another file has the same name once escaped ({}); this one is not read",
                        i.abs.display()
                    ),
                ))
            }
            _ => kept.push(i),
        }
    }
    c.inputs = kept;
    c.errors.sort();
    c.errors.dedup();
    c
}

fn err(path: String, message: impl Into<String>) -> ScanError {
    ScanError {
        path,
        line: None,
        message: message.into(),
    }
}

fn not_utf8(rel: &str) -> ScanError {
    err(
        rel.to_string(),
        "file name is not valid UTF-8 (bytes shown as \\xNN)",
    )
}

/// Ignore files of the folders from `root` (or the repository top) down to `dir`'s parent.
fn parent_levels(root: &Path, dir: &Path) -> Vec<Arc<Level>> {
    let stop = crate::git::find_repo(dir)
        .map(|r| r.top)
        .filter(|t| dir.starts_with(t))
        .or_else(|| dir.starts_with(root).then(|| root.to_path_buf()));
    let Some(stop) = stop else {
        return Vec::new();
    };
    let mut dirs: Vec<&Path> = dir
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(&stop))
        .collect();
    dirs.reverse();
    dirs.into_iter().filter_map(Level::read).collect()
}

fn walk_dir(root: &Path, dir: &Path, namer: &Namer, rules: &Rules, c: &mut Collected) {
    let mut stack: Vec<(PathBuf, Vec<Arc<Level>>)> = vec![(dir.to_path_buf(), {
        let mut l = parent_levels(root, dir);
        l.extend(Level::read(dir));
        l
    })];
    let mut found: Vec<(PathBuf, bool)> = Vec::new();
    while let Some((d, levels)) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) => {
                c.errors
                    .push(err(namer.name(&d).0, format!("cannot read directory: {e}")));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    c.errors
                        .push(err(namer.name(&d).0, format!("cannot read directory: {e}")));
                    break;
                }
            };
            if entry.file_name() == ".git" {
                continue;
            }
            let path = entry.path();
            let Ok(ft) = entry.file_type() else {
                c.errors
                    .push(err(namer.name(&path).0, "cannot read file type"));
                continue;
            };
            if ft.is_dir() {
                if !rules.ignored(&levels, &path, true) {
                    let mut l = levels.clone();
                    l.extend(Level::read(&path));
                    stack.push((path, l));
                }
            } else if ft.is_file() {
                if !rules.ignored(&levels, &path, false) {
                    found.push((path, true));
                }
            } else if !rules.ignored(&levels, &path, false) {
                // Symlinks, FIFOs, sockets, devices: never followed, never opened.
                c.skipped += 1;
            }
        }
    }
    for (abs, _) in found {
        let (rel, utf8) = namer.name(&abs);
        if !utf8 {
            c.errors.push(not_utf8(&rel));
        }
        c.inputs.push(Input {
            abs,
            rel,
            text: None,
        });
    }
}

/// Read one input: regular files only (never a FIFO, socket or device, never blocking), size
/// limit, then decoding (UTF-8, UTF-16, Windows-1252) or binary sniffing (see [`crate::decode`]).
pub fn read_input(inp: &Input, max: u64) -> Read {
    if let Some(t) = &inp.text {
        return Read::Text(SourceFile::new(inp.rel.clone(), t.as_str()));
    }
    let bytes = match crate::fsafe::read_regular_shared(&inp.abs, max) {
        Ok(b) => b,
        Err(crate::fsafe::ReadError::TooLarge(n)) => {
            return Read::Error(format!(
                "larger than max-file-size ({n} > {max} bytes); file skipped"
            ));
        }
        Err(crate::fsafe::ReadError::NotRegular(k)) => {
            return Read::Error(format!("not a regular file ({k}); not read"));
        }
        Err(crate::fsafe::ReadError::Io(e)) => return Read::Error(format!("cannot read: {e}")),
    };
    if crate::decode::is_plain_utf8(&bytes) {
        // SAFETY: the bytes were just checked to be UTF-8; `str` and `[u8]` have one layout.
        let text: std::sync::Arc<str> =
            unsafe { std::sync::Arc::from_raw(std::sync::Arc::into_raw(bytes) as *const str) };
        return Read::Text(SourceFile::new(inp.rel.clone(), text));
    }
    match crate::decode::decode(bytes.to_vec()) {
        crate::decode::Decoded::Text(s, _) => Read::Text(SourceFile::new(inp.rel.clone(), s)),
        crate::decode::Decoded::Binary(what) => Read::Skip(format!("binary ({what})")),
    }
}
