//! Source files, their kind (classified by path, then content) and line/column mapping.

use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Terraform,
    TerraformJson,
    TfVars,
    TerraformPlan,
    TerraformState,
    Kubernetes,
    HelmTemplate,
    HelmValues,
    HelmChart,
    Kustomization,
    GithubWorkflow,
    GithubAction,
    GitlabCi,
    CircleCi,
    AzurePipelines,
    Bitbucket,
    /// A declarative or scripted `Jenkinsfile` (Groovy).
    Jenkinsfile,
    /// A Jenkins Job DSL seed script (Groovy).
    JobDsl,
    /// Jenkins Configuration as Code (`jenkins.yaml`).
    JenkinsCasc,
    /// An AWS CloudFormation template in YAML (also SAM).
    CloudFormation,
    /// An AWS CloudFormation template in JSON (also SAM and CDK output `*.template.json`).
    CloudFormationJson,
    /// A Serverless Framework service (`serverless.yml`).
    Serverless,
    Yaml,
    Json,
    Python,
    JavaScript,
    TypeScript,
    Go,
    Java,
    CSharp,
    Ruby,
    Php,
    Kotlin,
    Shell,
    Dotenv,
    Text,
}

/// How a kind's text is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Hcl,
    Yaml,
    Json,
    Code,
    Text,
}

impl FileKind {
    pub fn format(self) -> Format {
        use FileKind::*;
        match self {
            Terraform | TfVars => Format::Hcl,
            TerraformJson | TerraformPlan | TerraformState | CloudFormationJson | Json => {
                Format::Json
            }
            Kubernetes | HelmTemplate | HelmValues | HelmChart | Kustomization | GithubWorkflow
            | GithubAction | GitlabCi | CircleCi | AzurePipelines | Bitbucket | JenkinsCasc
            | CloudFormation | Serverless | Yaml => Format::Yaml,
            Python | JavaScript | TypeScript | Go | Java | CSharp | Ruby | Php | Kotlin => {
                Format::Code
            }
            Shell | Dotenv | Text | Jenkinsfile | JobDsl => Format::Text,
        }
    }

    /// The rule target (card `target`) whose rules see this kind. Secrets rules see every kind.
    pub fn target(self) -> &'static str {
        use FileKind::*;
        match self {
            Terraform | TerraformJson | TfVars | TerraformPlan | TerraformState => "terraform",
            Kubernetes | HelmTemplate | HelmValues | HelmChart | Kustomization => "kubernetes",
            GithubWorkflow | GithubAction | GitlabCi | CircleCi | AzurePipelines | Bitbucket
            | Jenkinsfile | JobDsl | JenkinsCasc => "ci",
            Python | JavaScript | TypeScript | Go | Java | CSharp | Ruby | Php | Kotlin => "source",
            CloudFormation | CloudFormationJson | Serverless => "cloudformation",
            Yaml | Json | Shell | Dotenv | Text => "other",
        }
    }

    pub fn name(self) -> &'static str {
        use FileKind::*;
        match self {
            Terraform => "terraform",
            TerraformJson => "terraform-json",
            TfVars => "tfvars",
            TerraformPlan => "terraform-plan",
            TerraformState => "terraform-state",
            Kubernetes => "kubernetes",
            HelmTemplate => "helm-template",
            HelmValues => "helm-values",
            HelmChart => "helm-chart",
            Kustomization => "kustomization",
            GithubWorkflow => "github-workflow",
            GithubAction => "github-action",
            GitlabCi => "gitlab-ci",
            CircleCi => "circleci",
            AzurePipelines => "azure-pipelines",
            Bitbucket => "bitbucket",
            Jenkinsfile => "jenkinsfile",
            JobDsl => "jenkins-job-dsl",
            JenkinsCasc => "jenkins-casc",
            CloudFormation => "cloudformation",
            CloudFormationJson => "cloudformation-json",
            Serverless => "serverless",
            Yaml => "yaml",
            Json => "json",
            Python => "python",
            JavaScript => "javascript",
            TypeScript => "typescript",
            Go => "go",
            Java => "java",
            CSharp => "csharp",
            Ruby => "ruby",
            Php => "php",
            Kotlin => "kotlin",
            Shell => "shell",
            Dotenv => "dotenv",
            Text => "text",
        }
    }
}

