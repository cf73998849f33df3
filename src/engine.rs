//! The pipeline: parse → extract → evaluate → suppress, for one file (editor) or a whole scan.

use crate::config::Config;
use crate::context::{FileCx, FileUnit, ProjectCx, Report, today};
use crate::facts::{self, Facts};
use crate::finding::{Finding, Related, stable_hash};
use crate::finding::{ScanError, without_namespaces};
use crate::lang;
use crate::lang::{Parsed, budget_message};
use crate::pathclass::PathClass;
use crate::rules::card::RuleKind;
use crate::rules::{Rule, RuleSet};
use crate::source::{FileKind, Format, SourceFile};
use crate::suppress;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Engine {
    pub config: Config,
    pub rules: RuleSet,
    pub secrets: crate::secrets::SecretsEngine,
    pub inline_suppressions: bool,
    /// Helm charts rendered during the current scan.
    pub helm: crate::helm::scan::Cache,
    /// The process exits after this scan (the CLI): the syntax trees and facts of every file
    /// are left to the operating system instead of being freed one allocation at a time.
    pub leak_at_exit: bool,
    /// Parse and extract only what the active rules read (`check`): a file no active rule
    /// reads is not parsed, and facts are extracted only when a project rule is active. Off
    /// for the inventory and the editor, which want every file's facts.
    pub lean: bool,
}

/// Sees each project context of a scan before its rules run (`false`) and after (`true`): the
/// editor gives it a model kept from an earlier pass ([`ProjectCx::preset`]) and keeps the ones
/// built.
pub type CxHook<'h> = &'h (dyn Fn(&ProjectCx, bool) + Sync);

pub struct FileOutcome {
    pub unit: FileUnit,
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
}

impl Engine {
    pub fn new(config: Config, rules: RuleSet) -> Engine {
        let secrets = crate::secrets::SecretsEngine::new(&rules);
        Engine {
            config,
            rules,
            secrets,
            inline_suppressions: true,
            helm: Default::default(),
            leak_at_exit: false,
            lean: false,
        }
    }

    /// Does an active rule read this file's syntax tree (a file rule of its target, or any
    /// project rule), or its facts?
    fn wants_tree(&self, file: &SourceFile) -> bool {
        if !self.lean {
            return true;
        }
        let target = file.kind.target();
        self.rules.rules.iter().any(|r| {
            r.is_project()
                || r.card.target != "secrets"
                    && (r.card.reads(target) || crate::source::runs_on(&r.card.target, file))
        })
    }

    /// Facts are read by project rules (and the inventory and the editor).
    fn wants_facts(&self) -> bool {
        !self.lean || self.rules.rules.iter().any(|r| r.is_project())
    }

    /// Parse one file into its value tree; parse errors are returned located.
    pub fn parse(file: &SourceFile) -> (Parsed, Vec<ScanError>) {
        let err = |off: usize, msg: String| {
            let (l, _) = file.line_col(off);
            ScanError {
                path: file.path.clone(),
                line: Some(l),
                message: budget_message(&file.path, l, msg),
            }
        };
        match file.kind.format() {
            Format::Hcl => {
                let p = lang::hcl::parse(&file.text);
                let errors = p
                    .error
                    .map(|e| vec![err(e.offset, e.message)])
                    .unwrap_or_default();
                (Parsed::Hcl(p.doc), errors)
            }
            // Helm helper files (`_helpers.tpl`) are Go templates, not YAML.
            Format::Yaml if file.kind == FileKind::HelmTemplate && file.path.ends_with(".tpl") => {
                (Parsed::None, Vec::new())
            }
            Format::Yaml => {
                let p = if matches!(file.kind, FileKind::CloudFormation | FileKind::Serverless) {
                    lang::yaml::parse_untemplated(&file.text)
                } else {
                    lang::yaml::parse(&file.text)
                };
                let errors = p
                    .errors
                    .into_iter()
                    .map(|e| err(e.offset, e.message))
                    .collect();
                (Parsed::Yaml(p.docs), errors)
            }
            Format::Json => match lang::json::parse(&file.text) {
                Ok(d) => (Parsed::Json(d), Vec::new()),
                Err(e) => (Parsed::None, vec![err(e.offset, e.message)]),
            },
            Format::Code | Format::Text => (Parsed::None, Vec::new()),
        }
    }

    /// Everything that one file yields on its own: parse, facts, file rules, secrets. A panic
    /// in one stage or one rule becomes an error of this file; the other stages still run.
    pub fn analyze_file(&self, file: SourceFile) -> FileOutcome {
        self.analyze_file_at(file, None)
    }

    /// The rendering a Helm template of a chart on disk is read through by default: the
    /// chart's values, with the release name and namespace `[[helm.charts]]` gives it.
    fn default_rendering(
        &self,
        file: &SourceFile,
        abs: &Path,
    ) -> Option<crate::helm::scan::Variant> {
        use crate::helm::scan::{chart_dir, chart_rel, variants};
        let dir = chart_dir(abs)?;
        let rel = chart_rel(&file.path, abs, &dir)?;
        Some(variants(&self.config, &dir, self.config.config_relative(&rel)).0)
    }

    /// [`Engine::parse`], except that a Helm template of a chart on disk (`abs`) is read as
    /// its chart's rendering (`variant`, by default the chart's values), spans in the
    /// template; a template that fails to render is masked as before, with a warning.
    fn parse_at(
        &self,
        file: &SourceFile,
        abs: Option<&Path>,
        variant: Option<&crate::helm::scan::Variant>,
    ) -> (Parsed, Vec<ScanError>, Option<crate::helm::scan::Variant>) {
        if file.kind == FileKind::HelmTemplate
            && !file.path.ends_with(".tpl")
            && let Some(abs) = abs
            && let Some(variant) = variant
                .cloned()
                .or_else(|| self.default_rendering(file, abs))
        {
            use crate::helm::scan::{Outcome, template};
            match template(file, abs, &self.helm, &variant) {
                Outcome::Rendered(docs, errs) => {
                    let errors = errs
                        .into_iter()
                        .map(|e| {
                            let (l, _) = file.line_col(e.offset);
                            ScanError {
                                path: file.path.clone(),
                                line: Some(l),
                                message: e.message,
                            }
                        })
                        .collect();
                    return (Parsed::Yaml(docs), errors, Some(variant));
                }
                Outcome::Failed(why) => {
                    let (parsed, mut errors) = Engine::parse(file);
                    let why = match variant.label() {
                        Some(l) => format!("{why} (rendered with {l})"),
                        None => why,
                    };
                    errors.push(ScanError {
                        path: file.path.clone(),
                        line: None,
                        message: why,
                    });
                    return (parsed, errors, None);
                }
                Outcome::NotRendered => {}
            }
        }
        let (parsed, errors) = Engine::parse(file);
        (parsed, errors, None)
    }

