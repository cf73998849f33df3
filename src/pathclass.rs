//! Path classes: what a file is for, judged from its path relative to the scan root (test,
//! fixture, end-to-end test, example, docs, vendored, generated, or production code), with
//! defaults and per-class globs from `[paths]` in `nhilint.toml`.
//!
//! The engine uses the class to decide where structural rules report, which files feed the
//! project graph of production files, and how confident a secret finding in a test is.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathClass {
    Production,
    Test,
    Fixture,
    E2e,
    Example,
    Docs,
    Vendored,
    Generated,
}

impl PathClass {
    pub const ALL: [PathClass; 8] = [
        PathClass::Production,
        PathClass::Test,
        PathClass::Fixture,
        PathClass::E2e,
        PathClass::Example,
        PathClass::Docs,
        PathClass::Vendored,
        PathClass::Generated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PathClass::Production => "production",
            PathClass::Test => "test",
            PathClass::Fixture => "fixture",
            PathClass::E2e => "e2e",
            PathClass::Example => "example",
            PathClass::Docs => "docs",
            PathClass::Vendored => "vendored",
            PathClass::Generated => "generated",
        }
    }

    /// Test, fixture or end-to-end test: code that exercises the product, never deployed.
    pub fn is_test(self) -> bool {
        matches!(self, PathClass::Test | PathClass::Fixture | PathClass::E2e)
    }

    /// Example or documentation: illustrates the product, may be copied by readers.
    pub fn is_illustrative(self) -> bool {
        matches!(self, PathClass::Example | PathClass::Docs)
    }

    /// Deployed as written: production, generated (install bundles) and vendored code.
    pub fn is_deployed(self) -> bool {
        matches!(
            self,
            PathClass::Production | PathClass::Generated | PathClass::Vendored
        )
    }

    /// The project graph a file joins: deployed files form one graph; examples and docs see it
    /// plus their own files; tests and fixtures see it plus theirs. Never the other way round.
    pub fn graph_group(self) -> u8 {
        if self.is_illustrative() {
            0
        } else if self.is_test() {
            2
        } else {
            1
        }
    }
}

/// `[paths]` in `nhilint.toml`: extra globs per class (they win over the built-in defaults) and
/// where structural rules report.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathsConfig {
    /// Globs that are production whatever the defaults say (checked first).
    #[serde(default)]
    pub production: Vec<String>,
    #[serde(default)]
    pub test: Vec<String>,
    #[serde(default)]
    pub fixture: Vec<String>,
    #[serde(default)]
    pub e2e: Vec<String>,
    #[serde(default)]
    pub example: Vec<String>,
    #[serde(default)]
    pub docs: Vec<String>,
    #[serde(default)]
    pub vendored: Vec<String>,
    #[serde(default)]
    pub generated: Vec<String>,
    /// `false`: only the globs above classify; everything else is production.
    #[serde(default)]
    pub defaults: Option<bool>,
    /// Classes in which structural rules report (default: every class but test, fixture, e2e
    /// and vendored).
    #[serde(default)]
    pub structural_in: Option<Vec<PathClass>>,
}

impl PathsConfig {
    fn globs(&self, c: PathClass) -> &[String] {
        match c {
            PathClass::Production => &self.production,
            PathClass::Test => &self.test,
            PathClass::Fixture => &self.fixture,
            PathClass::E2e => &self.e2e,
            PathClass::Example => &self.example,
            PathClass::Docs => &self.docs,
            PathClass::Vendored => &self.vendored,
            PathClass::Generated => &self.generated,
        }
    }

    /// Problems with the globs (for a configuration error).
    pub fn validate(&self) -> Result<(), String> {
        for c in PathClass::ALL {
            for g in self.globs(c) {
                compile(g).map_err(|e| format!("[paths] {}: bad glob `{g}`: {e}", c.as_str()))?;
            }
        }
        Ok(())
    }

    /// Do structural rules (IAM, RBAC, trust, CI configuration) report in files of this class?
    pub fn structural_reports_in(&self, c: PathClass) -> bool {
        match &self.structural_in {
            Some(list) => list.contains(&c),
            None => !c.is_test() && c != PathClass::Vendored,
        }
    }
}

fn compile(g: &str) -> Result<Glob, globset::Error> {
    let g = g.trim_start_matches("./");
    // A bare folder (`qa/`) means everything below it.
    let pat = if g.ends_with('/') {
        format!("{g}**")
    } else {
        g.to_string()
    };
    GlobBuilder::new(&pat).literal_separator(true).build()
}