/// Rule targets of the app-to-app surfaces, which read files of other kinds: `mesh`
/// (Istio, Linkerd and Consul objects, Helm values, Consul config entries), `vault` (Terraform
/// and policy HCL), `agent` (MCP client configurations), `container` (Dockerfiles, Compose files)
/// and `script` (shell scripts).
pub const APP_TARGETS: [&str; 5] = ["mesh", "vault", "agent", "container", "script"];

/// Does a rule of `target` run on this file? Each kind has one main target
/// ([`FileKind::target`]); the app-to-app targets pick their files by kind and path.
pub fn runs_on(target: &str, file: &SourceFile) -> bool {
    use FileKind::*;
    if target == file.kind.target() {
        return true;
    }
    if !matches!(target, "mesh" | "vault" | "agent" | "container" | "script") {
        return false;
    }
    let lower = file.path.to_ascii_lowercase();
    match target {
        "mesh" => {
            matches!(file.kind, Kubernetes | HelmTemplate | HelmValues)
                || file.kind == Terraform && lower.ends_with(".hcl")
        }
        "vault" => matches!(file.kind, Terraform | TerraformJson),
        "agent" => file.kind == Json && is_mcp_config(&lower),
        "container" => {
            is_dockerfile(&lower) || is_compose(&lower) && matches!(file.kind, Yaml | Kubernetes)
        }
        "script" => file.kind == Shell,
        _ => false,
    }
}

fn file_name(lower_path: &str) -> &str {
    lower_path.rsplit('/').next().unwrap_or(lower_path)
}

/// MCP client configurations: `.vscode/mcp.json`, `.cursor/mcp.json`, `.mcp.json`,
/// `claude_desktop_config.json` and the other agents' files of the same shape.
pub fn is_mcp_config(lower_path: &str) -> bool {
    let name = file_name(lower_path);
    matches!(
        name,
        "mcp.json"
            | ".mcp.json"
            | "mcp_config.json"
            | "claude_desktop_config.json"
            | "cline_mcp_settings.json"
            | "mcp_settings.json"
    ) || lower_path.ends_with(".gemini/settings.json")
        || lower_path.ends_with(".claude/settings.json")
}

/// `Dockerfile`, `Dockerfile.x`, `x.Dockerfile`, `Containerfile`.
pub fn is_dockerfile(lower_path: &str) -> bool {
    let name = file_name(lower_path);
    name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
        || name.ends_with(".dockerfile")
}