    /// [`Engine::analyze_file`] for a file read from `abs` on disk (Helm templates are read
    /// through their chart's rendering).
    pub fn analyze_file_at(&self, file: SourceFile, abs: Option<&Path>) -> FileOutcome {
        self.analyze_file_as(file, abs, None)
    }

    /// [`Engine::analyze_file_at`] with a Helm template read through the chart rendering
    /// `variant` (`None`: the default one).
    pub fn analyze_file_as(
        &self,
        file: SourceFile,
        abs: Option<&Path>,
        variant: Option<&crate::helm::scan::Variant>,
    ) -> FileOutcome {
        let mut errors = Vec::new();
        let mut rendering = None;
        let internal = |what: &str, p: crate::guard::Panic| ScanError {
            path: file.path.clone(),
            line: None,
            message: p.message(what),
        };
        // Minified, bundled, generated and vendored code: only the secrets engine reads it.
        let bulk = is_bulk_code(&file, &self.config);
        let parsed = if file.text.is_empty() || bulk || !self.wants_tree(&file) {
            Parsed::None
        } else {
            match crate::guard::catch(|| self.parse_at(&file, abs, variant)) {
                Ok((parsed, errs, r)) => {
                    errors.extend(errs);
                    rendering = r.map(std::sync::Arc::new);
                    parsed
                }
                Err(p) => {
                    errors.push(internal("while parsing this file", p));
                    Parsed::None
                }
            }
        };
        let facts = if bulk || !self.wants_facts() {
            Facts::default()
        } else {
            crate::guard::catch(|| facts::extract(&file, &parsed, &self.config)).unwrap_or_else(
                |p| {
                    errors.push(internal("while reading identities from this file", p));
                    Facts::default()
                },
            )
        };
        let mut findings = Vec::new();
        {
            let cx = FileCx {
                file: &file,
                parsed: &parsed,
                facts: &facts,
                config: &self.config,
            };
            let target = file.kind.target();
            for rule in &self.rules.rules {
                if rule.is_project()
                    || bulk
                    || !(rule.card.reads(target)
                        || crate::source::runs_on(&rule.card.target, &file))
                {
                    continue;
                }
                let mut out = Vec::new();
                match crate::guard::catch(|| run_file_rule(rule, &cx, &mut out)) {
                    Ok(()) => findings.extend(out),
                    Err(p) => errors.push(internal(&format!("in rule `{}`", rule.id()), p)),
                }
            }
            let mut out = Vec::new();
            match crate::guard::catch(|| self.secrets.scan(&cx, &self.rules, &mut out)) {
                Ok(()) => findings.extend(out),
                Err(p) => errors.push(internal("in the secret detectors", p)),
            }
            // Where the evaluation of this file on its own ran out of budget (the analysis
            // facts and rules shared).
            if target == "terraform"
                && let Ok(errs) = crate::guard::catch(|| {
                    crate::terraform::analysis::file_budget_errors(&file, &parsed, &self.config)
                })
            {
                errors.extend(errs);
            }
            // The evaluation shared by this file's facts and rules is not needed any more
            // (project rules build their own): free it now, not when the thread analyses its
            // next file.
            crate::terraform::analysis::forget_file_analysis();
        }
        FileOutcome {
            unit: FileUnit {
                file,
                parsed,
                facts,
                rendering,
            },
            findings,
            errors,
        }
    }

    /// The facts of these files joined; Kustomize overlays' rendered facts replace those of the
    /// files they consume.
    pub fn joined_facts(&self, units: &[FileUnit]) -> Facts {
        self.joined_facts_checked(units, &mut Vec::new())
    }

    /// [`Engine::joined_facts`], adding the kustomizations that failed to render to `errors`.
    pub fn joined_facts_checked(&self, units: &[FileUnit], errors: &mut Vec<ScanError>) -> Facts {
        let mut all = Facts::default();
        for u in units {
            all.extend(u.facts.clone());
        }
        self.join_rest(units, all, errors)
    }

    /// [`Engine::joined_facts_checked`] that moves each unit's facts instead of copying them
    /// (when nothing joins these units again): a repository's facts are held once, not twice.
    fn joined_facts_taken(&self, units: &mut [FileUnit], errors: &mut Vec<ScanError>) -> Facts {
        let mut all = Facts::default();
        for u in units.iter_mut() {
            let f = std::mem::take(&mut u.facts);
            if all.is_empty() {
                all = f;
            } else {
                all.extend(f);
            }
        }
        self.join_rest(units, all, errors)
    }

    fn join_rest(&self, units: &[FileUnit], mut all: Facts, errors: &mut Vec<ScanError>) -> Facts {
        errors.extend(facts::kubernetes::apply_kustomize(
            units,
            &mut all,
            &self.config,
        ));
        all.sort();
        all
    }

    /// Project rules over every file and the joined facts.
    pub fn run_project(&self, root: &Path, units: &[FileUnit], facts: &Facts) -> Vec<Finding> {
        self.run_project_where(root, units, facts, |_| true, &|_, _| {}, &mut Vec::new())
    }

    /// The project rules that `keep` selects. A panic in a rule becomes an error naming the
    /// rule (added to `errors`); the other rules' findings are kept. `hook` sees the context
    /// before the rules run (`false`) and after (`true`).
    pub fn run_project_where(
        &self,
        root: &Path,
        units: &[FileUnit],
        facts: &Facts,
        keep: impl Fn(&Rule) -> bool,
        hook: CxHook,
        errors: &mut Vec<ScanError>,
    ) -> Vec<Finding> {
        let cx = ProjectCx::new(root, units, facts, &self.config);
        hook(&cx, false);
        let project_rules: Vec<&std::sync::Arc<Rule>> = self
            .rules
            .rules
            .iter()
            .filter(|r| r.is_project() && keep(r))
            .collect();
        prebuild_models(&cx, &project_rules);
        let results: Vec<Result<Vec<Finding>, ScanError>> = project_rules
            .par_iter()
            .map(|rule| {
                let mut out = Vec::new();
                let Some(check) = rule.project_check else {
                    return Ok(out);
                };
                let t0 = std::time::Instant::now();
                let r = crate::guard::catch(|| check(&cx, rule, &mut out));
                if crate::guard::timings() {
                    let ms = t0.elapsed().as_secs_f64() * 1e3;
                    eprintln!("timing rule {}: {ms:.1} ms", rule.id());
                }
                r.map(|()| {
                    let mut out = out;
                    dedup_same_place(&mut out, 0);
                    out
                })
                .map_err(|p| ScanError {
                    path: ".".into(),
                    line: None,
                    message: p.message(&format!("in rule `{}`", rule.id())),
                })
            })
            .collect();
        let mut findings = Vec::new();
        for r in results {
            match r {
                Ok(f) => findings.extend(f),
                Err(e) => errors.push(e),
            }
        }
        // Where the Terraform project analysis (if the rules built one) ran out of budget.
        errors.extend(crate::terraform::analysis::project_budget_errors(&cx));
        hook(&cx, true);
        findings
    }

