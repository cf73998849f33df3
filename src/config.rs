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
    /// Lowest severity that fails the run, or `none`.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
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
    /// `[kubernetes]`: deployment units declared by hand (`[[kubernetes.units]]`).
    #[serde(default)]
    pub kubernetes: KubernetesConfig,
    /// `[cloudformation]`: parameter files that decide template parameters
    /// (`[[cloudformation.parameter-files]]`).
    #[serde(default)]
    pub cloudformation: CloudFormationConfig,
    /// `[helm]`: values files, release name and namespace per chart (`[[helm.charts]]`).
    #[serde(default)]
    pub helm: HelmConfig,
    /// Where the config was loaded from (not a key).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// `[paths]` compiled on first use.
    #[serde(skip)]
    path_classifier: std::sync::OnceLock<crate::pathclass::PathClassifier>,
    /// The config's folder relative to the scan's path root, when it is below it (not a key):
    /// path globs of the config are relative to the config's folder.
    #[serde(skip)]
    pub path_prefix: Option<String>,
    /// The folders scanned, relative to the path root (not a key): path classes are judged below
    /// them, as when they were the scan root (`nhilint check tests/fixtures/x` checks fixtures).
    #[serde(skip)]
    pub scan_prefixes: Vec<String>,
}

/// `fail-on`: a severity, or `none` (`never`): findings never fail the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

impl<'de> Deserialize<'de> for FailOn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "none" | "never" => Ok(FailOn(None)),
            other => Severity::parse(other)
                .map(|v| FailOn(Some(v)))
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "fail-on `{other}`: use critical, high, medium, low, info or none"
                    ))
                }),
        }
    }
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

/// `[[kubernetes.units]]` of `nhilint.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct UnitDecl {
    pub name: String,
    /// Path globs (relative to the config's folder) of the manifests of the unit.
    pub paths: Vec<String>,
}

/// `[kubernetes]` of `nhilint.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KubernetesConfig {
    #[serde(default)]
    pub units: Vec<UnitDecl>,
}

/// `[[cloudformation.parameter-files]]` of `nhilint.toml`: the values a template is deployed
/// with, overriding its parameters' defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ParameterFile {
    /// The template (relative to the config's folder).
    pub template: String,
    /// A CloudFormation parameter file (`[{"ParameterKey": …, "ParameterValue": …}]`, or a
    /// template configuration file `{"Parameters": {…}}`) or a SAM `samconfig.toml`
    /// (`parameter_overrides`), relative to the config's folder.
    pub file: String,
    /// The `samconfig.toml` environment (default `default`).
    #[serde(default)]
    pub environment: Option<String>,
}

/// `[cloudformation]` of `nhilint.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CloudFormationConfig {
    #[serde(default)]
    pub parameter_files: Vec<ParameterFile>,
    /// Parameter values by template (relative to the config's folder), read when the config
    /// is loaded (not a key).
    #[serde(skip)]
    pub values: BTreeMap<String, std::collections::HashMap<String, String>>,
}

impl ParameterFile {
    /// Parameter name → value from the file's text.
    pub fn read_values(
        &self,
        text: &str,
    ) -> Result<std::collections::HashMap<String, String>, String> {
        let mut out = std::collections::HashMap::new();
        if self.file.ends_with(".toml") {
            let doc: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
            let env = self.environment.as_deref().unwrap_or("default");
            let ov = doc
                .get(env)
                .and_then(|e| e.get("deploy"))
                .and_then(|d| d.get("parameters"))
                .and_then(|p| p.get("parameter_overrides"))
                .ok_or_else(|| format!("no `{env}.deploy.parameters.parameter_overrides`"))?;
            let items: Vec<String> = match ov {
                toml::Value::String(s) => split_overrides(s),
                toml::Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .flat_map(split_overrides)
                    .collect(),
                _ => return Err("`parameter_overrides` is not a string or a list".into()),
            };
            for it in items {
                if let Some((k, v)) = it.split_once('=') {
                    out.insert(k.trim().to_string(), v.trim_matches('"').to_string());
                }
            }
            return Ok(out);
        }
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let scalar = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Some(v.to_string()),
            _ => None,
        };
        match &v {
            serde_json::Value::Array(items) => {
                for it in items {
                    if let (Some(k), Some(v)) = (
                        it.get("ParameterKey").and_then(|k| k.as_str()),
                        it.get("ParameterValue").and_then(scalar),
                    ) {
                        out.insert(k.to_string(), v);
                    }
                }
            }
            serde_json::Value::Object(m) if m.get("Parameters").is_some_and(|p| p.is_object()) => {
                for (k, v) in m["Parameters"].as_object().into_iter().flatten() {
                    if let Some(v) = scalar(v) {
                        out.insert(k.clone(), v);
                    }
                }
            }
            _ => {
                return Err(
                    "expected `[{\"ParameterKey\": …, \"ParameterValue\": …}]` or `{\"Parameters\": {…}}`"
                        .into(),
                );
            }
        }
        Ok(out)
    }
}