/// `docker-compose*.yml`, `compose*.yaml`.
pub fn is_compose(lower_path: &str) -> bool {
    let name = file_name(lower_path);
    (name.starts_with("docker-compose") || name.starts_with("compose."))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Classify by path (forward-slash, relative to the scan root), then by content.
pub fn classify(rel_path: &str, text: &str) -> FileKind {
    use FileKind::*;
    let lower = rel_path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let parent_dirs: Vec<&str> = lower.split('/').collect();
    let in_dir =
        |d: &str| parent_dirs.len() > 1 && parent_dirs[..parent_dirs.len() - 1].contains(&d);
    let is_yaml = name.ends_with(".yml") || name.ends_with(".yaml");

    if name.ends_with(".tf.json") {
        return TerraformJson;
    }
    if name.ends_with(".tf") || name.ends_with(".hcl") && !name.ends_with(".pkr.hcl") {
        return Terraform;
    }
    if name.ends_with(".tfvars") {
        return TfVars;
    }
    if name.ends_with(".tfvars.json") {
        return TerraformJson;
    }
    if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") {
        return TerraformState;
    }
    if is_yaml && lower.contains(".github/workflows/") {
        return GithubWorkflow;
    }
    if name == "action.yml" || name == "action.yaml" {
        return GithubAction;
    }
    if name == ".gitlab-ci.yml"
        || name == ".gitlab-ci.yaml"
        || (is_yaml && lower.contains(".gitlab/ci/"))
    {
        return GitlabCi;
    }
    if lower.ends_with(".circleci/config.yml") || lower.ends_with(".circleci/config.yaml") {
        return CircleCi;
    }
    if is_yaml
        && (name.starts_with("azure-pipelines")
            || lower.contains(".azure-pipelines/")
            || lower.contains(".azuredevops/"))
    {
        return AzurePipelines;
    }
    if name == "bitbucket-pipelines.yml" || name == "bitbucket-pipelines.yaml" {
        return Bitbucket;
    }
    if name == "jenkinsfile" || name.starts_with("jenkinsfile.") || name.ends_with(".jenkinsfile") {
        return Jenkinsfile;
    }
    if name.ends_with(".groovy") {
        let dsl = [
            "pipelineJob(",
            "multibranchPipelineJob(",
            "freeStyleJob(",
            "folder(",
            "job(",
        ];
        if dsl.iter().any(|d| text.contains(d)) {
            return JobDsl;
        }
        if text.contains("pipeline {")
            || text.contains("withCredentials")
            || text.contains("node {")
        {
            return Jenkinsfile;
        }
    }
    if is_yaml
        && (name == "jenkins.yaml"
            || name == "jenkins.yml"
            || in_dir("casc_configs")
            || (has_top_key(text, "jenkins")
                && (has_top_key(text, "credentials") || has_top_key(text, "unclassified"))))
    {
        return JenkinsCasc;
    }
    if let Some(k) = aws_template(name, is_yaml, text) {
        return k;
    }
    if name == "chart.yaml" || name == "chart.yml" {
        return HelmChart;
    }
    if name == "kustomization.yaml" || name == "kustomization.yml" || name == "kustomization" {
        return Kustomization;
    }
    if is_yaml && in_dir("templates") && (text.contains("{{") || text.contains("apiVersion")) {
        return HelmTemplate;
    }
    if name.ends_with(".tpl") && in_dir("templates") {
        return HelmTemplate;
    }
    if is_yaml && name.starts_with("values") && looks_like_chart_dir(&parent_dirs) {
        return HelmValues;
    }
    if is_yaml {
        if has_top_key(text, "apiVersion") && has_top_key(text, "kind") {
            return Kubernetes;
        }
        return Yaml;
    }
    if name.ends_with(".json") {
        let head = prefix(text, 4096);
        if head.contains("\"format_version\"")
            && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
        {
            return TerraformPlan;
        }
        return Json;
    }
    if name.ends_with(".py") {
        return Python;
    }
    if name.ends_with(".js")
        || name.ends_with(".mjs")
        || name.ends_with(".cjs")
        || name.ends_with(".jsx")
    {
        return JavaScript;
    }
    if name.ends_with(".ts")
        || name.ends_with(".tsx")
        || name.ends_with(".mts")
        || name.ends_with(".cts")
    {
        return TypeScript;
    }
    if name.ends_with(".go") {
        return Go;
    }
    if name.ends_with(".java") {
        return Java;
    }
    if name.ends_with(".cs") {
        return CSharp;
    }
    if name.ends_with(".rb") || name.ends_with(".rake") {
        return Ruby;
    }
    if name.ends_with(".php") {
        return Php;
    }
    if name.ends_with(".kt") || name.ends_with(".kts") {
        return Kotlin;
    }
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return Shell;
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Dotenv;
    }
    if manifest_content(text) {
        return Kubernetes;
    }
    Text
}

/// Bytes of a file's start that template detection reads (bounded cost on large files).
const SNIFF_BYTES: usize = 64 * 1024;