    /// Suppress, apply path classes, fingerprint and sort raw findings. `files` gives each
    /// path's text. Returns the findings, the number suppressed and the number hidden by path
    /// class.
    pub fn finish(
        &self,
        raw: Vec<Finding>,
        files: &HashMap<String, SourceFile>,
        today: &str,
    ) -> (Vec<Finding>, usize, usize) {
        let generic: Vec<&str> = self
            .secrets
            .detectors
            .iter()
            .filter(|d| d.spec.generic)
            .map(|d| d.rule.card.id.as_str())
            .collect();
        let raw = defer_to_secret_detectors(raw, &generic);
        let mut by_path: HashMap<String, Vec<Finding>> = HashMap::new();
        for f in raw {
            by_path.entry(f.path.clone()).or_default().push(f);
        }
        let mut out = Vec::new();
        let mut suppressed = 0;
        let mut paths: Vec<String> = by_path.keys().cloned().collect();
        // Files with suppression comments but no findings still need checking (unused ones).
        if self.inline_suppressions
            && (self.rules.contains(suppress::UNUSED_RULE)
                || self.rules.contains(suppress::EXPIRED_RULE)
                || self.rules.contains(suppress::NO_REASON_RULE))
        {
            for p in files.keys() {
                if !by_path.contains_key(p) {
                    paths.push(p.clone());
                }
            }
        }
        paths.sort();
        paths.dedup();
        for p in paths {
            let fs = by_path.remove(&p).unwrap_or_default();
            match files.get(&p) {
                Some(file) => {
                    let (kept, n) =
                        suppress::apply(file, fs, &self.rules, self.inline_suppressions, today);
                    suppressed += n;
                    out.extend(kept);
                }
                None => out.extend(fs),
            }
        }
        // Config path ignores.
        let before = out.len();
        let path_ignores = suppress::PathIgnores::new(&self.config);
        out.retain(|f| !path_ignores.ignores(f));
        suppressed += before - out.len();
        let before = out.len();
        out = self.apply_path_classes(out);
        let hidden = before - out.len();
        out = self.merge_duplicates(out, files);
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out.dedup_by(|a, b| {
            a.sort_key() == b.sort_key() && a.end_line == b.end_line && a.end_column == b.end_column
        });
        assign_fingerprints(&mut out, files);
        (out, suppressed, hidden)
    }

    /// One finding per problem. A rule reporting one spot several times (a wildcard expanded by
    /// `dynamic` or `for_each`) keeps the most severe; the same Kubernetes finding about
    /// identical text in several files (one object in several generated bundles, copies of a
    /// manifest) becomes one finding, at the place whose path class is most production-like,
    /// with the other places as related locations.
    fn merge_duplicates(
        &self,
        mut findings: Vec<Finding>,
        files: &HashMap<String, SourceFile>,
    ) -> Vec<Finding> {
        let class_rank = |p: &str| match self.config.path_class(p) {
            PathClass::Production => 0,
            PathClass::Generated => 1,
            _ => 2,
        };
        findings.sort_by(|a, b| {
            (
                class_rank(&a.path),
                &a.path,
                a.span.start,
                a.span.end,
                &a.rule_id,
            )
                .cmp(&(
                    class_rank(&b.path),
                    &b.path,
                    b.span.start,
                    b.span.end,
                    &b.rule_id,
                ))
                .then(b.severity.cmp(&a.severity))
                .then(a.message.cmp(&b.message))
        });
        // Same rule, same spot: the first (most severe) stays.
        findings.dedup_by(|later, kept| {
            later.rule_id == kept.rule_id
                && later.path == kept.path
                && later.span == kept.span
                && later.start_line == kept.start_line
        });
        let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
        let mut by_key: HashMap<(String, String, String), usize> = HashMap::new();
        for f in findings {
            // Kubernetes objects are applied as bundles (install.yaml, namespace-install.yaml,
            // ha/install.yaml): the same object in several is one object. Terraform blocks and
            // workflows in other files are other resources, and secrets are reported where
            // they are.
            let mergeable = f.mask.is_empty()
                && self.rules.get(&f.rule_id).is_some_and(|r| {
                    r.card.rule_kind() != RuleKind::Secret
                        && matches!(r.card.target.as_str(), "kubernetes" | "mesh")
                });
            let text = files
                .get(&f.path)
                .and_then(|s| s.text.get(f.span.clone()))
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            if !mergeable || text.is_empty() {
                out.push(f);
                continue;
            }
            // One object rendered by Kustomize (`argocd/argocd-server`) and written in a
            // generated bundle without a namespace (`argocd-server`) is one object: the key is
            // the message with namespaces dropped, unless names are templates (one chart's
            // `{{ include "x.fullname" . }}` is not another's), then the text as well.
            let key = if f.message.contains("{{") {
                (f.rule_id.clone(), f.message.clone(), text)
            } else {
                (
                    f.rule_id.clone(),
                    without_namespaces(&f.message),
                    String::new(),
                )
            };
            match by_key.get(&key) {
                Some(&i) if out[i].path != f.path => {
                    let kept = &mut out[i];
                    let here = Related {
                        path: f.path.clone(),
                        start_line: f.start_line,
                        start_column: Some(f.start_column),
                        end_line: Some(f.end_line),
                        end_column: Some(f.end_column),
                        message: "the same object in another file".into(),
                    };
                    if !kept
                        .related
                        .iter()
                        .any(|r| r.path == here.path && r.start_line == here.start_line)
                    {
                        kept.related.push(here);
                    }
                    kept.severity = kept.severity.max(f.severity);
                }
                _ => {
                    by_key.insert(key, out.len());
                    out.push(f);
                }
            }
        }
        // A related location is listed once and never repeats the finding's own location.
        for f in &mut out {
            let (path, line) = (f.path.clone(), f.start_line);
            let mut seen: Vec<(String, u32, Option<u32>)> = Vec::new();
            f.related.retain(|r| {
                let k = (r.path.clone(), r.start_line, r.start_column);
                let own = r.path == path && r.start_line == line;
                if own || seen.contains(&k) {
                    return false;
                }
                seen.push(k);
                true
            });
        }
        out
    }

