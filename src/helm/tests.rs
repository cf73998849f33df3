use super::*;
use std::fs;

fn chart(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (p, t) in files {
        let path = d.path().join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, t).unwrap();
    }
    d
}

fn out(r: &ChartRendering, name: &str) -> String {
    let t = r.templates.iter().find(|t| t.name == name).unwrap();
    assert!(t.error.is_none(), "{:?}", t.error);
    t.text.clone().unwrap()
}

const CHART: &str = "apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: \"2.0\"\n";

#[test]
fn renders_values_helpers_and_branches() {
    let d = chart(&[
        ("Chart.yaml", CHART),
        (
            "values.yaml",
            "rbac:\n  create: true\nserviceAccount:\n  name: \"\"\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x\nport: 8080\n",
        ),
        (
            "templates/_helpers.tpl",
            "{{- define \"demo.fullname\" -}}\n{{- printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 | trimSuffix \"-\" }}\n{{- end }}\n{{- define \"demo.sa\" -}}\n{{ default (include \"demo.fullname\" .) .Values.serviceAccount.name }}\n{{- end }}\n",
        ),
        (
            "templates/rbac.yaml",
            "{{- if .Values.rbac.create }}\nkind: ClusterRole\nmetadata:\n  name: {{ include \"demo.fullname\" . }}\n{{- else }}\nkind: Role\n{{- end }}\n",
        ),
        (
            "templates/sa.yaml",
            "kind: ServiceAccount\nmetadata:\n  name: {{ include \"demo.sa\" . }}\n  {{- with .Values.serviceAccount.annotations }}\n  annotations:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\nport: {{ .Values.port }}\n",
        ),
    ]);
    let r = render_dir(d.path(), &Options::default()).unwrap();
    assert_eq!(
        out(&r, "demo/templates/rbac.yaml"),
        "\nkind: ClusterRole\nmetadata:\n  name: release-name-demo\n"
    );
    let sa = out(&r, "demo/templates/sa.yaml");
    assert_eq!(
        sa,
        "kind: ServiceAccount\nmetadata:\n  name: release-name-demo\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x\nport: 8080\n"
    );
    // The source map: the name's output maps to the `include` action on line 3.
    let t = r
        .templates
        .iter()
        .find(|t| t.name == "demo/templates/sa.yaml")
        .unwrap();
    let at = sa.find("release-name-demo").unwrap();
    let src = fs::read_to_string(d.path().join("templates/sa.yaml")).unwrap();
    let off = t.source_offset(at).unwrap();
    assert!(src[off..].starts_with("{{ include \"demo.sa\""));
    let kind = t.source_offset(sa.find("ServiceAccount").unwrap()).unwrap();
    assert!(src[kind..].starts_with("ServiceAccount"));

    let opts = Options {
        values: Some(value::parse_yaml("rbac:\n  create: false\n").unwrap()),
        ..Options::default()
    };
    let r = render_dir(d.path(), &opts).unwrap();
    assert_eq!(out(&r, "demo/templates/rbac.yaml"), "\nkind: Role\n");
}

#[test]
fn failures_degrade_per_template() {
    let d = chart(&[
        ("Chart.yaml", CHART),
        ("values.yaml", "a: {}\n"),
        ("templates/bad.yaml", "x: 1\ny: {{ .Values.a.b.c }}\n"),
        (
            "templates/req.yaml",
            "x: {{ required \"pw is required\" .Values.pw }}\n",
        ),
        (
            "templates/loop.yaml",
            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}\n",
        ),
        ("templates/syntax.yaml", "{{ if .Values.a }}\n"),
        ("templates/ok.yaml", "ok: {{ .Values.a | toJson }}\n"),
        ("templates/arity.yaml", "a: 1\nb: {{ has }}\n"),
        ("templates/arity2.yaml", "{{ include \"x\" }}\n"),
        (
            "templates/cycle.yaml",
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ toYaml $d }}\n",
        ),
    ]);
    let r = render_dir(d.path(), &Options::default()).unwrap();
    assert_eq!(out(&r, "demo/templates/ok.yaml"), "ok: {}\n");
    let err = |n: &str| {
        r.templates
            .iter()
            .find(|t| t.name == n)
            .unwrap()
            .error
            .clone()
            .unwrap()
    };
    let e = err("demo/templates/bad.yaml");
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("nil pointer evaluating interface {}.c"),
        "{e}"
    );
    // A wrong argument count is Go's error naming the function, never a panic.
    let e = err("demo/templates/arity.yaml");
    assert_eq!((e.line, e.function.as_deref()), (2, Some("has")));
    assert!(
        e.message
            .contains("wrong number of args for has: want 2 got 0"),
        "{e}"
    );
    assert!(
        err("demo/templates/arity2.yaml")
            .message
            .contains("wrong number of args for include: want 2 got 1")
    );
    let e = err("demo/templates/req.yaml");
    assert_eq!(e.function.as_deref(), Some("required"));
    assert!(
        err("demo/templates/loop.yaml")
            .message
            .contains("evaluation budget exceeded")
    );
    assert!(
        err("demo/templates/syntax.yaml")
            .message
            .contains("parse error")
    );
}