/// A CloudFormation (SAM, CDK output) template or a Serverless Framework service, by content:
/// `AWSTemplateFormatVersion`, `Transform: AWS::Serverless…`, or `Resources` with a
/// `Type: AWS::…` resource, in the first [`SNIFF_BYTES`] bytes. YAML, JSON and `.template`.
fn aws_template(name: &str, is_yaml: bool, text: &str) -> Option<FileKind> {
    let is_json = name.ends_with(".json");
    let is_template = name.ends_with(".template");
    if !(is_yaml || is_json || is_template) {
        return None;
    }
    let head = prefix(text, SNIFF_BYTES);
    if is_yaml
        && (name == "serverless.yml" || name == "serverless.yaml")
        && has_top_key(head, "service")
        && has_top_key(head, "provider")
    {
        return Some(FileKind::Serverless);
    }
    let json = is_json || is_template && head.trim_start().starts_with('{');
    let cfn = if json {
        head.contains("\"AWSTemplateFormatVersion\"")
            || head.contains("\"AWS::Serverless-2016-10-31\"")
            || head.contains("\"Resources\"")
                && (head.contains("\"Type\": \"AWS::") || head.contains("\"Type\":\"AWS::"))
    } else {
        has_top_key(head, "AWSTemplateFormatVersion")
            || has_top_key(head, "Transform") && head.contains("AWS::Serverless")
            || has_top_key(head, "Resources")
                && head.lines().any(|l| {
                    l.trim_start().starts_with("Type: AWS::")
                        || l.trim_start().starts_with("Type: 'AWS::")
                        || l.trim_start().starts_with("Type: \"AWS::")
                })
    };
    match (cfn, json) {
        (false, _) => None,
        (true, true) => Some(FileKind::CloudFormationJson),
        (true, false) => Some(FileKind::CloudFormation),
    }
}

/// Is the text of a file with another extension (`k8s/main.key`, `deploy.manifest`) clearly a
/// Kubernetes manifest? Its first line of content (comments, blank lines and `---` skipped,
/// within the first 4 KiB) is `apiVersion:` or `kind:` at column 0, and the other key is also a
/// top-level key (a `kubectl get -o yaml` List has `kind:` last); Jinja (`{%`) is not taken.
/// Costs one bounded look at the head and one substring search.
pub fn manifest_content(text: &str) -> bool {
    let head = prefix(text, 4096);
    let Some(first) = head
        .lines()
        .map(|l| l.trim_end())
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
    else {
        return false;
    };
    let other = if first.starts_with("apiVersion:") {
        "kind:"
    } else if first.starts_with("kind:") {
        "apiVersion:"
    } else {
        return false;
    };
    if head.contains("{%") {
        return false;
    }
    let b = text.as_bytes();
    memchr::memmem::find_iter(b, other.as_bytes()).any(|i| i == 0 || b[i - 1] == b'\n')
}

fn looks_like_chart_dir(_dirs: &[&str]) -> bool {
    // values*.yaml anywhere is treated as Helm values; a Chart.yaml sibling is the usual case but
    // cannot be checked from the path alone, and values files outside charts are rare.
    true
}

/// True if a line starts with `key:` at column 0 (cheap content sniffing before parsing).
fn has_top_key(text: &str, key: &str) -> bool {
    // `key` at a line start among the first 400 lines (as `str::lines` counts them).
    let b = text.as_bytes();
    let (mut counted, mut newlines) = (0, 0);
    for i in memchr::memmem::find_iter(b, key.as_bytes()) {
        newlines += memchr::memchr_iter(b'\n', &b[counted..i]).count();
        counted = i;
        if newlines >= 400 {
            return false;
        }
        if i > 0 && b[i - 1] != b'\n' {
            continue;
        }
        let rest = &text[i + key.len()..];
        let line = rest.split('\n').next().unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim_start().starts_with(':') {
            return true;
        }
    }
    false
}

