//! Helm charts are scanned as rendered (default values): RBAC a value turns off is not
//! reported, turned on it is reported on the template line; a template that cannot be rendered
//! is read masked, with a warning naming the template, line and function.

use nhilint::config::Config;
use nhilint::context::Report;
use nhilint::engine::Engine;
use nhilint::rules::RuleSet;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm/rbac-guard")
}

fn scan(root: &Path) -> Report {
    let config = Config::default();
    let rules = RuleSet::build(&config, &["kubernetes".to_string()], &[]);
    let inputs = nhilint::walk::collect(root, &[], &config, 2).inputs;
    Engine::new(config, rules).scan_files(root, inputs, None)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn rbac_guarded_by_an_off_value_is_not_reported() {
    let report = scan(&fixture());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let rbac: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("k8s-rbac"))
        .collect();
    assert!(rbac.is_empty(), "{rbac:#?}");
}

#[test]
fn rbac_turned_on_is_reported_on_the_template_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    let values = dir.path().join("values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("create: false", "create: true")).unwrap();
    // A template that fails to render degrades to masking, the others still render.
    std::fs::write(
        dir.path().join("templates/broken.yaml"),
        "kind: ConfigMap\ndata:\n  pw: {{ required \"db.password is required\" .Values.db }}\n",
    )
    .unwrap();
    let report = scan(dir.path());
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id == "k8s-rbac-sensitive-permissions")
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.path, "templates/clusterrole.yaml");
    // The rule on secrets (template line 7), named as rendered.
    assert!(
        (2..=9).contains(&f.start_line),
        "line {}: {}",
        f.start_line,
        f.message
    );
    assert!(
        f.message.contains("release-name-rbac-guard"),
        "{}",
        f.message
    );
    let warn: Vec<_> = report
        .errors
        .iter()
        .filter(|e| e.path == "templates/broken.yaml")
        .collect();
    assert_eq!(warn.len(), 1, "{:#?}", report.errors);
    assert!(
        warn[0]
            .message
            .contains("rbac-guard/templates/broken.yaml:3: in `required`: db.password is required"),
        "{}",
        warn[0].message
    );
}

#[test]
fn hostile_templates_stop_at_their_budgets() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    // Recursion through 90 nested branches and parentheses per level, a self-containing map,
    // and an alias bomb in the values: each template fails alone, the others render.
    let open = "{{ if (((((((((true))))))))) }}".repeat(90);
    let close = "{{ end }}".repeat(90);
    std::fs::write(
        dir.path().join("templates/_deep.tpl"),
        format!("{{{{ define \"deep\" }}}}{open}{{{{ include \"deep\" . }}}}{close}{{{{ end }}}}"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("templates/deep.yaml"),
        "kind: ConfigMap\ndata:\n  x: {{ include \"deep\" . }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("templates/cycle.yaml"),
        "{{- $d := dict }}{{ $_ := set $d \"me\" $d }}\nkind: ConfigMap\ndata: {{ toYaml $d }}\n",
    )
    .unwrap();
    let report = scan(dir.path());
    let msg = |p: &str| {
        report
            .errors
            .iter()
            .find(|e| e.path == p)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    };
    assert!(
        msg("templates/deep.yaml").contains("evaluation budget exceeded"),
        "{:#?}",
        report.errors
    );
    assert!(
        msg("templates/cycle.yaml").contains("containing itself"),
        "{:#?}",
        report.errors
    );
    assert!(msg("templates/deployment.yaml").is_empty());
}