#[test]
fn subcharts_scope_values_and_globals() {
    let d = chart(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n  - name: sub\n    condition: sub.enabled\n  - name: off\n    condition: off.enabled\n",
        ),
        (
            "values.yaml",
            "global:\n  region: eu\nsub:\n  enabled: true\n  name: fromparent\noff:\n  enabled: false\n",
        ),
        ("templates/a.yaml", "top: {{ .Values.sub.name }}\n"),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        (
            "charts/sub/values.yaml",
            "name: default\nother: 1\nglobal:\n  region: us\n  zone: a\n",
        ),
        (
            "charts/sub/templates/s.yaml",
            "sub: {{ .Values.name }} {{ .Values.other }} {{ .Values.global.region }} {{ .Values.global.zone }} {{ .Chart.Name }} {{ .Template.Name }}\n",
        ),
        (
            "charts/off/Chart.yaml",
            "apiVersion: v2\nname: off\nversion: 0.1.0\n",
        ),
        ("charts/off/templates/o.yaml", "off: true\n"),
    ]);
    let r = render_dir(d.path(), &Options::default()).unwrap();
    assert_eq!(out(&r, "top/templates/a.yaml"), "top: fromparent\n");
    assert_eq!(
        out(&r, "top/charts/sub/templates/s.yaml"),
        "sub: fromparent 1 eu a sub top/charts/sub/templates/s.yaml\n"
    );
    assert!(r.templates.iter().all(|t| !t.name.contains("/off/")));
}

fn eval(src: &str, values: &str) -> String {
    let d = chart(&[
        ("Chart.yaml", CHART),
        ("values.yaml", values),
        ("templates/t.yaml", src),
    ]);
    let r = render_dir(d.path(), &Options::default()).unwrap();
    out(&r, "demo/templates/t.yaml")
}

#[test]
fn go_template_semantics() {
    assert_eq!(
        eval(
            "{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }},{{ end }}",
            "l: [a, b]"
        ),
        "0=a,1=b,"
    );
    assert_eq!(
        eval(
            "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }},{{ else }}none{{ end }}",
            "m: {b: 2, a: 1}"
        ),
        "a=1,b=2,"
    );
    assert_eq!(
        eval("{{ range .Values.none }}x{{ else }}none{{ end }}", "a: 1"),
        "none"
    );
    assert_eq!(
        eval(
            "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
            "a: 1"
        ),
        "2"
    );
    assert_eq!(
        eval(
            "{{ and .Values.a .Values.a.b }}|{{ or .Values.z \"d\" }}",
            "a: {b: 3}"
        ),
        "3|d"
    );
    assert_eq!(
        eval(
            "{{ with .Values.a }}{{ .b }}{{ end }}{{ with .Values.z }}no{{ else }}else{{ end }}",
            "a: {b: 3}"
        ),
        "3else"
    );
    assert_eq!(
        eval(
            "{{ range .Values.l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}",
            "l: [1, 2, 3, 4, 5]"
        ),
        "13"
    );
    assert_eq!(
        eval(
            "{{ .Values.big }} {{ .Values.on1 }} {{ .Values.num | int }} {{ add 1 2 }}",
            "big: 1000000\non1: yes\nnum: 3"
        ),
        "1e+06 true 3 3"
    );
    assert_eq!(
        eval(
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d | toJson }}",
            "a: 1"
        ),
        "{\"a\":1,\"b\":2}"
    );
    assert_eq!(
        eval(
            "{{ merge (dict \"a\" 1) (dict \"a\" 2 \"b\" 3) | toJson }} {{ mergeOverwrite (dict \"a\" 1) (dict \"a\" 2) | toJson }}",
            "a: 1"
        ),
        "{\"a\":1,\"b\":3} {\"a\":2}"
    );
    assert_eq!(
        eval("{{ tpl .Values.t . }}", "t: \"{{ .Values.x }}-y\"\nx: 5"),
        "5-y"
    );
    assert_eq!(
        eval(
            "{{ semverCompare \">=1.21-0\" .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.APIVersions.Has \"apps/v1\" }}",
            "a: 1"
        ),
        "true true"
    );
    assert_eq!(
        eval(
            "{{ dig \"a\" \"b\" \"none\" .Values }} {{ hasKey .Values \"a\" }} {{ .Values.missing }}|",
            "a: {b: x}"
        ),
        "x true |"
    );
    assert_eq!(
        eval(
            "{{ list 1 2 | join \",\" }} {{ splitList \",\" \"a,b\" | last }} {{ \"AbC\" | lower | upper }}",
            "a: 1"
        ),
        "1,2 b ABC"
    );
    assert_eq!(
        eval(
            "{{ quote .Values.p }} {{ .Values.s | b64enc }} {{ ternary \"y\" \"n\" true }} {{ coalesce \"\" \"c\" }}",
            "p: 80\ns: hi"
        ),
        "\"80\" aGk= y c"
    );
}

