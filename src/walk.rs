//! Walking: `ignore` in parallel (`.gitignore`, `.ignore`, `.nhilintignore`, config excludes),
//! hidden folders scanned but never `.git`, symlinks never followed, size limit, binary sniffing.

use crate::config::Config;
use crate::source::SourceFile;
use ignore::WalkState;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Clone, Debug)]
pub struct Input {
    pub abs: PathBuf,
    /// Relative to the scan root, forward slashes.
    pub rel: String,
    /// Text already in memory (stdin, editor buffer).
    pub text: Option<String>,
}

pub enum Read {
    Text(SourceFile),
    Skip(String),
    Error(String),
}

fn rel_path(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    let s = r.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Excludes from config and `.nhilintignore` at the root, for explicit file arguments.
fn exclude_matcher(root: &Path, config: &Config) -> Gitignore {
    let mut b = GitignoreBuilder::new(root);
    let _ = b.add(root.join(".nhilintignore"));
    for e in &config.scan.exclude {
        let _ = b.add_line(None, e);
    }
    b.build().unwrap_or_else(|_| Gitignore::empty())
}

/// The files of a scan. Directories are walked; explicit files are taken as given (pre-commit)
/// but still honour excludes. Returns the inputs sorted by path, and the number skipped.
pub fn collect(
    root: &Path,
    paths: &[PathBuf],
    config: &Config,
    threads: usize,
) -> (Vec<Input>, usize) {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let excludes = exclude_matcher(root, config);
    let mut out = Vec::new();
    let mut skipped = 0;
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![root.to_path_buf()]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        let meta = std::fs::symlink_metadata(p);
        match meta {
            Ok(m) if m.is_dir() => {
                let (mut ins, sk) = walk_dir(root, p, config, threads);
                out.append(&mut ins);
                skipped += sk;
            }
            Ok(m) => {
                // Explicit file: must resolve inside the root, and not be excluded.
                let canon = std::fs::canonicalize(p);
                let inside = canon
                    .as_ref()
                    .map(|c| c.starts_with(&canon_root))
                    .unwrap_or(false);
                let rel = rel_path(root, p);
                let excluded = excludes
                    .matched_path_or_any_parents(Path::new(&rel), false)
                    .is_ignore()
                    || rel.split('/').any(|c| c == ".git");
                if m.file_type().is_symlink() || !inside || excluded {
                    skipped += 1;
                    continue;
                }
                out.push(Input {
                    abs: p.clone(),
                    rel,
                    text: None,
                });
            }
            Err(_) => skipped += 1,
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.dedup_by(|a, b| a.rel == b.rel);
    (out, skipped)
}

fn walk_dir(root: &Path, dir: &Path, config: &Config, threads: usize) -> (Vec<Input>, usize) {
    let mut wb = ignore::WalkBuilder::new(dir);
    wb.hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .threads(threads.max(1))
        .add_custom_ignore_filename(".nhilintignore")
        .filter_entry(|e| e.file_name() != ".git");
    if !config.scan.exclude.is_empty() {
        let mut ob = ignore::overrides::OverrideBuilder::new(root);
        for e in &config.scan.exclude {
            let _ = ob.add(&format!("!{e}"));
        }
        if let Ok(o) = ob.build() {
            wb.overrides(o);
        }
    }
    let found = Mutex::new(Vec::new());
    let skipped = std::sync::atomic::AtomicUsize::new(0);
    wb.build_parallel().run(|| {
        let found = &found;
        let skipped = &skipped;
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    let ft = e.file_type();
                    if ft.is_some_and(|t| t.is_file()) {
                        let rel = rel_path(root, e.path());
                        found.lock().unwrap().push(Input {
                            abs: e.path().to_path_buf(),
                            rel,
                            text: None,
                        });
                    } else if ft.is_some_and(|t| t.is_symlink()) {
                        skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                Err(_) => {
                    skipped.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
            WalkState::Continue
        })
    });
    (found.into_inner().unwrap(), skipped.into_inner())
}

/// Read one input: size limit, binary sniffing (NUL in the first 8 KiB), UTF-8 check.
pub fn read_input(inp: &Input, max: u64) -> Read {
    if let Some(t) = &inp.text {
        return Read::Text(SourceFile::new(inp.rel.clone(), t.as_str()));
    }
    let meta = match std::fs::metadata(&inp.abs) {
        Ok(m) => m,
        Err(e) => return Read::Error(format!("cannot read: {e}")),
    };
    if meta.len() > max {
        return Read::Skip(format!("larger than {max} bytes"));
    }
    let bytes = match std::fs::read(&inp.abs) {
        Ok(b) => b,
        Err(e) => return Read::Error(format!("cannot read: {e}")),
    };
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Read::Skip("binary".into());
    }
    match String::from_utf8(bytes) {
        Ok(s) => Read::Text(SourceFile::new(inp.rel.clone(), s)),
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..off].iter().filter(|&&b| b == b'\n').count() + 1;
            Read::Error(format!(
                "not valid UTF-8 (line {line}, byte {off}); file skipped"
            ))
        }
    }
}
