//! What ships: `cargo package` carries the sources, rule cards and grammar queries the build
//! embeds, and no tests, fixtures, benchmarks or editor files; the crates.io metadata, the
//! licence, the changelog and the Python package definition are in place.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn cargo_package_ships_no_test_bloat() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["package", "--list", "--offline", "--allow-dirty"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for f in &files {
        let ok = ["src/", "rules/", "grammars/"]
            .iter()
            .any(|d| f.starts_with(d))
            || [
                "Cargo.toml",
                "Cargo.toml.orig",
                "Cargo.lock",
                "build.rs",
                "README.md",
                "LICENSE",
                "CHANGELOG.md",
                "pyproject.toml",
                ".cargo_vcs_info.json",
            ]
            .contains(f);
        assert!(ok, "unexpected file in the crate: {f}");
    }
    for needed in [
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "build.rs",
        "src/main.rs",
    ] {
        assert!(files.contains(&needed), "{needed} is not packaged");
    }
    // Every file the build embeds is there: the cards and the grammar queries.
    let cards = files.iter().filter(|f| f.starts_with("rules/")).count();
    assert!(
        cards >= nhilint::rules::card::catalog().len(),
        "{cards} cards"
    );
    assert!(files.iter().any(|f| f.ends_with("calls.scm")));
}

#[test]
fn crate_and_python_metadata() {
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = cargo.parse().unwrap();
    let pkg = manifest["package"].as_table().unwrap();
    for key in [
        "description",
        "license",
        "repository",
        "readme",
        "keywords",
        "categories",
        "rust-version",
    ] {
        assert!(pkg.contains_key(key), "Cargo.toml lacks package.{key}");
    }
    assert_eq!(pkg["license"].as_str(), Some("MIT"));
    let license = std::fs::read_to_string(root().join("LICENSE")).unwrap();
    assert!(license.starts_with("MIT License"), "{license}");
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains("## Unreleased")
            || changelog.contains(&format!("## {}", env!("CARGO_PKG_VERSION")))
    );

    let py: toml::Table = std::fs::read_to_string(root().join("pyproject.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        py["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(py["project"]["name"].as_str(), Some("nhilint"));
    // The version comes from Cargo.toml (one source of truth).
    assert!(
        py["project"]["dynamic"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some("version"))
    );

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo install --locked nhilint"));
    assert!(!readme.contains("cargo install nhilint"));
}
