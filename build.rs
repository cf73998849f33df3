//! Embeds every rule card (`rules/**/*.toml`) and registers every check file
//! (`src/rules/checks/<id>.rs`) so adding a rule never means editing a dispatch table.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/checks");

    let mut cards = Vec::new();
    collect(&root.join("rules"), "toml", &mut cards);
    cards.sort();
    let mut s = String::from(
        "/// Every rule card: (path relative to the crate, text).\npub static CARDS: &[(&str, &str)] = &[\n",
    );
    for c in &cards {
        println!("cargo:rerun-if-changed={}", c.display());
        let rel = c
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        s.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            c.display().to_string()
        ));
    }
    s.push_str("];\n");
    fs::write(out_dir.join("cards.rs"), s).unwrap();

    let mut checks = Vec::new();
    collect(&root.join("src/rules/checks"), "rs", &mut checks);
    checks.retain(|p| p.file_stem().is_some_and(|s| s != "mod"));
    checks.sort();
    let mut mods = String::new();
    let mut file_arms = String::new();
    let mut proj_arms = String::new();
    let mut names = String::new();
    for c in &checks {
        println!("cargo:rerun-if-changed={}", c.display());
        let stem = c.file_stem().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(c).unwrap_or_default();
        mods.push_str(&format!(
            "#[path = {:?}]\npub mod {stem};\n",
            c.display().to_string()
        ));
        let id = stem.replace('_', "-");
        names.push_str(&format!("{id:?}, "));
        if text.contains("pub fn check_file(") {
            file_arms.push_str(&format!("        {id:?} => Some({stem}::check_file),\n"));
        }
        if text.contains("pub fn check_project(") {
            proj_arms.push_str(&format!("        {id:?} => Some({stem}::check_project),\n"));
        }
    }
    let generated = format!(
        "{mods}\n/// Ids of every check file.\npub const ALL: &[&str] = &[{names}];\n\n\
         #[allow(clippy::match_single_binding)]\npub fn file_check(id: &str) -> Option<crate::rules::FileCheck> {{\n    match id {{\n{file_arms}        _ => None,\n    }}\n}}\n\n\
         #[allow(clippy::match_single_binding)]\npub fn project_check(id: &str) -> Option<crate::rules::ProjectCheck> {{\n    match id {{\n{proj_arms}        _ => None,\n    }}\n}}\n"
    );
    fs::write(out_dir.join("checks.rs"), generated).unwrap();
}
