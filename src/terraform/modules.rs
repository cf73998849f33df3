//! Community modules: registry and git `module` calls.
//!
//! After `terraform init`, `.terraform/modules/modules.json` names the directory each call was
//! installed in; those directories are read from disk (under the scan root, regular files
//! only, bounded) and evaluated like local modules. Without it, a *module card* stands in for
//! the module: `rules/modules/<id>.toml` holds a small Terraform module of our own that creates
//! what the real module creates from the same inputs (roles, trusts, attachments, keys), so
//! every rule reads a call `subjects = ["org/*"]` as the trust it produces. Cards are data:
//! adding one is adding a file (no table to edit). A finding on something the card itself
//! writes is reported at the module call.

use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// One module card.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleCard {
    pub id: String,
    pub title: String,
    /// Module sources the card stands for, registry (`ns/name/provider//sub`) or git
    /// (`github.com/owner/repo//sub`) form; any version.
    pub sources: Vec<String>,
    /// What the card models, which versions and what it leaves out.
    pub docs: String,
    /// The stand-in module (Terraform): variables are the module's inputs.
    pub module: String,
    #[serde(default)]
    pub examples: Vec<ModuleExample>,
    /// Set by the loader: `rules/modules/<id>.toml`.
    #[serde(skip)]
    pub path: String,
    #[serde(skip)]
    root: Option<crate::lang::Node>,
}

/// A module call and what it must (bad) or must not (clean) produce.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleExample {
    /// `bad` or `clean`.
    pub kind: String,
    /// Rules a bad example must trigger (each at least once, in the example file) or a clean
    /// one must not trigger.
    pub rules: Vec<String>,
    pub code: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl ModuleCard {
    /// The stand-in module, parsed.
    pub fn root(&self) -> Option<&crate::lang::Node> {
        self.root.as_ref()
    }
}

/// Every module card of the binary (parsed once) and the errors of the ones that failed.
pub fn cards() -> &'static (Vec<ModuleCard>, Vec<String>) {
    static CELL: OnceLock<(Vec<ModuleCard>, Vec<String>)> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (path, text) in crate::rules::card::module_card_texts() {
            match toml::from_str::<ModuleCard>(text) {
                Ok(mut c) => {
                    if !path.ends_with(&format!("/{}.toml", c.id)) {
                        errors.push(format!("{path}: file name does not match id `{}`", c.id));
                    }
                    let p = crate::lang::hcl::parse(&c.module);
                    if let Some(e) = p.error {
                        errors.push(format!("{path}: module: {}", e.message));
                    }
                    for s in &c.sources {
                        if canonical_source(s).is_none() {
                            errors.push(format!(
                                "{path}: source `{s}` is not a registry or git source"
                            ));
                        }
                    }
                    for e in &c.examples {
                        if e.kind != "bad" && e.kind != "clean" {
                            errors.push(format!(
                                "{path}: example kind `{}` is not bad|clean",
                                e.kind
                            ));
                        }
                    }
                    c.root = Some(p.doc.root);
                    c.path = path.to_string();
                    out.push(c);
                }
                Err(e) => errors.push(format!("{path}: {e}")),
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        (out, errors)
    })
}

/// The card standing in for a module source, if any.
pub fn card_for(source: &str) -> Option<&'static ModuleCard> {
    static INDEX: OnceLock<HashMap<String, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for (i, c) in cards().0.iter().enumerate() {
            for s in &c.sources {
                if let Some(k) = canonical_source(s) {
                    m.insert(k, i);
                }
            }
        }
        m
    });
    let k = canonical_source(source)?;
    index.get(&k).map(|&i| &cards().0[i])
}

/// A registry or git module source as `github.com/<owner>/<repo>//<subdir>` (lower case, no
/// version or ref): the registry's `ns/name/provider` is the GitHub repository
/// `ns/terraform-<provider>-<name>`. `None` for local paths and other sources.
pub fn canonical_source(src: &str) -> Option<String> {
    let s = src.trim();
    if s.starts_with("./") || s.starts_with("../") || s.starts_with('/') {
        return None;
    }
    let s = s.strip_prefix("git::").unwrap_or(s);
    let s = s.split('?').next().unwrap_or(s);
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .or_else(|| s.strip_prefix("ssh://"))
        .unwrap_or(s);
    let s = s.strip_prefix("git@").unwrap_or(s);
    let s = s.replacen("github.com:", "github.com/", 1);
    let (base, sub) = match s.split_once("//") {
        Some((b, sub)) => (b.to_string(), sub.trim_matches('/').to_string()),
        None => (s.clone(), String::new()),
    };
    let base = base.trim_end_matches('/').trim_end_matches(".git");
    let repo = if let Some(r) = base.strip_prefix("github.com/") {
        let parts: Vec<&str> = r.split('/').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        r.to_string()
    } else {
        let r = base.strip_prefix("registry.terraform.io/").unwrap_or(base);
        let parts: Vec<&str> = r.split('/').collect();
        match parts.as_slice() {
            [ns, name, provider]
                if !ns.contains('.') && [ns, name, provider].iter().all(|p| !p.is_empty()) =>
            {
                format!("{ns}/terraform-{provider}-{name}")
            }
            _ => return None,
        }
    };
    Some(format!("github.com/{repo}//{sub}").to_lowercase())
}