    /// Where findings report, by the class of their path: structural findings only in the
    /// classes of `[paths] structural-in` (default: not in test, fixture, e2e); secret values in
    /// test, example and docs paths one confidence step lower.
    fn apply_path_classes(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let paths = &self.config.paths;
        findings
            .into_iter()
            .filter_map(|mut f| {
                let class = self.config.path_class(&f.path);
                if class == PathClass::Production {
                    return Some(f);
                }
                let kind = self
                    .rules
                    .get(&f.rule_id)
                    .map(|r| r.card.rule_kind())
                    .unwrap_or(RuleKind::Meta);
                let secret = kind == RuleKind::Secret || !f.mask.is_empty();
                if secret {
                    if class.is_test() || class.is_illustrative() {
                        f.confidence = f.confidence.lower();
                    }
                    return Some(f);
                }
                match kind {
                    RuleKind::Structural if !paths.structural_reports_in(class) => None,
                    RuleKind::Governance if class != PathClass::Generated => None,
                    _ => Some(f),
                }
            })
            .collect()
    }

    /// May [`Engine::scan_files`] free the text of a file that reported nothing once its own
    /// pass is done? Only in `check` (lean) when no project rule is active, no kustomization is
    /// scanned (rendering reads every file) and no rule about unused suppression comments reads
    /// every file at the end: then only findings' files are read again (suppressions, merging,
    /// fingerprints, output), and the others keep their path and kind.
    fn forgets_clean_texts(&self, kustomize: bool) -> bool {
        self.lean
            && !kustomize
            && !self.rules.rules.iter().any(|r| r.is_project())
            && !(self.inline_suppressions
                && (self.rules.contains(suppress::UNUSED_RULE)
                    || self.rules.contains(suppress::EXPIRED_RULE)
                    || self.rules.contains(suppress::NO_REASON_RULE)))
    }

    /// Scan a list of files (already walked). `root` is the scan root for project rules.
    pub fn scan_files(
        &self,
        root: &Path,
        inputs: Vec<crate::walk::Input>,
        progress: Option<&AtomicUsize>,
    ) -> Report {
        let start = std::time::Instant::now();
        self.helm.clear();
        // Helm template files on disk, for the charts' extra renderings.
        let mut helm_abs = helm_template_paths(&inputs);
        let archives = packed_archives(&inputs);
        let kustomize = inputs.iter().any(|i| is_kustomization_name(&i.rel));
        let forget_clean = self.forgets_clean_texts(kustomize);
        let results: Vec<(Option<FileOutcome>, Option<ScanError>, bool)> = inputs
            .into_par_iter()
            .map(|inp| {
                let mut r = self.analyze_input(&inp);
                // After its own pass a file keeps its syntax tree only if a project model may
                // read it (`check`: nothing else looks at the trees of a finished scan).
                if self.lean
                    && let (Some(o), _, _) = &mut r
                    && !project_reads_tree(o.unit.file.kind, kustomize)
                {
                    o.unit.parsed = Parsed::None;
                }
                // A file that reported nothing and that nothing after its own pass reads: its
                // text is freed now, so that the next file this thread reads reuses the memory
                // (no fresh pages to fault in) instead of the scan holding every text to the end.
                if forget_clean
                    && let (Some(o), _, _) = &mut r
                    && o.findings.is_empty()
                    && matches!(o.unit.parsed, Parsed::None)
                    && o.unit.facts.is_empty()
                    && o.unit.rendering.is_none()
                    && o.unit.file.kind != FileKind::HelmTemplate
                {
                    o.unit.file.forget_text();
                }
                if let Some(p) = progress {
                    p.fetch_add(1, Ordering::Relaxed);
                }
                r
            })
            .collect();
        memtrace("the per-file pass");
        crate::guard::phase("files");
        let mut report = Report::default();
        let mut units = Vec::new();
        let mut raw = Vec::new();
        for (o, e, skipped) in results {
            if let Some(o) = o {
                report.stats.files_scanned += 1;
                raw.extend(o.findings);
                report.errors.extend(o.errors);
                units.push(o.unit);
            }
            if let Some(e) = e {
                report.errors.push(e);
            }
            if skipped {
                report.stats.files_skipped += 1;
            }
        }
        let (packed, packed_outcomes) = self.analyze_packed(&archives);
        for (abs, o) in packed_outcomes {
            raw.extend(o.findings);
            report.errors.extend(o.errors);
            helm_abs.insert(o.unit.file.path.clone(), abs);
            units.push(o.unit);
        }
        // Terraform facts of multi-file modules: values from sibling files and tfvars.
        facts::terraform::resolve_module_dirs(&mut units, &self.config);
        crate::guard::phase("tf-dirs");
        self.sort_for_project(&mut units);
        // Kustomizations that fail to render and project rules that fail (each partition runs
        // them again: `errors` is deduplicated with the others at the end).
        let mut errors = Vec::new();
        let all = self.project_pass(
            root,
            &mut units,
            &helm_abs,
            &|_| true,
            &|_, _| {},
            (None, true),
            &mut raw,
            &mut errors,
        );
        units.sort_by(|a, b| a.file.path.cmp(&b.file.path));
        report.errors.extend(errors);
        let files: HashMap<String, SourceFile> = units
            .iter()
            .map(|u| (u.file.path.clone(), u.file.clone()))
            .collect();
        for f in &raw {
            if !f.mask.is_empty() {
                report
                    .masks
                    .entry(f.path.clone())
                    .or_default()
                    .extend(f.mask.iter().cloned());
            }
        }
        crate::guard::phase("helm");
        // Suppression failing must not lose the findings: they are then reported unsuppressed.
        let (findings, suppressed, hidden) =
            crate::guard::catch(|| self.finish(raw.clone(), &files, &today())).unwrap_or_else(
                |p| {
                    report.errors.push(ScanError {
                        path: ".".into(),
                        line: None,
                        message: p.message("while applying suppressions"),
                    });
                    let mut raw = raw;
                    raw.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                    (raw, 0, 0)
                },
            );
        memtrace("suppressions");
        crate::guard::phase("finish");
        report.findings = findings;
        packed.relocate(&mut report.findings, &mut report.errors);
        report.suppressed = suppressed;
        report.hidden_by_path_class = hidden;
        report.errors.sort();
        report.errors.dedup();
        report.facts = all;
        report.sources = files;
        report.stats.duration_ms = start.elapsed().as_millis() as u64;
        if self.leak_at_exit {
            std::mem::forget(units);
        }
        report
    }