/// One file of the scan.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Relative to the scan root, forward slashes.
    pub path: String,
    pub text: Arc<str>,
    pub kind: FileKind,
    /// Built on first use (most files of a scan never report a line).
    lines: Arc<std::sync::OnceLock<LineIndex>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let path = path.into();
        let text: Arc<str> = text.into();
        let kind = classify(&path, &text);
        let lines = Arc::default();
        SourceFile {
            path,
            text,
            kind,
            lines,
        }
    }

    pub fn with_kind(mut self, kind: FileKind) -> Self {
        self.kind = kind;
        self
    }

    /// Drop the text (the file keeps its path and kind): for a scan that will not read it again.
    pub fn forget_text(&mut self) {
        self.text = Arc::from("");
        self.lines = Arc::default();
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based (line, column); columns count Unicode scalar values.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        self.lines().line_col(&self.text, offset)
    }

    pub fn line_text(&self, line: u32) -> &str {
        self.lines().line_text(&self.text, line)
    }
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of each line start (`u32`: half the memory of `usize` for every line of
    /// every file a scan holds; files are far below 4 GiB, see `[scan] max-file-size`).
    starts: Vec<u32>,
    /// Non-ASCII text: characters before every [`CHAR_BLOCK`]-byte block start, so a column
    /// costs at most one block of counting, not the whole line (`None`: ASCII, byte = column).
    chars: Option<Vec<u32>>,
}

/// Block size of the character checkpoints of [`LineIndex`].
const CHAR_BLOCK: usize = 1024;

/// Characters starting in `b` (bytes that are not UTF-8 continuation bytes).
fn char_starts(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c & 0xC0 != 0x80).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        assert!(u32::try_from(text.len()).is_ok(), "text of 4 GiB or more");
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        starts.shrink_to_fit();
        let chars = (!text.is_ascii()).then(|| {
            let mut acc = 0;
            let mut v = Vec::with_capacity(text.len() / CHAR_BLOCK + 2);
            v.push(0);
            for block in text.as_bytes().chunks(CHAR_BLOCK) {
                acc += char_starts(block) as u32;
                v.push(acc);
            }
            v
        });
        LineIndex { starts, chars }
    }

    /// Characters in `text[..offset]` (`offset` on a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        match &self.chars {
            None => offset,
            Some(v) => {
                let block = offset / CHAR_BLOCK;
                v[block] as usize + char_starts(&text.as_bytes()[block * CHAR_BLOCK..offset])
            }
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts
            .get(line0)
            .copied()
            .unwrap_or(*self.starts.last().unwrap_or(&0)) as usize
    }

    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let l = self.line_of(offset);
        let start = self.starts[l] as usize;
        let mut o = offset;
        while o > start && !text.is_char_boundary(o) {
            o -= 1;
        }
        let col = self.chars_before(text, o) - self.chars_before(text, start) + 1;
        (l as u32 + 1, col as u32)
    }

    /// Text of a 1-based line, without its newline.
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> &'a str {
        let l = (line.max(1) - 1) as usize;
        if l >= self.starts.len() {
            return "";
        }
        let s = self.starts[l] as usize;
        let e = self.starts.get(l + 1).map_or(text.len(), |&e| e as usize);
        text[s..e].trim_end_matches(['\n', '\r'])
    }
}