/// `Key=Value Key2="a b"` → `["Key=Value", "Key2=\"a b\""]` (spaces inside quotes kept).
fn split_overrides(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `[helm]` of `nhilint.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmConfig {
    #[serde(default)]
    pub charts: Vec<HelmChart>,
}

/// `[[helm.charts]]`: one rendering of a chart. With `values`, an extra rendering (the files
/// layered in order over the chart's defaults, like `helm template -f a -f b`); without, the
/// release name and namespace of the chart's default rendering.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmChart {
    /// The chart directory (holding `Chart.yaml`), relative to the config's folder.
    pub path: String,
    /// Values files, relative to the chart directory.
    #[serde(default)]
    pub values: Vec<String>,
    /// `.Release.Name` (default `release-name`).
    #[serde(default)]
    pub release: Option<String>,
    /// `.Release.Namespace` (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// One rendering of a Helm chart: values files layered over its defaults (none: the defaults
/// alone), the release name and namespace (from `[[helm.charts]]` and `values-*.yaml`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HelmRendering {
    /// Values files, relative to the chart directory, in the order they are layered.
    pub values: Vec<String>,
    pub release: String,
    pub namespace: String,
}

impl Default for HelmRendering {
    fn default() -> HelmRendering {
        HelmRendering {
            values: Vec::new(),
            release: "release-name".into(),
            namespace: "default".into(),
        }
    }
}

impl HelmRendering {
    /// What findings of this rendering name it by (`values-prod.yaml`); `None` for the
    /// chart's defaults.
    pub fn label(&self) -> Option<String> {
        (!self.values.is_empty()).then(|| self.values.join(" + "))
    }
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
                c.check_rule_tokens(text, path)?;
                c.read_parameter_files(text, path)?;
                for (id, _) in c.rules.iter() {
                    if crate::rules::card::find_card(id).is_none() {
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

    /// Every `select`, `ignore` and `[[ignore-paths]] rules` token must match a rule, as on the
    /// command line: a typo would silently run (or silence) the wrong rules.
    fn check_rule_tokens(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let lists = [
            ("select", self.select.iter().collect::<Vec<_>>()),
            ("ignore", self.ignore.iter().collect()),
            (
                "ignore-paths",
                self.ignore_paths
                    .iter()
                    .flat_map(|p| p.rules.iter())
                    .collect(),
            ),
        ];
        for (key, tokens) in lists {
            for t in tokens {
                if crate::rules::card::catalog()
                    .iter()
                    .any(|c| crate::rules::card::token_matches(t, c))
                {
                    continue;
                }
                let (line, column) = locate_token(text, t);
                return Err(ConfigError {
                    path: path.into(),
                    line,
                    column,
                    message: format!(
                        "`{t}` in `{key}` matches no rule (ids, `prefix-*`, targets or OWASP items like `NHI5`; see `nhilint rules`)"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Read every `[[cloudformation.parameter-files]]` file (relative to the config's folder):
    /// a file that cannot be read or parsed is a configuration error.
    fn read_parameter_files(&mut self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let dir = path.parent().unwrap_or(Path::new(""));
        for pf in &self.cloudformation.parameter_files {
            let fail = |message: String| {
                let line = text
                    .lines()
                    .position(|l| l.contains(&format!("\"{}\"", pf.file)))
                    .map(|l| l + 1);
                ConfigError {
                    path: path.into(),
                    line,
                    column: None,
                    message: format!("parameter file `{}`: {message}", pf.file),
                }
            };
            let body = crate::fsafe::read_regular(&dir.join(&pf.file), 4 * 1024 * 1024)
                .map_err(|e| fail(format!("cannot read: {e}")))?;
            let body = String::from_utf8(body).map_err(|_| fail("not valid UTF-8".into()))?;
            let values = pf.read_values(&body).map_err(fail)?;
            let key = pf.template.trim_start_matches("./").to_string();
            self.cloudformation
                .values
                .entry(key)
                .or_default()
                .extend(values);
        }
        Ok(())
    }

    /// The parameter values a parameter file gives the template at `path` (an output path).
    pub fn template_parameters(&self, path: &str) -> std::collections::HashMap<String, String> {
        self.cloudformation
            .values
            .get(self.config_relative(path))
            .cloned()
            .unwrap_or_default()
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

    /// A config found in the scanned tree: read only as a regular file (a symlink to one is
    /// fine) of at most 1 MiB, never blocking on a FIFO or reading a device.
    fn load_discovered(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.into(),
            line: None,
            column: None,
            message,
        };
        let canon = std::fs::canonicalize(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let bytes = crate::fsafe::read_regular(&canon, 1024 * 1024)
            .map_err(|e| err(format!("cannot read: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| err("not valid UTF-8".into()))?;
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
                Some(p) => Config::load_discovered(&p),
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
            .classify(self.class_relative(rel))
    }

    /// Set [`Config::path_prefix`] from the root that output paths are relative to.
    pub fn set_path_root(&mut self, root: &Path) {
        let (Some(dir), Ok(root)) = (self.base_dir(), std::fs::canonicalize(root)) else {
            return;
        };
        let Ok(dir) = std::fs::canonicalize(dir) else {
            return;
        };
        self.path_prefix = dir
            .strip_prefix(&root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty());
    }

    /// Record the folders scanned (see [`Config::scan_prefixes`]).
    pub fn set_scan_dirs(&mut self, root: &Path, paths: &[PathBuf]) {
        let Ok(root) = std::fs::canonicalize(root) else {
            return;
        };
        self.scan_prefixes = paths
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .filter_map(|p| {
                p.strip_prefix(&root)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .filter(|p| !p.is_empty())
            .collect();
        self.scan_prefixes
            .sort_by_key(|p| std::cmp::Reverse(p.len()));
    }

    /// A path as path classes see it: below the folder scanned, else relative to the config.
    fn class_relative<'a>(&self, path: &'a str) -> &'a str {
        for p in &self.scan_prefixes {
            if let Some(r) = path
                .strip_prefix(p.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                return r;
            }
        }
        self.config_relative(path)
    }

    /// An output path as config globs see it: relative to the config's folder.
    pub fn config_relative<'a>(&self, path: &'a str) -> &'a str {
        match &self.path_prefix {
            Some(p) => path
                .strip_prefix(p.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(path),
            None => path,
        }
    }

    /// Directory that config-relative paths are relative to.
    pub fn base_dir(&self) -> Option<&Path> {
        self.source.as_deref().and_then(Path::parent)
    }
}

/// Line and column (1-based) of the first quoted occurrence of `token` in a TOML text.
fn locate_token(text: &str, token: &str) -> (Option<usize>, Option<usize>) {
    for (i, l) in text.lines().enumerate() {
        let code = l.split('#').next().unwrap_or(l);
        for q in ['"', '\''] {
            if let Some(at) = code.find(&format!("{q}{token}{q}")) {
                return (Some(i + 1), Some(code[..at].chars().count() + 2));
            }
        }
    }
    (None, None)
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
    fn unknown_rule_tokens_have_a_line() {
        for (text, line) in [
            (
                "select = [\"tf-*\", \"NHI5\"]\nignore = [\n  \"no-such-rule\",\n]\n",
                3,
            ),
            ("select = ['NHI42']\n", 1),
            ("select = [\"zz-*\"]\n", 1),
            (
                "[[ignore-paths]]\nrules = [\"tf-iam-wildcrd-action\"]\npaths = [\"a/**\"]\n",
                2,
            ),
        ] {
            let e = Config::parse(text, Path::new("nhilint.toml")).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {}", e.message);
            assert!(e.message.contains("matches no rule"), "{}", e.message);
        }
        assert!(
            Config::parse(
                "select = [\"tf-*\", \"NHI5\", \"kubernetes\"]\n",
                Path::new("x")
            )
            .is_ok()
        );
    }

    #[test]
    fn parses_sections() {
        let c = Config::parse("fail-on = \"high\"\n[owners]\ntag-keys = [\"team\"]\n[org]\ngithub-orgs = [\"acme\"]\n", Path::new("x")).unwrap();
        assert_eq!(c.fail_on, Some(FailOn(Some(Severity::High))));
        let none = Config::parse("fail-on = \"none\"\n", Path::new("x")).unwrap();
        assert_eq!(none.fail_on, Some(FailOn(None)));
        let e = Config::parse("fail-on = \"hgih\"\n", Path::new("x")).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert_eq!(c.owner_keys(), vec!["team"]);
    }
}