    /// The per-file half of a scan for one walked input: read, then [`Engine::analyze_file_at`]
    /// (a Helm template on disk through its chart's rendering). Returns the outcome, an error
    /// (unreadable, failed) and whether the file was skipped.
    pub fn analyze_input(
        &self,
        inp: &crate::walk::Input,
    ) -> (Option<FileOutcome>, Option<ScanError>, bool) {
        let error = |message: String| ScanError {
            path: inp.rel.clone(),
            line: None,
            message,
        };
        let max = self.config.scan.max_file_size;
        let read = crate::guard::catch(|| crate::walk::read_input(inp, max))
            .unwrap_or_else(|p| crate::walk::Read::Error(p.message("while reading this file")));
        match read {
            crate::walk::Read::Text(file) => {
                let abs = inp.text.is_none().then_some(inp.abs.as_path());
                match crate::guard::catch(|| self.analyze_file_at(file, abs)) {
                    Ok(o) => (Some(o), None, false),
                    Err(p) => (
                        None,
                        Some(error(p.message("while analysing this file"))),
                        false,
                    ),
                }
            }
            crate::walk::Read::Skip(_) => (None, None, true),
            crate::walk::Read::Error(msg) => (None, Some(error(msg)), true),
        }
    }

    /// Templates of packed subcharts (`charts/*.tgz` among the inputs, [`packed_archives`]),
    /// each read as a file of its own (logical path below the archive's), with the archive's
    /// path on disk; they are reported at the archive ([`crate::helm::scan::Packed::relocate`]).
    pub fn analyze_packed(
        &self,
        archives: &[(String, PathBuf)],
    ) -> (crate::helm::scan::Packed, Vec<(PathBuf, FileOutcome)>) {
        let (packed, packed_templates) =
            crate::helm::scan::Packed::find(&self.config, &self.helm, archives);
        let outcomes: Vec<Option<FileOutcome>> = packed_templates
            .par_iter()
            .map(|(logical, abs, text)| {
                let mut file = SourceFile::new(logical.clone(), text.clone());
                file.kind = FileKind::HelmTemplate;
                crate::guard::catch(|| self.analyze_file_at(file, Some(abs))).ok()
            })
            .collect();
        let outcomes = packed_templates
            .into_iter()
            .zip(outcomes)
            .filter_map(|((_, abs, _), o)| Some((abs, o?)))
            .collect();
        (packed, outcomes)
    }

    /// The order [`Engine::project_pass`] expects: deployed files first in one graph;
    /// examples/docs and tests each see it plus their own files (by path class), then by path.
    pub fn sort_for_project(&self, units: &mut [FileUnit]) {
        let group = |u: &FileUnit| self.config.path_class(&u.file.path).graph_group();
        units.sort_by_cached_key(|u| (group(u), u.file.path.clone()));
    }

    /// The project half of a scan: the project rules `keep` selects over `units` (in
    /// [`Engine::sort_for_project`] order), examples/docs and tests each with the deployed files
    /// and reporting only in their own files (fixtures never feed production's graph), and the
    /// Helm charts' other renderings; their findings are added to `raw`. `facts`: the units'
    /// facts already joined (used when every unit is deployed and no chart has another
    /// rendering; the empty facts are returned then), and whether the units' facts may be moved
    /// out (nothing joins them again). Returns the joined facts.
    #[allow(clippy::too_many_arguments)]
    pub fn project_pass(
        &self,
        root: &Path,
        units: &mut [FileUnit],
        helm_abs: &HashMap<String, PathBuf>,
        keep: &(dyn Fn(&Rule) -> bool + Sync),
        hook: CxHook,
        facts: (Option<&Facts>, bool),
        raw: &mut Vec<Finding>,
        errors: &mut Vec<ScanError>,
    ) -> Facts {
        let (joined, take_facts) = facts;
        let group = |u: &FileUnit| self.config.path_class(&u.file.path).graph_group();
        let n_illustrative = units.iter().filter(|u| group(u) == 0).count();
        let n_deployed = units.iter().filter(|u| group(u) == 1).count();
        // Charts rendered again with other values: their objects join the facts of the graph
        // their chart is in (inventory, trust paths); their findings are reported below.
        let extras = crate::helm::scan::extra_renderings(
            crate::helm::scan::Scan {
                config: &self.config,
                cache: &self.helm,
                abs: helm_abs,
                units,
            },
            |u, abs, variant| {
                crate::guard::catch(|| {
                    self.analyze_file_as(u.file.clone(), Some(abs), Some(variant))
                })
                .ok()
                .map(|o| (o.findings, o.errors, o.unit))
            },
            errors,
        );
        let extra_facts: Vec<(u8, Facts, &str)> = extras
            .iter()
            .filter_map(|x| {
                let g = group(x.units.first()?);
                let mut f = Facts::default();
                x.units.iter().for_each(|u| f.extend(u.facts.clone()));
                Some((g, f, x.label.as_str()))
            })
            .collect();
        let with_extra = |mut facts: Facts, groups: &[u8]| {
            if extra_facts.iter().any(|(g, _, _)| groups.contains(g)) {
                for (_, f, label) in extra_facts.iter().filter(|(g, _, _)| groups.contains(g)) {
                    facts.merge_rendering(f.clone(), label);
                }
                facts.sort();
            }
            facts
        };
        // One partition (everything deployed): the units' facts are not joined again. Else
        // the facts of every file are joined last, when the partitions' facts and models are
        // gone (a repository's facts are held once more, not twice more, at the peak).
        // The caller may give the joined facts (one partition, no other rendering).
        let one = n_deployed == units.len();
        let given = joined.filter(|_| one && extra_facts.is_empty());
        let join = |units: &mut [FileUnit], errors: &mut Vec<ScanError>| {
            if take_facts {
                self.joined_facts_taken(units, errors)
            } else {
                self.joined_facts_checked(units, errors)
            }
        };
        // Docs and tests that give the project rules nothing to read (inert files, no other
        // rendering of theirs): the deployed files' facts are every file's facts, taken for the
        // deployed run instead of copied.
        let rest_inert = !one
            && given.is_none()
            && take_facts
            && units[..n_illustrative]
                .iter()
                .chain(&units[n_illustrative + n_deployed..])
                .all(is_inert)
            && extra_facts.iter().all(|(g, _, _)| *g == 1);
        let all = ((one && given.is_none()) || rest_inert)
            .then(|| with_extra(join(units, errors), &[0, 1, 2]));
        memtrace("joining facts");
        let ro: &[FileUnit] = units;
        let deployed = &ro[n_illustrative..n_illustrative + n_deployed];
        crate::guard::phase("joined");
        let mut deployed_found = Vec::new();
        if let (true, Some(all)) = (rest_inert, &all) {
            deployed_found = self.run_project_where(root, deployed, all, keep, hook, errors);
            raw.extend(deployed_found.iter().cloned());
        } else if let Some(all) = given.or(all.as_ref()) {
            raw.extend(self.run_project_where(root, ro, all, keep, hook, errors));
        } else {
            let facts = with_extra(self.joined_facts_checked(deployed, errors), &[1]);
            deployed_found = self.run_project_where(root, deployed, &facts, keep, hook, errors);
            raw.extend(deployed_found.iter().cloned());
        }
        let partitions = [
            (0u8, &ro[..n_illustrative + n_deployed], n_illustrative > 0),
            (
                2u8,
                &ro[n_illustrative..],
                n_illustrative + n_deployed < units.len(),
            ),
        ];
        for (g, slice, any) in partitions {
            if !any {
                continue;
            }
            // Every rule runs, so that the summary can count what the classes hide. When the
            // partition's own files give the project rules nothing to read (no tree, no facts,
            // no chart rendering: READMEs, prose, plain code), its run would repeat the
            // deployed one: its findings are those of the deployed run.
            let own = if g == 0 {
                &ro[..n_illustrative]
            } else {
                &ro[n_illustrative + n_deployed..]
            };
            if own.iter().all(is_inert) && !extra_facts.iter().any(|(x, _, _)| *x == g) {
                raw.extend(
                    deployed_found
                        .iter()
                        .filter(|f| self.config.path_class(&f.path).graph_group() == g)
                        .cloned(),
                );
                continue;
            }
            let groups: &[u8] = if g == 0 { &[0, 1] } else { &[1, 2] };
            let facts = with_extra(self.joined_facts_checked(slice, errors), groups);
            let found = self.run_project_where(root, slice, &facts, keep, hook, errors);
            raw.extend(
                found
                    .into_iter()
                    .filter(|f| self.config.path_class(&f.path).graph_group() == g),
            );
        }
        memtrace("the project rules");
        crate::guard::phase("project");
        let all = match (all, given) {
            (Some(all), _) => all,
            (None, Some(_)) => Facts::default(),
            (None, None) => with_extra(join(units, errors), &[0, 1, 2]),
        };
        let read_through: HashMap<String, (PathBuf, std::sync::Arc<crate::config::HelmRendering>)> =
            units
                .iter()
                .filter_map(|u| {
                    let r = u.rendering.clone()?;
                    Some((
                        u.file.path.clone(),
                        (helm_abs.get(&u.file.path)?.clone(), r),
                    ))
                })
                .collect();
        crate::helm::scan::values_related(&self.helm, &read_through, raw);
        crate::helm::scan::report_extra(
            &self.helm,
            helm_abs,
            extras,
            &all,
            |xunits, errors| {
                let facts = self.joined_facts_checked(xunits, errors);
                self.run_project_where(root, xunits, &facts, keep, hook, errors)
            },
            raw,
            errors,
        );
        all
    }