/// Convenience: kinds that hold Kubernetes-style documents.
pub fn is_kube_kind(k: FileKind) -> bool {
    matches!(
        k,
        FileKind::Kubernetes | FileKind::HelmTemplate | FileKind::Kustomization
    )
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary (never
/// splits a multi-byte character, unlike `&s[..max]`).
pub fn prefix(s: &str, max: usize) -> &str {
    if max >= s.len() {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keys_within_the_first_400_lines() {
        let slow = |text: &str, key: &str| {
            text.lines().take(400).any(|l| {
                l.strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
        };
        let deep = format!("{}kind: Pod\n", "x: 1\n".repeat(399));
        let deeper = format!("{}kind: Pod\n", "x: 1\n".repeat(400));
        for text in [
            "kind: Pod",
            "kind : Pod\r\n",
            "kind\r\n: x",
            "kind\r: x",
            "kind\r",
            " kind: Pod",
            "a: 1\nkinds: 2\nkind:",
            "a: kind: 1",
            "kind\t\u{a0}: x",
            "",
            "\n\nkind",
            deep.as_str(),
            deeper.as_str(),
        ] {
            assert_eq!(has_top_key(text, "kind"), slow(text, "kind"), "{text:?}");
        }
    }

    #[test]
    fn classify_paths() {
        assert_eq!(classify("infra/main.tf", ""), FileKind::Terraform);
        assert_eq!(
            classify(".github/workflows/ci.yml", ""),
            FileKind::GithubWorkflow
        );
        assert_eq!(
            classify("k8s/app.yaml", "apiVersion: v1\nkind: Pod\n"),
            FileKind::Kubernetes
        );
        assert_eq!(classify("conf.yaml", "a: 1\n"), FileKind::Yaml);
        assert_eq!(classify(".gitlab-ci.yml", ""), FileKind::GitlabCi);
        assert_eq!(
            classify("chart/templates/dep.yaml", "{{ x }}"),
            FileKind::HelmTemplate
        );
        assert_eq!(classify("app/x.py", ""), FileKind::Python);
        // Content classification for other extensions.
        assert_eq!(
            classify(
                "k8s/main.key",
                "apiVersion: v1\nitems:\n- kind: Secret\nkind: List\n"
            ),
            FileKind::Kubernetes
        );
        assert_eq!(
            classify(
                "deploy/app.manifest",
                "# app\n---\nkind: Pod\napiVersion: v1\n"
            ),
            FileKind::Kubernetes
        );
        assert_eq!(
            classify("notes.txt", "see apiVersion: v1\nkind: Pod\n"),
            FileKind::Text
        );
        assert_eq!(
            classify("a.key", "apiVersion: v1\n  kind: x\n"),
            FileKind::Text
        );
        assert_eq!(
            classify("t.j2", "apiVersion: v1\nkind: Pod\n{% if x %}\n"),
            FileKind::Text
        );
        assert_eq!(
            classify("main.py", "apiVersion: v1\nkind: Pod\n"),
            FileKind::Python
        );
    }

    #[test]
    fn classify_aws_templates_by_content() {
        let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
        assert_eq!(classify("infra/stack.yaml", yaml), FileKind::CloudFormation);
        let sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n";
        assert_eq!(classify("template.yml", sam), FileKind::CloudFormation);
        let bare = "Resources:\n  R:\n    Type: AWS::IAM::Role\n";
        assert_eq!(classify("templates/r.yaml", bare), FileKind::CloudFormation);
        let cdk = "{\n \"Resources\": {\n  \"R\": {\n   \"Type\": \"AWS::IAM::Role\"\n  }\n }\n}\n";
        assert_eq!(
            classify("cdk.out/App.template.json", cdk),
            FileKind::CloudFormationJson
        );
        assert_eq!(
            classify("old/stack.template", cdk),
            FileKind::CloudFormationJson
        );
        let sls = "service: api\nprovider:\n  name: aws\n";
        assert_eq!(classify("serverless.yml", sls), FileKind::Serverless);
        assert_eq!(
            classify("config.yaml", "Resources:\n  a: 1\n"),
            FileKind::Yaml
        );
        assert_eq!(
            classify("package.json", "{\"name\": \"x\"}"),
            FileKind::Json
        );
    }

    #[test]
    fn line_cols() {
        let f = SourceFile::new("a", "ab\nçd\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_text(2), "çd");
    }

    /// Columns from the character checkpoints agree with counting, across block boundaries.
    #[test]
    fn line_cols_long_non_ascii_line() {
        let text = format!("x\n{}\n", "aé€😀".repeat(700));
        let f = SourceFile::new("a", text.as_str());
        for (o, _) in text.char_indices().step_by(97) {
            let line_start = text[..o].rfind('\n').map_or(0, |i| i + 1);
            let col = text[line_start..o].chars().count() as u32 + 1;
            assert_eq!(f.line_col(o).1, col, "offset {o}");
        }
    }
}