/// Most module directories, files per directory and bytes read from `.terraform/modules`.
const MAX_INSTALLED_DIRS: usize = 256;
const MAX_FILES_PER_DIR: usize = 64;
const MAX_INSTALLED_BYTES: u64 = 32 << 20;
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Module directories installed by `terraform init` for the module directories `dirs`
/// (relative to `root`): (calling module directory, call name) → installed directory, all
/// relative to `root`. Local calls are left to the caller; a directory outside `root` or
/// reached through a symlink is never used.
pub fn installed(root: &Path, dirs: &[String]) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    let Ok(canon_root) = root.canonicalize() else {
        return out;
    };
    for d in dirs {
        let rel = join(d, ".terraform/modules/modules.json");
        let Some(text) = read_under(&canon_root, root, &rel, 4 << 20) else {
            continue;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let Some(list) = json.get("Modules").and_then(|m| m.as_array()) else {
            continue;
        };
        let mut by_key: HashMap<&str, &str> = HashMap::new();
        for m in list {
            if let (Some(k), Some(dir)) = (
                m.get("Key").and_then(|k| k.as_str()),
                m.get("Dir").and_then(|k| k.as_str()),
            ) {
                by_key.insert(k, dir);
            }
        }
        for m in list {
            let (Some(key), Some(dir), src) = (
                m.get("Key").and_then(|k| k.as_str()),
                m.get("Dir").and_then(|k| k.as_str()),
                m.get("Source").and_then(|k| k.as_str()).unwrap_or(""),
            ) else {
                continue;
            };
            if key.is_empty() || src.starts_with("./") || src.starts_with("../") {
                continue;
            }
            let (parent_key, name) = match key.rsplit_once('.') {
                Some((p, n)) => (p, n),
                None => ("", key),
            };
            let parent_dir = if parent_key.is_empty() {
                Some(".")
            } else {
                by_key.get(parent_key).copied()
            };
            let (Some(parent_dir), Some(child)) =
                (parent_dir, crate::terraform::eval::normalize(&join(d, dir)))
            else {
                continue;
            };
            let Some(parent) = crate::terraform::eval::normalize(&join(d, parent_dir)) else {
                continue;
            };
            // Only directories inside the root module's own `.terraform`.
            if !child.starts_with(&join(d, ".terraform/modules/")) {
                continue;
            }
            out.insert((parent, name.to_string()), child);
            if out.len() >= MAX_INSTALLED_DIRS {
                return out;
            }
        }
    }
    out
}

/// The `.tf` files of an installed module directory: (path relative to root, text). Regular
/// files directly in the directory, within the byte budget `left`.
pub fn read_module_dir(root: &Path, dir: &str, left: &mut u64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(canon_root) = root.canonicalize() else {
        return out;
    };
    let full = root.join(dir);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        return out;
    };
    if !meta.is_dir() {
        return out;
    }
    match full.canonicalize() {
        Ok(c) if c.starts_with(&canon_root) => {}
        _ => return out,
    }
    let Ok(rd) = std::fs::read_dir(&full) else {
        return out;
    };
    let mut names: Vec<String> = rd
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tf"))
        .collect();
    names.sort();
    for n in names.into_iter().take(MAX_FILES_PER_DIR) {
        let rel = join(dir, &n);
        if let Some(t) = read_under(&canon_root, root, &rel, MAX_FILE_BYTES.min(*left)) {
            *left = left.saturating_sub(t.len() as u64);
            out.push((rel, t));
        }
    }
    out
}

/// Budget of bytes read from installed modules in one analysis.
pub fn installed_budget() -> u64 {
    MAX_INSTALLED_BYTES
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

/// A regular file under the root (no symlink anywhere on the way out of it), at most `max`
/// bytes.
fn read_under(canon_root: &Path, root: &Path, rel: &str, max: u64) -> Option<String> {
    let full = root.join(rel);
    let meta = std::fs::symlink_metadata(&full).ok()?;
    if !meta.is_file() || meta.len() > max {
        return None;
    }
    let canon = full.canonicalize().ok()?;
    if !canon.starts_with(canon_root) {
        return None;
    }
    crate::fsafe::read_small_text(&canon, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_canonical() {
        let k = "github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-user";
        for s in [
            "terraform-aws-modules/iam/aws//modules/iam-user",
            "registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-user",
            "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-user?ref=v5.0.0",
            "github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-user",
            "git@github.com:terraform-aws-modules/terraform-aws-iam.git//modules/iam-user",
        ] {
            assert_eq!(canonical_source(s).as_deref(), Some(k), "{s}");
        }
        assert_eq!(canonical_source("./modules/x"), None);
        assert_eq!(canonical_source("s3::https://bucket/x.zip"), None);
    }

    #[test]
    fn cards_load() {
        assert!(cards().1.is_empty(), "{:#?}", cards().1);
        assert!(!cards().0.is_empty());
    }
}
