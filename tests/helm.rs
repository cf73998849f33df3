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
    scan_with(root, Config::default())
}

fn scan_with(root: &Path, config: Config) -> Report {
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

fn rbac_findings(report: &Report) -> Vec<&nhilint::finding::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule_id == "k8s-rbac-sensitive-permissions")
        .collect()
}

#[test]
fn values_files_beside_a_chart_are_extra_renderings() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    // Two value files that turn RBAC on: one finding, naming the first, the other a related
    // location; the default rendering (RBAC off) still reports nothing of its own.
    std::fs::write(
        dir.path().join("values-prod.yaml"),
        "rbac:\n  create: true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("values.staging.yaml"),
        "rbac:\n  create: true\n",
    )
    .unwrap();
    // Not a values file of the chart: ignored.
    std::fs::write(
        dir.path().join("other-values.yaml"),
        "rbac: {create: true}\n",
    )
    .unwrap();
    let report = scan(dir.path());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let rbac = rbac_findings(&report);
    assert_eq!(rbac.len(), 1, "{rbac:#?}");
    let f = rbac[0];
    assert_eq!(f.path, "templates/clusterrole.yaml");
    assert!(
        f.message.ends_with("(rendered with values-prod.yaml)"),
        "{}",
        f.message
    );
    let related: Vec<(&str, &str)> = f
        .related
        .iter()
        .map(|r| (r.path.as_str(), r.message.as_str()))
        .collect();
    assert!(
        related.contains(&(
            "values-prod.yaml",
            "the values this finding was rendered with"
        )),
        "{related:#?}"
    );
    assert!(
        related.contains(&(
            "values.staging.yaml",
            "also reported when the chart is rendered with values.staging.yaml"
        )),
        "{related:#?}"
    );
    // A finding of the default rendering that the extra ones repeat is reported once.
    let all_paths: Vec<(&str, u32, &str)> = report
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.start_line, f.rule_id.as_str()))
        .collect();
    let mut dedup = all_paths.clone();
    dedup.dedup();
    assert_eq!(all_paths, dedup);
}

#[test]
fn charts_named_in_the_config_render_with_their_values_release_and_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("deploy/app");
    copy_dir(&fixture(), &chart);
    std::fs::create_dir_all(chart.join("env")).unwrap();
    std::fs::write(chart.join("env/prod.yaml"), "rbac:\n  create: true\n").unwrap();
    std::fs::write(chart.join("env/broken.yaml"), "rbac: [\n").unwrap();
    let toml = dir.path().join("nhilint.toml");
    std::fs::write(
        &toml,
        "[[helm.charts]]\npath = \"deploy/app\"\nvalues = [\"env/prod.yaml\"]\nrelease = \"prod\"\nnamespace = \"apps\"\n\n[[helm.charts]]\npath = \"deploy/app/\"\nvalues = [\"env/broken.yaml\"]\n",
    )
    .unwrap();
    let config = Config::load_file(&toml).unwrap();
    assert_eq!(config.helm.charts[0].values, ["env/prod.yaml"]);
    let report = scan_with(dir.path(), config);
    let rbac = rbac_findings(&report);
    assert_eq!(rbac.len(), 1, "{rbac:#?}");
    let f = rbac[0];
    assert_eq!(f.path, "deploy/app/templates/clusterrole.yaml");
    // Named as the release `prod` renders it, bound in namespace `apps`.
    assert!(f.message.contains("prod-rbac-guard"), "{}", f.message);
    assert!(f.message.contains("apps/"), "{}", f.message);
    assert!(
        f.message.ends_with("(rendered with env/prod.yaml)"),
        "{}",
        f.message
    );
    assert_eq!(f.related.last().unwrap().path, "deploy/app/env/prod.yaml");
    // A values file that cannot be read is an error naming it; the chart's other renderings
    // still run.
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.path == "deploy/app/env/broken.yaml"
                && e.message.starts_with("helm values file not read")),
        "{:#?}",
        report.errors
    );
}