/// Classes by configured globs, then by the defaults.
#[derive(Clone, Debug, Default)]
pub struct PathClassifier {
    globs: Vec<(PathClass, GlobSet)>,
    defaults: bool,
}

impl PathClassifier {
    pub fn new(cfg: &PathsConfig) -> PathClassifier {
        let mut globs = Vec::new();
        for c in PathClass::ALL {
            let list = cfg.globs(c);
            if list.is_empty() {
                continue;
            }
            let mut b = GlobSetBuilder::new();
            for g in list {
                if let Ok(g) = compile(g) {
                    b.add(g);
                    // `dir/**` also matches the files directly under a glob naming a folder.
                }
            }
            if let Ok(set) = b.build() {
                globs.push((c, set));
            }
        }
        PathClassifier {
            globs,
            defaults: cfg.defaults.unwrap_or(true),
        }
    }

    /// The class of a path relative to the scan root (forward slashes).
    pub fn classify(&self, rel: &str) -> PathClass {
        let rel = rel.trim_start_matches("./");
        for (c, set) in &self.globs {
            if set.is_match(rel) {
                return *c;
            }
        }
        if self.defaults {
            classify(rel)
        } else {
            PathClass::Production
        }
    }
}

const VENDORED_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "third_party",
    "third-party",
    "thirdparty",
    "node_modules",
    "bower_components",
    ".terraform",
    "site-packages",
];
const FIXTURE_DIRS: &[&str] = &[
    "fixture",
    "fixtures",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
    "testfixtures",
    "test-fixtures",
    "test_fixtures",
    "__mocks__",
    "mocks",
    "golden",
    "__snapshots__",
];
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testing",
    "spec",
    "specs",
    "unit-tests",
    "unit_tests",
    "integration-tests",
    "integration_tests",
    "integration-test",
    "test-integration",
];
const EXAMPLE_DIRS: &[&str] = &[
    "example",
    "examples",
    "_example",
    "_examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "quickstart",
    "quickstarts",
    "tutorial",
    "tutorials",
];
const DOCS_DIRS: &[&str] = &["doc", "docs", "documentation", "website", "site"];

/// The built-in classification (no configuration).
pub fn classify(rel: &str) -> PathClass {
    let lower = rel.trim_start_matches("./").to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').filter(|p| !p.is_empty()).collect();
    let Some((name, dirs)) = parts.split_last() else {
        return PathClass::Production;
    };
    // The repository's own CI definitions run with its real credentials whatever they test
    // (`.github/workflows/e2e-parallel-full.yml`, `.github/workflows/test.yml`).
    if dirs.first() == Some(&".github") && matches!(dirs.get(1), Some(&"workflows" | &"actions")) {
        return PathClass::Production;
    }
    let any_dir = |set: &[&str]| dirs.iter().any(|d| set.contains(d));
    if any_dir(VENDORED_DIRS) {
        return PathClass::Vendored;
    }
    if is_generated_name(name)
        || dirs
            .iter()
            .any(|d| *d == "generated" || *d == "zz_generated")
    {
        return PathClass::Generated;
    }
    if any_dir(FIXTURE_DIRS) {
        return PathClass::Fixture;
    }
    if dirs.iter().any(|d| is_e2e_dir(d)) || name.contains("e2e") {
        return PathClass::E2e;
    }
    // Helm chart-testing (`ct`) values: `charts/<chart>/ci/<case>-values.yaml`.
    let chart_test_values = dirs.last() == Some(&"ci")
        && (name.ends_with("-values.yaml") || name.ends_with("-values.yml"));
    if any_dir(TEST_DIRS)
        || dirs.iter().any(|d| is_test_dir(d))
        || is_test_name(name)
        || chart_test_values
    {
        return PathClass::Test;
    }
    if any_dir(EXAMPLE_DIRS) || dirs.iter().any(|d| d.starts_with("example")) {
        return PathClass::Example;
    }
    if any_dir(DOCS_DIRS) || is_doc_name(name) {
        return PathClass::Docs;
    }
    PathClass::Production
}

fn is_e2e_dir(d: &str) -> bool {
    d == "e2e"
        || d.starts_with("e2e-")
        || d.starts_with("e2e_")
        || d.ends_with("-e2e")
        || d.ends_with("_e2e")
        || d == "cypress"
        || d == "playwright"
}

fn is_test_dir(d: &str) -> bool {
    d.ends_with("-test")
        || d.ends_with("_test")
        || d.ends_with("-tests")
        || d.ends_with("_tests")
        // .NET test projects: `Acme.Api.Tests/`, `Acme.UnitTests/`
        || d.ends_with(".tests")
        || d.ends_with(".test")
        || d.ends_with("unittests")
}