    /// Per-file check of an in-memory text (editor, `--stdin-filename`): file rules, secrets and
    /// suppressions, no project rules.
    pub fn check_text(&self, path: &str, text: &str) -> (Vec<Finding>, Vec<ScanError>) {
        let file = SourceFile::new(path, text);
        let o = self.analyze_file(file.clone());
        let mut files = HashMap::new();
        files.insert(file.path.clone(), file);
        let (f, _, _) = self.finish(o.findings, &files, &today());
        (f, o.errors)
    }
}

/// Build the shared models that `rules` will ask for side by side before the rules run, when
/// they need more than one: a rule waiting for a model another rule is building would otherwise
/// leave its core idle (the editor's pass after a Kubernetes edit waited on the trust graph and
/// the Kubernetes graph one after the other). A model whose build panics is left unbuilt; the
/// rule that asks for it reports the failure as before.
fn prebuild_models(cx: &crate::context::ProjectCx, rules: &[&std::sync::Arc<Rule>]) {
    let needs = |target: &str| rules.iter().any(|r| r.card.reads(target));
    let (trust, kube, tf) = (needs("project"), needs("kubernetes"), needs("terraform"));
    if [trust, kube, tf].iter().filter(|b| **b).count() < 2 {
        return;
    }
    let builds: [(bool, &str, &(dyn Fn() + Sync)); 3] = [
        (trust, "trust graph", &|| {
            cx.trust_graph();
        }),
        (kube, "Kubernetes graph", &|| {
            cx.kube_graph();
        }),
        (tf, "Terraform evaluation", &|| {
            cx.terraform();
        }),
    ];
    rayon::scope(|s| {
        for (wanted, name, build) in builds {
            if wanted {
                s.spawn(move |_| {
                    let t0 = std::time::Instant::now();
                    let _ = crate::guard::catch(build);
                    if crate::guard::timings() {
                        let ms = t0.elapsed().as_secs_f64() * 1e3;
                        eprintln!("timing model {name}: {ms:.1} ms");
                    }
                });
            }
        }
    });
}

/// Helm template files on disk among `inputs` (for the charts' extra renderings), by path.
pub fn helm_template_paths(inputs: &[crate::walk::Input]) -> HashMap<String, PathBuf> {
    inputs
        .iter()
        .filter(|i| i.text.is_none() && i.rel.contains("templates/"))
        .map(|i| (i.rel.clone(), i.abs.clone()))
        .collect()
}

/// Subcharts packed as `charts/*.tgz` among `inputs` (their templates are read after the files).
pub fn packed_archives(inputs: &[crate::walk::Input]) -> Vec<(String, PathBuf)> {
    inputs
        .iter()
        .filter(|i| i.text.is_none() && i.rel.ends_with(".tgz") && i.rel.contains("charts/"))
        .map(|i| (i.rel.clone(), i.abs.clone()))
        .collect()
}