#[test]
fn a_finding_driven_by_a_value_names_the_values_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    std::fs::write(
        dir.path().join("templates/extra.yaml"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: extra\nrules:\n  {{- toYaml .Values.extraRules | nindent 2 }}\n",
    )
    .unwrap();
    let values = dir.path().join("values.yaml");
    let mut text = std::fs::read_to_string(&values).unwrap();
    let line = text.lines().count() as u32 + 1;
    text.push_str(
        "extraRules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    verbs: [\"get\"]\n",
    );
    std::fs::write(&values, text).unwrap();
    // The same key in a later values file wins.
    std::fs::write(
        dir.path().join("values-prod.yaml"),
        "# prod\nextraRules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    verbs: [\"list\"]\n",
    )
    .unwrap();
    let report = scan(dir.path());
    let rbac = rbac_findings(&report);
    assert_eq!(rbac.len(), 1, "{rbac:#?}");
    let f = rbac[0];
    // On the template line of the action, the values line related.
    assert_eq!((f.path.as_str(), f.start_line), ("templates/extra.yaml", 6));
    let related: Vec<(&str, u32, &str)> = f
        .related
        .iter()
        .map(|r| (r.path.as_str(), r.start_line, r.message.as_str()))
        .collect();
    assert_eq!(
        related,
        [
            ("values.yaml", line, "`extraRules` is set here"),
            (
                "values-prod.yaml",
                1,
                "also reported when the chart is rendered with values-prod.yaml"
            )
        ]
    );
    // Literal template text is not attributed to values.
    let f = report
        .findings
        .iter()
        .find(|f| f.path == "templates/deployment.yaml");
    assert!(
        f.is_none_or(|f| f
            .related
            .iter()
            .all(|r| !r.message.ends_with("is set here"))),
        "{f:#?}"
    );
}

fn helm_fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/helm")
        .join(name)
}