fn is_generated_name(n: &str) -> bool {
    n.starts_with("zz_generated")
        || n.ends_with(".pb.go")
        || n.ends_with("_pb2.py")
        || n.contains("_generated.")
        || n.contains(".generated.")
        || n.ends_with(".gen.go")
}

fn is_test_name(n: &str) -> bool {
    let stem = n.split('.').next().unwrap_or(n);
    n.ends_with("_test.go")
        || (n.ends_with(".py") && (stem.starts_with("test_") || stem.ends_with("_test")))
        || n == "conftest.py"
        || [".test.", ".spec.", "_spec."].iter().any(|m| n.contains(m))
        || ([".java", ".kt", ".cs", ".php"]
            .iter()
            .any(|e| n.ends_with(e))
            && (stem.ends_with("test") || stem.ends_with("tests")))
        || (n.ends_with(".rb") && (stem.ends_with("_test") || stem.starts_with("test_")))
        || n.ends_with(".tftest.hcl")
        || n.ends_with(".tftest.json")
}

fn is_doc_name(n: &str) -> bool {
    [".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt"]
        .iter()
        .any(|e| n.ends_with(e))
        && !n.ends_with("requirements.txt")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let cases = [
            ("main.tf", PathClass::Production),
            ("manifests/install.yaml", PathClass::Production),
            ("test/e2e/fixture/rbac.yaml", PathClass::Fixture),
            ("test/e2e/app.yaml", PathClass::E2e),
            (
                ".github/workflows/e2e-parallel-full.yml",
                PathClass::Production,
            ),
            (".github/workflows/test.yml", PathClass::Production),
            (
                ".github/actions/test-setup/action.yml",
                PathClass::Production,
            ),
            ("test/repo/.github/workflows/ci.yml", PathClass::Test),
            ("e2e-tests/x.yaml", PathClass::E2e),
            ("pkg/auth/token_test.go", PathClass::Test),
            ("app/tests/deploy.yaml", PathClass::Test),
            ("src/test_api.py", PathClass::Test),
            ("web/login.spec.ts", PathClass::Test),
            ("src/main/java/FooTest.java", PathClass::Test),
            ("src/Acme.Api.Tests/TokenServiceTests.cs", PathClass::Test),
            ("src/Acme.Api/TokenService.cs", PathClass::Production),
            ("app/src/main/kotlin/HttpTest.kt", PathClass::Test),
            ("lib/client_test.rb", PathClass::Test),
            ("src/ClientTest.php", PathClass::Test),
            ("pkg/testdata/sa.yaml", PathClass::Fixture),
            ("examples/complete/main.tf", PathClass::Example),
            ("docs/operator-manual/rbac.yaml", PathClass::Docs),
            ("README.md", PathClass::Docs),
            ("requirements.txt", PathClass::Production),
            ("vendor/github.com/x/y.go", PathClass::Vendored),
            (".terraform/modules/vpc/main.tf", PathClass::Vendored),
            ("api/zz_generated.deepcopy.go", PathClass::Generated),
            ("contest/main.tf", PathClass::Production),
            ("charts/exporter/ci/config-values.yaml", PathClass::Test),
            ("charts/exporter/ci/values.yaml", PathClass::Production),
            ("latest/main.tf", PathClass::Production),
        ];
        for (p, c) in cases {
            assert_eq!(classify(p), c, "{p}");
        }
    }

    #[test]
    fn globs_win() {
        let cfg: PathsConfig = toml::from_str(
            "production = [\"examples/prod/**\"]\ntest = [\"qa/\"]\nstructural-in = [\"production\", \"test\"]\n",
        )
        .unwrap();
        cfg.validate().unwrap();
        let c = PathClassifier::new(&cfg);
        assert_eq!(c.classify("examples/prod/main.tf"), PathClass::Production);
        assert_eq!(c.classify("examples/dev/main.tf"), PathClass::Example);
        assert_eq!(c.classify("qa/deep/x.yaml"), PathClass::Test);
        assert!(cfg.structural_reports_in(PathClass::Test));
        assert!(!cfg.structural_reports_in(PathClass::Example));
        let off: PathsConfig = toml::from_str("defaults = false").unwrap();
        assert_eq!(
            PathClassifier::new(&off).classify("tests/x.tf"),
            PathClass::Production
        );
        let bad: PathsConfig = toml::from_str("test = [\"a/[\"]").unwrap();
        assert!(bad.validate().is_err());
    }
}