/// One secret, one finding: a context rule about a literal secret (NHI2, e.g.
/// `gitlab-literal-secret`) is dropped when a provider detector (`secret-*`) reports the same
/// bytes; the detector's finding names the credential type and is the same in every format. The
/// kept finding takes the higher severity and confidence of the two, so a literal secret weighs
/// the same in a default run as with `--select <context rule>` (`--fail-on high` must not pass
/// because a generic detector won the tie).
/// A secret reported both by a `secret-*` detector and by a structural rule (CI literal secret,
/// Helm value…) is reported once: by the detector, with the stronger severity and confidence of
/// the two. Against a catch-all detector (`generic = true`: a secret-named assignment) the
/// specific rule wins instead and the catch-all finding is dropped.
fn defer_to_secret_detectors(raw: Vec<Finding>, generic: &[&str]) -> Vec<Finding> {
    let is_generic = |f: &Finding| generic.contains(&f.rule_id.as_str());
    let mut raw = raw;
    let specific: Vec<(String, lang::Span)> = raw
        .iter()
        .filter(|f| {
            !f.rule_id.starts_with("secret-")
                && f.owasp_nhi.iter().any(|o| o == "NHI2:2025")
                && !f.mask.is_empty()
        })
        .flat_map(|f| f.mask.iter().map(move |m| (f.path.clone(), m.clone())))
        .collect();
    if !specific.is_empty() {
        raw.retain(|f| {
            !is_generic(f)
                || !f.mask.iter().any(|m| {
                    specific
                        .iter()
                        .any(|(p, d)| *p == f.path && d.start < m.end && m.start < d.end)
                })
        });
    }
    let detected: Vec<(usize, String, lang::Span)> = raw
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rule_id.starts_with("secret-"))
        .flat_map(|(i, f)| f.mask.iter().map(move |m| (i, f.path.clone(), m.clone())))
        .collect();
    if detected.is_empty() {
        return raw;
    }
    let mut raise: HashMap<usize, (crate::finding::Severity, crate::finding::Confidence)> =
        HashMap::new();
    let mut keep = vec![true; raw.len()];
    for (j, f) in raw.iter().enumerate() {
        if f.rule_id.starts_with("secret-")
            || !f.owasp_nhi.iter().any(|o| o == "NHI2:2025")
            || f.mask.is_empty()
        {
            continue;
        }
        let mut by = detected
            .iter()
            .filter(|(_, p, d)| {
                *p == f.path && f.mask.iter().any(|m| d.start < m.end && m.start < d.end)
            })
            .map(|(i, _, _)| *i)
            .peekable();
        if by.peek().is_none() {
            continue;
        }
        keep[j] = false;
        for i in by {
            let e = raise
                .entry(i)
                .or_insert((raw[i].severity, raw[i].confidence));
            e.0 = e.0.max(f.severity);
            e.1 = e.1.max(f.confidence);
        }
    }
    raw.into_iter()
        .enumerate()
        .filter(|(j, _)| keep[*j])
        .map(|(i, mut f)| {
            if let Some((s, c)) = raise.get(&i) {
                f.severity = *s;
                f.confidence = *c;
            }
            f
        })
        .collect()
}

fn run_file_rule(rule: &Rule, cx: &FileCx, out: &mut Vec<Finding>) {
    if let Some(m) = &rule.matcher
        && m.applies_to_kind(cx.file.kind.name())
    {
        for root in cx.parsed.roots() {
            for (node, msg) in m.run(root) {
                out.push(rule.finding(cx.file, node.span.clone(), msg));
            }
        }
    }
    if let Some(check) = rule.file_check {
        let from = out.len();
        check(cx, rule, out);
        dedup_same_place(out, from);
    }
}

/// Drop the findings of `out[from..]` identical to an earlier one of that range (same path,
/// span and message), keeping the first; linear in the number of findings.
pub fn dedup_same_place(out: &mut Vec<Finding>, from: usize) {
    crate::terraform::report::merge_instances(out, from);
    if out.len() - from < 2 {
        return;
    }
    let mut seen: std::collections::HashSet<(String, usize, usize, String)> =
        std::collections::HashSet::new();
    let mut i = 0;
    out.retain(|f| {
        i += 1;
        i <= from || seen.insert((f.path.clone(), f.span.start, f.span.end, f.message.clone()))
    });
}

/// Fingerprint = hash(rule, path, key, n) where key is what the finding is about (not its line)
/// and n counts earlier findings with the same key, so fingerprints survive line moves.
fn assign_fingerprints(findings: &mut [Finding], files: &HashMap<String, SourceFile>) {
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    for f in findings.iter_mut() {
        let key = match &f.fp_key {
            Some(k) => k.clone(),
            None if !f.mask.is_empty() => f.message.clone(),
            None => match files.get(&f.path).and_then(|s| s.text.get(f.span.clone())) {
                Some(t) if !t.trim().is_empty() => t
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(200)
                    .collect(),
                _ => f.message.clone(),
            },
        };
        // A renamed rule keeps the fingerprints of its first id (baselines stay valid).
        let fid = crate::rules::card::find_card(&f.rule_id)
            .and_then(|c| c.aliases.first())
            .unwrap_or(&f.rule_id)
            .clone();
        let n = seen
            .entry((fid.clone(), f.path.clone(), key.clone()))
            .or_insert(0);
        f.fingerprint = stable_hash(&[&fid, &f.path, &key, &n.to_string()]);
        *n += 1;
    }
}

/// Resolve a scan: where the root is and which files to read.
pub fn scan_root(paths: &[PathBuf]) -> PathBuf {
    match paths {
        [p] if p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    }
}

/// Whether a project model (the Terraform analysis, the Kubernetes graph, Kustomize and Helm
/// rendering) may read the syntax tree of a file of this kind after the file's own pass. With a
/// kustomization in the scan, any YAML or JSON file may be one of its resources.
pub fn project_reads_tree(kind: FileKind, kustomize: bool) -> bool {
    use FileKind::*;
    matches!(
        kind,
        Terraform
            | TerraformJson
            | TfVars
            | TerraformPlan
            | TerraformState
            | Kubernetes
            | HelmTemplate
            | HelmValues
            | HelmChart
            | Kustomization
            | CloudFormation
            | CloudFormationJson
            | Serverless
    ) || kustomize && matches!(kind.format(), Format::Yaml | Format::Json)
}

/// A path whose file name makes it a kustomization (as `source::classify` names them).
pub fn is_kustomization_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "kustomization.yaml" | "kustomization.yml" | "kustomization"
    )
}

/// A unit no project rule reads: no syntax tree, no facts, no chart rendering, not a
/// structured format (READMEs, prose, code whose facts are empty).
fn is_inert(u: &FileUnit) -> bool {
    matches!(u.parsed, Parsed::None)
        && u.facts.is_empty()
        && u.rendering.is_none()
        && matches!(u.file.kind.format(), Format::Code | Format::Text)
}

/// A code file no code rule should parse: minified or bundled (`*.min.js`, `*.bundle.js`, or
/// lines averaging over 300 bytes in a file of 4 KB or more), generated (`Code generated …
/// DO NOT EDIT`, `@generated` near the top) or vendored (`vendor/`, `node_modules/`, … by
/// path class). The secrets engine still reads it, linearly.
pub fn is_bulk_code(file: &SourceFile, config: &Config) -> bool {
    if file.kind.format() != Format::Code || file.kind.target() != "source" {
        return false;
    }
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    let lower = name.to_ascii_lowercase();
    if [".min.js", ".min.mjs", ".min.cjs", ".bundle.js", ".chunk.js"]
        .iter()
        .any(|s| lower.ends_with(s))
    {
        return true;
    }
    let text: &str = &file.text;
    if text.len() >= 4096
        && text.len() / (memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1) > 300
    {
        return true;
    }
    let head = &text.as_bytes()[..text.len().min(1024)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"@generated") || has(b"Code generated") && has(b"DO NOT EDIT") {
        return true;
    }
    matches!(
        config.path_class(&file.path),
        PathClass::Vendored | PathClass::Generated
    )
}