fn error_of(report: &Report, path: &str) -> String {
    report
        .errors
        .iter()
        .filter(|e| e.path == path)
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Charts Helm itself cannot render with their default values (each cause of the fallbacks
/// seen on real charts): the warning says why, the other templates still render.
#[test]
fn templates_helm_cannot_render_either_say_why() {
    // A dependency of Chart.yaml never fetched into charts/: its defaults are missing, so a
    // field of them is a nil access (kube-prometheus-stack's clusterrole.yaml).
    let report = scan(&helm_fixture("missing-dependency"));
    let msg = error_of(&report, "templates/clusterrole.yaml");
    assert!(
        msg.contains("missing-dependency/templates/clusterrole.yaml:9: nil pointer evaluating interface {}.enabled")
            && msg.contains("dependencies of Chart.yaml not in charts/: metrics-agent (Helm refuses the chart until `helm dependency build` fetches them)"),
        "{msg}"
    );
    assert_eq!(error_of(&report, "templates/serviceaccount.yaml"), "");
    // A value the chart requires is not in its defaults, and a template reads the failing one
    // through `include` (prometheus-postgres-exporter's secrets.yaml and deployment.yaml).
    let report = scan(&helm_fixture("required-value"));
    let msg = error_of(&report, "templates/secret.yaml");
    assert!(
        msg.contains("required-value/templates/secret.yaml:1: in `required`: database.password must be set; the chart refuses these values and Helm fails the same way"),
        "{msg}"
    );
    let msg = error_of(&report, "templates/deployment.yaml");
    assert!(
        msg.contains("required-value/templates/secret.yaml:1: in `required`: database.password must be set (reached from this template through include or template)"),
        "{msg}"
    );
    assert_eq!(error_of(&report, "templates/configmap.yaml"), "");
    // An empty list printed on the line below its key, at the key's indentation: Helm's output
    // is not YAML either (eks-blueprints' karpenter nodepool.yaml with default values).
    let report = scan(&helm_fixture("empty-list-value"));
    let msg = error_of(&report, "templates/pool.yaml");
    assert!(
        msg.starts_with("YAML syntax error")
            && msg.ends_with(
                "(in the rendered template: its output is not YAML, which Helm refuses too)"
            ),
        "{msg}"
    );
    assert_eq!(report.errors.len(), 1, "{:#?}", report.errors);
    assert_eq!(report.errors[0].line, Some(9), "{:#?}", report.errors);
}

/// `testdata/helm-packed/parent` with `agent` packed as `charts/agent-1.0.0.tgz`, at `at`.
fn packed_chart(at: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm-packed");
    copy_dir(&src.join("parent"), at);
    std::fs::create_dir_all(at.join("charts")).unwrap();
    let tgz = nhilint::helm::archive::pack::tgz_of_dir(&src.join("agent"), "agent").unwrap();
    std::fs::write(at.join("charts/agent-1.0.0.tgz"), tgz).unwrap();
}

/// Objects of a subchart packed as `charts/*.tgz` are reported at the archive, the template
/// and its line in the message; suppression comments in the packed template and path classes
/// apply.
#[test]
fn findings_of_packed_subcharts_are_reported_at_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    packed_chart(&dir.path().join("deploy/parent"));
    let report = scan(dir.path());
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    let rbac = rbac_findings(&report);
    assert_eq!(rbac.len(), 1, "{:#?}", report.findings);
    let f = rbac[0];
    assert_eq!(
        (f.path.as_str(), f.start_line),
        ("deploy/parent/charts/agent-1.0.0.tgz", 1)
    );
    assert!(
        f.message.contains("release-name-agent")
            && f.message
                .ends_with("(in templates/clusterrole.yaml:7 of this packed subchart)"),
        "{}",
        f.message
    );
    // The second role's finding is suppressed by the comment in the packed template.
    assert_eq!(report.suppressed, 1);
    // In a test folder, structural findings are hidden as for any file there.
    let dir = tempfile::tempdir().unwrap();
    packed_chart(&dir.path().join("tests/parent"));
    let report = scan(dir.path());
    assert!(rbac_findings(&report).is_empty(), "{:#?}", report.findings);
    assert!(report.hidden_by_path_class >= 1);
}

/// A finding on a value a subchart template printed names where the value is set: the parent's
/// values line when the parent overrides the subchart's default, else the subchart's own
/// `values.yaml` (in a folder, or in the archive).
#[test]
fn subchart_values_lines_are_related_locations() {
    let extra =
        "extraRules:\n  - apiGroups: [\"\"]\n    resources: [\"secrets\"]\n    verbs: [\"list\"]\n";
    let related_of = |report: &Report| -> Vec<(String, u32, String)> {
        let f = rbac_findings(report)
            .into_iter()
            .find(|f| f.message.contains("release-name-agent-extra"))
            .unwrap_or_else(|| panic!("{:#?}", report.findings));
        f.related
            .iter()
            .map(|r| (r.path.clone(), r.start_line, r.message.clone()))
            .collect()
    };
    // Packed subchart, the parent overrides `extraRules`: the parent's line.
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent");
    packed_chart(&parent);
    let values = parent.join("values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    let line = text.lines().position(|l| l == "agent:").unwrap() as u32 + 2;
    let indented = format!("agent:\n  {}", extra.replace('\n', "\n  ").trim_end());
    std::fs::write(&values, text.replacen("agent:", &indented, 1)).unwrap();
    let report = scan(dir.path());
    assert_eq!(
        related_of(&report),
        [(
            "parent/values.yaml".to_string(),
            line,
            "`agent.extraRules` is set here".to_string()
        )]
    );
    // Packed subchart, its own default: the archive, the line inside it in the message.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/helm-packed");
    let parent = dir.path().join("parent");
    copy_dir(&src.join("parent"), &parent);
    let agent = dir.path().join("agent-src");
    copy_dir(&src.join("agent"), &agent);
    std::fs::write(
        agent.join("values.yaml"),
        format!("rbac:\n  create: false\n{extra}"),
    )
    .unwrap();
    std::fs::create_dir_all(parent.join("charts")).unwrap();
    let tgz = nhilint::helm::archive::pack::tgz_of_dir(&agent, "agent").unwrap();
    std::fs::write(parent.join("charts/agent-1.0.0.tgz"), tgz).unwrap();
    std::fs::remove_dir_all(&agent).unwrap();
    let report = scan(dir.path());
    assert_eq!(
        related_of(&report),
        [(
            "parent/charts/agent-1.0.0.tgz".to_string(),
            1,
            "`extraRules` is set here (in values.yaml:3 of this packed subchart)".to_string()
        )]
    );
    // The same subchart as a folder: its values.yaml line.
    std::fs::remove_file(parent.join("charts/agent-1.0.0.tgz")).unwrap();
    copy_dir(&src.join("agent"), &parent.join("charts/agent"));
    std::fs::write(
        parent.join("charts/agent/values.yaml"),
        format!("rbac:\n  create: false\n{extra}"),
    )
    .unwrap();
    let report = scan(dir.path());
    assert_eq!(
        related_of(&report),
        [(
            "parent/charts/agent/values.yaml".to_string(),
            3,
            "`extraRules` is set here".to_string()
        )]
    );
}