#[test]
fn tgz_subcharts_render_with_their_parent() {
    use super::archive::pack::{entry, gz};
    let mut tar = entry(
        "sub/Chart.yaml",
        b'0',
        b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    );
    tar.extend(entry("sub/values.yaml", b'0', b"name: packed\nport: 1\n"));
    tar.extend(entry(
        "sub/templates/s.yaml",
        b'0',
        b"sub: {{ .Values.name }} {{ .Values.port }} {{ .Values.global.region }}\n",
    ));
    let d = chart(&[
        ("Chart.yaml", CHART),
        ("values.yaml", "global:\n  region: eu\nsub:\n  port: 2\n"),
        ("templates/a.yaml", "a: 1\n"),
    ]);
    fs::write(d.path().join("charts/sub-0.1.0.tgz"), gz(&tar)).unwrap_or_else(|_| {
        fs::create_dir_all(d.path().join("charts")).unwrap();
        fs::write(d.path().join("charts/sub-0.1.0.tgz"), gz(&tar)).unwrap();
    });
    // An archive that escapes its folder is not read; the chart still renders.
    fs::write(
        d.path().join("charts/evil-0.1.0.tgz"),
        gz(&entry("../evil/Chart.yaml", b'0', b"name: evil\n")),
    )
    .unwrap();
    let r = render_dir(d.path(), &Options::default()).unwrap();
    assert_eq!(
        out(&r, "demo/charts/sub/templates/s.yaml"),
        "sub: packed 2 eu\n"
    );
    assert!(r.templates.iter().all(|t| !t.name.contains("evil")));
}

/// The values source map follows dot into `with` and `range` bodies over lists and scalars of
/// the values, and not into templates they include (dot is another value there).
#[test]
fn values_keys_follow_dot_into_with_and_range() {
    let d = chart(&[
        ("Chart.yaml", CHART),
        (
            "values.yaml",
            "rules:\n  - verbs: [get]\nimage: app:1\nempty: []\nlabels:\n  a: b\n",
        ),
        (
            "templates/_h.tpl",
            "{{- define \"h\" -}}{{ . }}{{- end }}\n",
        ),
        (
            "templates/a.yaml",
            "r: {{- with .Values.rules }}{{ toYaml . }}{{ end }}\ni: {{ with .Values.image }}{{ . }}{{ end }}\ns: {{ range .Values.rules }}{{ toYaml . }}{{ end }}\ne: {{ with .Values.empty }}{{ . }}{{ else }}{{ toYaml . }}{{ end }}\nh: {{ with .Values.image }}{{ include \"h\" \"x\" }}{{ end }}\nl: {{ with .Values.labels }}{{ toYaml . }}{{ end }}\n",
        ),
    ]);
    let r = render_dir(d.path(), &Options::default()).unwrap();
    let t = r
        .templates
        .iter()
        .find(|t| t.name == "demo/templates/a.yaml")
        .unwrap();
    let text = &t.source;
    let keys: Vec<(u32, &str)> = t
        .values
        .iter()
        .map(|(at, k)| (super::line_of(text, *at), k.as_str()))
        .collect();
    // Line 4's else branch prints the outer dot (not a value); line 5 prints an included
    // template's own dot.
    assert_eq!(
        keys,
        [(1, "rules"), (2, "image"), (3, "rules"), (6, "labels")]
    );
}
