//! Differential test of the YAML adapter against PyYAML (a second, independent implementation,
//! installed in the CI virtual environment by `.ci/setup`): on every `.yaml`/`.yml` fixture of
//! `testdata/` that PyYAML loads, nhilint parses without errors and builds the same values
//! (both parse paths: saphyr-parser first, tree-sitter-yaml when it gives up, and forced
//! tree-sitter). A template action (`{{ … }}`) of ours matches any scalar; Helm templates that
//! are not YAML before rendering are files PyYAML rejects, and are skipped.
//!
//! Scalars are compared as written (PyYAML's int, float and timestamp resolution is turned off:
//! nhilint keeps numbers as text), booleans as booleans only for `true`/`false`, nulls as nulls.

use crate::support::{ci, target_dir};
use libtest_mimic::{Completion, Failed, Trial};
use nhilint::lang::{Node, V};
use nhilint::source::FileKind;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const LOADER: &str = r#"
import json, sys, yaml
class L(yaml.SafeLoader):
    pass
def raw(loader, node):
    return loader.construct_scalar(node)
def boolean(loader, node):
    v = loader.construct_scalar(node)
    return v.lower() == "true" if v.lower() in ("true", "false") else v
for tag in ("int", "float", "timestamp", "binary"):
    L.add_constructor("tag:yaml.org,2002:" + tag, raw)
L.add_constructor("tag:yaml.org,2002:bool", boolean)
FNS = ("And Base64 Cidr Equals FindInMap ForEach GetAZs GetAtt If ImportValue Join Length Not "
       "Or Select Split Sub ToJsonString Transform").split()
def short_form(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        v = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    else:
        v = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: v}
    if suffix in FNS:
        return {"Fn::" + suffix: v}
    return v
L.add_multi_constructor("!", short_form)
out = {}
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    try:
        with open(path, encoding="utf-8") as f:
            out[path] = [d for d in yaml.load_all(f, Loader=L) if d is not None]
    except Exception as e:
        out[path] = None
print(json.dumps(out, default=str))
"#;

pub fn trials() -> Vec<Trial> {
    vec![Trial::ignorable_test(
        "yaml::pyyaml_agrees_on_every_fixture",
        || {
            let Some(python) = python_with_yaml() else {
                let msg = "PyYAML not installed: run `bash .ci/setup`".to_string();
                return if ci() {
                    Err(Failed::from(format!(
                        "{msg}; CI is set, so this is a failure"
                    )))
                } else {
                    Ok(Completion::ignored_with(msg))
                };
            };
            pyyaml_agrees(&python);
            Ok(Completion::Completed)
        },
    )]
}

/// A Python that imports `yaml`: `NHILINT_PYTHON`, the CI virtual environment, `python3`.
fn python_with_yaml() -> Option<PathBuf> {
    let mut cands: Vec<PathBuf> = std::env::var_os("NHILINT_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    cands.push(target_dir().join("ci-tools/venv/bin/python"));
    cands.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools/venv/bin/python"));
    cands.push("python3".into());
    cands.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

const EXPR: &str = "\u{1}expr";

/// Equal values, a template action of ours matching any scalar of theirs.
fn same(ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Object(o), t) if o.len() == 1 && o.contains_key(EXPR) => {
            !t.is_object() && !t.is_array()
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (a, b) => a == b,
    }
}

fn to_json(n: &Node) -> Value {
    match &n.v {
        V::Null => Value::Null,
        V::Bool(b) => json!(b),
        V::Num(s) | V::Str(s) => json!(s),
        // A template action: whatever it renders to (matches any scalar).
        V::Expr(s) => json!({ EXPR: s }),
        V::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        V::Map(es) => {
            let mut m = serde_json::Map::new();
            for e in es {
                m.insert(e.key.clone(), to_json(&e.value));
            }
            Value::Object(m)
        }
        other => json!(format!("{other:?}")),
    }
}

/// PyYAML's value with keys as strings (`1: x` and `true: x` are keys `1` and `true` here).
fn keys_as_text(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(keys_as_text).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, keys_as_text(v))).collect())
        }
        v => v,
    }
}

fn pyyaml_agrees(python: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    // More folders to compare by hand (checkouts of real repositories, never in CI):
    // `NHILINT_YAML_DIFF=/path/a:/path/b cargo test --test tools yaml::`.
    if let Some(extra) = std::env::var_os("NHILINT_YAML_DIFF") {
        for dir in std::env::split_paths(&extra) {
            yaml_files(&dir, &mut files);
        }
    }
    let files: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        // Helm templates are not YAML before rendering (PyYAML rejects most; skipped below).
        .collect();
    let list: String = files
        .iter()
        .map(|(p, _)| format!("{}\n", p.display()))
        .collect();
    let mut child = Command::new(python)
        .args(["-c", LOADER])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), list.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "PyYAML loader failed");
    let theirs: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (mut compared, mut skipped) = (0, 0);
    let mut bad = Vec::new();
    for (p, text) in &files {
        let Some(expected) = theirs
            .get(&p.display().to_string())
            .filter(|v| !v.is_null())
        else {
            skipped += 1;
            continue;
        };
        let expected = keys_as_text(expected.clone());
        let rel = p.strip_prefix(&root).unwrap_or(p).display().to_string();
        for fast in [true, false] {
            // As the engine reads them: templates and Serverless services with no masking of
            // `{{ … }}` (CloudFormation dynamic references are text).
            let rel_path = p.strip_prefix(&root).unwrap_or(p).display().to_string();
            let parsed = match nhilint::source::classify(&rel_path, text) {
                FileKind::CloudFormation | FileKind::Serverless => {
                    nhilint::lang::yaml::parse_untemplated_with(text, fast)
                }
                _ => nhilint::lang::yaml::parse_with(text, fast),
            };
            let ours = Value::Array(
                parsed
                    .docs
                    .iter()
                    .map(|d| to_json(&d.root))
                    .filter(|v| !v.is_null())
                    .collect(),
            );
            if !parsed.errors.is_empty() {
                bad.push(format!("{rel} (fast={fast}): errors {:?}", parsed.errors));
            } else if !same(&ours, &expected) {
                bad.push(format!(
                    "{rel} (fast={fast}):\n  ours   {ours}\n  pyyaml {expected}"
                ));
            }
        }
        compared += 1;
    }
    assert!(
        compared >= 50,
        "only {compared} fixtures compared ({skipped} not YAML for PyYAML)"
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