/// `NHILINT_MEMTRACE=1`: the resident and peak memory after a stage of a scan, on stderr
/// (what a scan holds at each stage; see README "Scaling against ripgrep").
fn memtrace(stage: &str) {
    if std::env::var_os("NHILINT_MEMTRACE").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map_or("?", |v| v.trim().trim_end_matches(" kB"))
            .to_string()
    };
    eprintln!(
        "nhilint: memory after {stage}: resident {} kB, peak {} kB",
        kb("VmRSS:"),
        kb("VmHWM:")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_generated_and_vendored_code_is_bulk() {
        let c = Config::default();
        let min = format!("var a={{{}}};\n", "k:1,".repeat(2000));
        assert!(is_bulk_code(
            &SourceFile::new("web/app.js", min.as_str()),
            &c
        ));
        assert!(is_bulk_code(
            &SourceFile::new("web/aws-sdk.min.js", "var a=1;\n"),
            &c
        ));
        let gen_go = "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n";
        assert!(is_bulk_code(&SourceFile::new("api/x.pb.go", gen_go), &c));
        assert!(is_bulk_code(
            &SourceFile::new("node_modules/x/index.js", "var a = 1;\n"),
            &c
        ));
        assert!(!is_bulk_code(
            &SourceFile::new("src/app.js", "const a = 1;\n"),
            &c
        ));
        // Only code: a long-line YAML or JSON file is still parsed.
        assert!(!is_bulk_code(
            &SourceFile::new("data.json", min.as_str()),
            &c
        ));
    }

    #[test]
    fn bulk_code_gets_only_the_secrets_engine() {
        let e = Engine::new(
            Config::default(),
            RuleSet::build(&Config::default(), &[], &[]),
        );
        let body = format!(
            "var c=new AWS.S3({{accessKeyId:\"AKIAQYLPMN5HFIQR7XYA\",secretAccessKey:\"x\"}});{}\n",
            "f();".repeat(2000)
        );
        let o = e.analyze_file(SourceFile::new("web/bundle.js", body.as_str()));
        let ids: Vec<&str> = o.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert!(ids.iter().all(|i| i.starts_with("secret-")), "{ids:?}");
        assert!(matches!(o.unit.parsed, Parsed::None));
    }
    use std::sync::Arc;

    fn panicking_file_check(_: &FileCx, _: &Rule, _: &mut Vec<Finding>) {
        panic!("file rule bug");
    }

    fn panicking_project_check(_: &ProjectCx, _: &Rule, _: &mut Vec<Finding>) {
        panic!("project rule bug");
    }

    fn rule(id: &str, like: &str) -> Rule {
        let mut card = crate::rules::card::find_card(like).unwrap().clone();
        card.id = id.into();
        Rule {
            severity: card.severity,
            card,
            file_check: None,
            project_check: None,
            matcher: None,
        }
    }

    /// A renamed rule's findings keep the fingerprints they had under the old id, so
    /// baselines written before the rename still match.
    #[test]
    fn renamed_rules_keep_their_fingerprints() {
        let f = SourceFile::new("a.tf", "resource \"x\" \"y\" {}\n");
        let files: HashMap<String, SourceFile> = [(f.path.clone(), f.clone())].into();
        let card = crate::rules::card::find_card("iam-wildcard-action").unwrap();
        assert_eq!(card.aliases, ["tf-iam-wildcard-action"]);
        let mut r = rule("iam-wildcard-action", "iam-wildcard-action");
        let new = r.finding(&f, 0..8, "m");
        r.card.id = "tf-iam-wildcard-action".into();
        r.card.aliases.clear();
        let old = r.finding(&f, 0..8, "m");
        let (mut new, mut old) = ([new], [old]);
        assign_fingerprints(&mut new, &files);
        assign_fingerprints(&mut old, &files);
        assert_eq!(new[0].rule_id, "iam-wildcard-action");
        assert_eq!(new[0].fingerprint, old[0].fingerprint);
    }

    #[test]
    fn namespaces_dropped_from_names_in_messages() {
        assert_eq!(
            without_namespaces(
                "Role `argocd/argocd-server` can read secrets; bound to ServiceAccount `argocd-server`"
            ),
            "Role `argocd-server` can read secrets; bound to ServiceAccount `argocd-server`"
        );
        assert_eq!(
            without_namespaces("allows `s3:*` on `a/b/c`"),
            "allows `s3:*` on `a/b/c`"
        );
        assert_eq!(without_namespaces("`Foo/bar` and 1/2"), "`Foo/bar` and 1/2");
    }

    #[test]
    fn a_panicking_rule_becomes_an_error_naming_it_and_other_findings_survive() {
        let config = Config::default();
        let mut rules = RuleSet::build(&config, &[], &[]);
        let mut file_rule = rule("test-panicking-file-rule", "iam-wildcard-action");
        file_rule.file_check = Some(panicking_file_check);
        rules.rules.push(Arc::new(file_rule));
        let mut project_rule = rule("test-panicking-project-rule", "trust-identity-shared");
        project_rule.card.scope = "project".into();
        project_rule.project_check = Some(panicking_project_check);
        rules.rules.push(Arc::new(project_rule));
        let engine = Engine::new(config, rules);
        let tf = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"*\", Resource = \"*\" }] })\n}\n";
        let inputs = ["a.tf", "b.tf"]
            .iter()
            .map(|p| crate::walk::Input {
                abs: PathBuf::from(p),
                rel: p.to_string(),
                text: Some(tf.to_string()),
            })
            .collect();
        let report = engine.scan_files(Path::new(""), inputs, None);
        let found: Vec<(&str, &str)> = report
            .findings
            .iter()
            .map(|f| (f.path.as_str(), f.rule_id.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("a.tf", "iam-wildcard-action"),
                ("b.tf", "iam-wildcard-action")
            ]
        );
        let errors: Vec<(&str, &str)> = report
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0].0, ".");
        assert!(
            errors[0].1.starts_with(
                "internal error in rule `test-panicking-project-rule` (at src/engine.rs:"
            ),
            "{errors:?}"
        );
        for (e, path) in errors[1..].iter().zip(["a.tf", "b.tf"]) {
            assert_eq!(e.0, path);
            assert!(
                e.1.starts_with(
                    "internal error in rule `test-panicking-file-rule` (at src/engine.rs:"
                ),
                "{errors:?}"
            );
        }
        assert_eq!(report.stats.files_scanned, 2);
    }
}
