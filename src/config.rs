//! `nhilint.toml` (or `.nhilint.toml`): found by walking up from the scan root.

use crate::finding::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules or groups to run (ids, `prefix-*`, targets, `NHI5`). Empty: all default rules.
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleConfig>,
    /// Path-scoped ignores: `[[ignore-paths]] rules = [...] paths = ["glob"]`.
    #[serde(default)]
    pub ignore_paths: Vec<PathIgnore>,
    /// `[owners]`: owner rules (kind `governance`) run only when this section is present.
    #[serde(default)]
    pub owners: Option<OwnersConfig>,
    #[serde(default)]
    pub org: OrgConfig,
    /// Environments by name: `[environments.production] branches = ["main"] ...`.
    #[serde(default)]
    pub environments: BTreeMap<String, EnvironmentConfig>,
    /// Path classes (test, fixture, e2e, example, docs, vendored, generated): see `pathclass.rs`.
    #[serde(default)]
    pub paths: crate::pathclass::PathsConfig,
    /// Where the config was loaded from (not a key).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// `[paths]` compiled on first use.
    #[serde(skip)]
    path_classifier: std::sync::OnceLock<crate::pathclass::PathClassifier>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanConfig {
    /// Largest file read, in bytes (default 5 MiB).
    #[serde(default = "default_max")]
    pub max_file_size: u64,
    /// Glob patterns (gitignore syntax) excluded from every scan.
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            max_file_size: default_max(),
            exclude: Vec::new(),
        }
    }
}

fn default_max() -> u64 {
    5 * 1024 * 1024
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleConfig {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathIgnore {
    #[serde(default)]
    pub rules: Vec<String>,
    pub paths: Vec<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OwnersConfig {
    /// Tag / label / annotation keys that name an owner. Owner rules are silent when empty.
    #[serde(default = "default_owner_keys")]
    pub tag_keys: Vec<String>,
}

impl Default for OwnersConfig {
    fn default() -> Self {
        OwnersConfig {
            tag_keys: default_owner_keys(),
        }
    }
}

fn default_owner_keys() -> Vec<String> {
    [
        "owner",
        "team",
        "Owner",
        "Team",
        "app.kubernetes.io/owner",
        "nhilint.dev/owner",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OrgConfig {
    /// The organisation's own AWS account ids (trust from others is third-party).
    #[serde(default)]
    pub aws_accounts: Vec<String>,
    #[serde(default)]
    pub github_orgs: Vec<String>,
    #[serde(default)]
    pub gitlab_groups: Vec<String>,
    /// This repository as `owner/name` (default: read from `.git/config`).
    #[serde(default)]
    pub repository: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EnvironmentConfig {
    /// Is this a production environment?
    #[serde(default)]
    pub production: bool,
    #[serde(default)]
    pub branches: Vec<String>,
    /// CI environment names (GitHub `environment:`).
    #[serde(default)]
    pub ci_environments: Vec<String>,
    #[serde(default)]
    pub aws_accounts: Vec<String>,
    /// Path globs (Terraform roots, overlays) that belong to this environment.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Kubernetes namespaces of this environment.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// A configuration error: file, line and what is wrong (exit code 2).
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            _ => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl Config {
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        match toml::from_str::<Config>(text) {
            Ok(mut c) => {
                c.source = Some(path.to_path_buf());
                if let Err(message) = c.paths.validate() {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with("[paths]"))
                        .map(|l| l + 1);
                    return Err(ConfigError {
                        path: path.into(),
                        line,
                        column: None,
                        message,
                    });
                }
                for (id, _) in c.rules.iter() {
                    if crate::rules::find_card(id).is_none() {
                        let line = text
                            .lines()
                            .position(|l| {
                                l.contains(&format!("rules.{id}"))
                                    || l.contains(&format!("\"{id}\""))
                            })
                            .map(|l| l + 1);
                        return Err(ConfigError {
                            path: path.into(),
                            line,
                            column: None,
                            message: format!("unknown rule `{id}` in [rules]"),
                        });
                    }
                }
                Ok(c)
            }
            Err(e) => {
                let (line, column) = match e.span() {
                    Some(s) => {
                        let before = &text[..s.start.min(text.len())];
                        let line = before.matches('\n').count() + 1;
                        let col = before
                            .rsplit('\n')
                            .next()
                            .map(|l| l.chars().count() + 1)
                            .unwrap_or(1);
                        (Some(line), Some(col))
                    }
                    None => (None, None),
                };
                Err(ConfigError {
                    path: path.into(),
                    line,
                    column,
                    message: e.message().trim().to_string(),
                })
            }
        }
    }

    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.into(),
            line: None,
            column: None,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, path)
    }

    /// Find `nhilint.toml` / `.nhilint.toml` in `start` or its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if start.is_file() {
            start.parent().map(Path::to_path_buf)
        } else {
            Some(start)
        };
        while let Some(d) = dir {
            for name in ["nhilint.toml", ".nhilint.toml"] {
                let p = d.join(name);
                if p.is_file() {
                    return Some(p);
                }
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        None
    }

    /// Load an explicit config, or discover one from `root`; no file means defaults.
    pub fn resolve(explicit: Option<&Path>, root: &Path) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::load_file(p),
            None => match Config::discover(root) {
                Some(p) => Config::load_file(&p),
                None => Ok(Config::default()),
            },
        }
    }

    /// The tag / label / annotation keys that name an owner (`[owners] tag-keys`, or the
    /// defaults when the section is absent: inventory still shows owners).
    pub fn owner_keys(&self) -> &[String] {
        static DEFAULT: std::sync::OnceLock<OwnersConfig> = std::sync::OnceLock::new();
        match &self.owners {
            Some(o) => &o.tag_keys,
            None => &DEFAULT.get_or_init(OwnersConfig::default).tag_keys,
        }
    }

    /// The class of a path relative to the scan root (`[paths]` globs, then the defaults).
    pub fn path_class(&self, rel: &str) -> crate::pathclass::PathClass {
        self.path_classifier
            .get_or_init(|| crate::pathclass::PathClassifier::new(&self.paths))
            .classify(rel)
    }

    /// Directory that config-relative paths are relative to.
    pub fn base_dir(&self) -> Option<&Path> {
        self.source.as_deref().and_then(Path::parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_key_has_line() {
        let e = Config::parse(
            "select = []\n[scan]\nmax-size = 3\n",
            Path::new("nhilint.toml"),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("unknown field"), "{}", e.message);
    }

    #[test]
    fn parses_sections() {
        let c = Config::parse("fail-on = \"high\"\n[owners]\ntag-keys = [\"team\"]\n[org]\ngithub-orgs = [\"acme\"]\n", Path::new("x")).unwrap();
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.owner_keys(), vec!["team"]);
    }
}
