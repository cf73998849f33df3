//! The background cross-file pass, incremental: the first pass of a workspace reads and
//! analyses every file (the walk of `nhilint check`); each file's unit (parse, facts) and
//! per-file findings stay cached. Later passes re-analyse only what changed (an open buffer's
//! new text, a file changed on disk, a closed buffer's disk text) and re-run only the project
//! rules that can see the change (a Markdown edit re-runs none; a Kubernetes edit does not
//! re-evaluate Terraform); the other rules' findings are kept. Only findings of project-scope
//! rules are returned (per-file ones come from the file worker).

use super::convert::{Encoding, LineIndex, path_to_uri};
use super::diag;
use crate::context::FileUnit;
use crate::engine::Engine;
use crate::facts::Facts;
use crate::finding::{Finding, ScanError};
use crate::rules::Rule;
use crate::source::{FileKind, SourceFile};
use lsp_types::{Diagnostic, Uri};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Overlay {
    pub uri: Uri,
    pub rel: String,
    pub text: Arc<String>,
    /// The document version of `text`.
    pub version: i32,
}

pub struct ProjectJob {
    pub ws: u64,
    pub generation: u64,
    /// Paths are relative to this (the repository's top level, else the folder).
    pub root: PathBuf,
    /// The workspace folder scanned.
    pub folder: PathBuf,
    pub engine: Arc<Engine>,
    /// Every open document of the workspace (its buffer replaces the disk text).
    pub overlays: Vec<Overlay>,
    /// Files changed on disk since the last job (watched-file notifications).
    pub changed: Vec<PathBuf>,
    /// Walk the folder again (a created or deleted file, folders or ignore files changed).
    pub rescan: bool,
    /// Workspaces that still exist: caches of the others are dropped.
    pub live: Vec<u64>,
    pub enc: Encoding,
    pub docs: Arc<str>,
}

pub struct ProjectResult {
    pub ws: u64,
    pub generation: u64,
    pub diags: HashMap<Uri, Vec<Diagnostic>>,
    /// The version of each open document whose buffer this pass analysed: its diagnostics
    /// describe that version only.
    pub versions: HashMap<Uri, i32>,
    pub log: Option<String>,
    /// What the pass did (files, re-analysed, rules re-run, time), for the client's log.
    pub stats: String,
    /// The pass read the whole workspace (its duration says nothing of an edit's).
    pub first: bool,
    pub elapsed: Duration,
}

/// What the worker keeps per workspace between passes.
pub struct Cache {
    engine: Arc<Engine>,
    /// Units that a project rule can read (a syntax tree, facts, a suppression comment, or a
    /// kind project rules read), in [`Engine::sort_for_project`] order.
    units: Vec<FileUnit>,
    /// Position of each path in `units`.
    index: HashMap<String, usize>,
    meta: HashMap<String, Meta>,
    /// Every file of the last walk (kept as a unit or not).
    walked: HashSet<String>,
    /// The workspace has a kustomization (any YAML or JSON file may be one of its resources).
    kustomize: bool,
    helm_abs: HashMap<String, PathBuf>,
    /// Open buffers analysed: path → (version, text).
    overlays: HashMap<String, (i32, Arc<String>)>,
    /// Findings of the project rules from the last pass (before suppression).
    project_raw: Vec<Finding>,
    /// The facts of every unit joined, kept up to date by replacing those of changed files
    /// (`None` when a unit holds facts located in another file, or with Kustomize overlays:
    /// the project pass joins them each time).
    joined: Option<Facts>,
    /// Templates of packed subcharts: their findings are reported at the archive.
    packed: crate::helm::scan::Packed,
    /// The Terraform evaluation of the last pass over all units, while no file it can read
    /// changed (a Kubernetes edit re-runs the trust rules without evaluating Terraform again).
    terraform: Option<Arc<crate::terraform::analysis::Analysis>>,
}

struct Meta {
    /// Per-file findings (before suppression), for suppression and de-duplication.
    raw: Vec<Finding>,
    /// The facts of the file on its own (Terraform: before its module directory is resolved).
    own_facts: Option<Facts>,
    /// The text mentions `nhilint:` (a suppression comment the project rules' findings may use).
    note: bool,
}

/// The worker's state: one cache per workspace.
#[derive(Default)]
pub struct Worker {
    caches: HashMap<u64, Cache>,
}

impl Worker {
    pub fn run(&mut self, job: ProjectJob) -> ProjectResult {
        self.caches.retain(|ws, _| job.live.contains(ws));
        let (ws, generation) = (job.ws, job.generation);
        let start = Instant::now();
        let versions = job
            .overlays
            .iter()
            .map(|o| (o.uri.clone(), o.version))
            .collect();
        let cache = self.caches.remove(&ws);
        // Only the panic's location is reported (guard::catch), never its message; the cache
        // is dropped (the next pass starts again from the disk).
        let r = crate::guard::catch(move || pass(cache, &job));
        let (diags, stats, first, log) = match r {
            Ok((cache, diags, stats, first)) => {
                self.caches.insert(ws, cache);
                (diags, stats, first, None)
            }
            Err(p) => (
                HashMap::new(),
                String::new(),
                true,
                Some(format!("nhilint: {}", p.message("in the cross-file pass"))),
            ),
        };
        ProjectResult {
            ws,
            generation,
            diags,
            versions,
            log,
            stats,
            first,
            elapsed: start.elapsed(),
        }
    }
}

/// A file whose analysis changed in this pass: its unit before and after.
struct Change {
    old: Option<SourceFile>,
    new: Option<SourceFile>,
}

/// Does a project rule read the joined facts (the trust graph)? Kept in step with the checks
/// by the test `fact_readers_are_known`.
fn reads_facts(rule: &Rule) -> bool {
    rule.card.target == "project" || rule.id() == "iam-privilege-escalation"
}

/// Must `rule` run again after `changes` (whose facts changed when `facts_changed`)?
fn must_rerun(rule: &Rule, changes: &[Change], facts_changed: bool) -> bool {
    if facts_changed && reads_facts(rule) {
        return true;
    }
    changes.iter().any(|c| {
        [&c.old, &c.new].into_iter().flatten().any(|f| {
            let t = f.kind.target();
            rule.card.reads(t)
                || crate::source::runs_on(&rule.card.target, f)
                // The Terraform evaluation reads CloudFormation templates, and `file()` others.
                || matches!(t, "terraform" | "cloudformation" | "other")
                    && (rule.card.reads("terraform") || rule.card.reads("cloudformation"))
        })
    })
}

/// Is a unit needed by the project pass? Files without a syntax tree a project model reads,
/// facts or a suppression comment, of kinds no project rule reads (code, Markdown, text), are
/// not kept.
fn keep_unit(u: &FileUnit, note: bool) -> bool {
    note || !matches!(u.parsed, crate::lang::Parsed::None)
        || !u.facts.is_empty()
        || matches!(
            u.file.kind.target(),
            "terraform" | "kubernetes" | "ci" | "cloudformation"
        )
}

/// The files the facts are located in.
fn facts_paths(f: &Facts) -> impl Iterator<Item = &str> {
    f.identities
        .iter()
        .map(|x| x.loc.path.as_str())
        .chain(f.grants.iter().map(|x| x.loc.path.as_str()))
        .chain(f.trusts.iter().map(|x| x.loc.path.as_str()))
        .chain(f.credentials.iter().map(|x| x.loc.path.as_str()))
        .chain(f.usages.iter().map(|x| x.loc.path.as_str()))
        .chain(f.calls.iter().map(|x| x.loc.path.as_str()))
}

fn is_tf(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Terraform | FileKind::TerraformJson | FileKind::TfVars
    )
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

type Analysed = (
    String,
    Option<crate::engine::FileOutcome>,
    Option<ScanError>,
    bool,
);

/// Read and analyse `inputs`; a file keeps its syntax tree only if a project model may read it
/// (as in `check`), dropped at once: the trees of a whole workspace are never held together.
fn analyse(engine: &Engine, inputs: Vec<crate::walk::Input>, kustomize: bool) -> Vec<Analysed> {
    inputs
        .into_par_iter()
        .map(|inp| {
            let (mut o, e, skipped) = engine.analyze_input(&inp);
            if let Some(o) = &mut o
                && !crate::engine::project_reads_tree(o.unit.file.kind, kustomize)
            {
                o.unit.parsed = crate::lang::Parsed::None;
            }
            (inp.rel, o, e, skipped)
        })
        .collect()
}

impl Cache {
    /// The first pass: walk, read and analyse everything.
    fn fill(job: &ProjectJob) -> Cache {
        let engine = job.engine.clone();
        engine.helm.clear();
        let mut inputs = crate::walk::collect(
            &job.root,
            std::slice::from_ref(&job.folder),
            &engine.config,
            1,
        )
        .inputs;
        let walked: HashSet<String> = inputs.iter().map(|i| i.rel.clone()).collect();
        let kustomize = walked
            .iter()
            .any(|r| crate::engine::is_kustomization_name(r));
        let mut overlays = HashMap::new();
        for o in &job.overlays {
            overlays.insert(o.rel.clone(), (o.version, o.text.clone()));
            match inputs.iter_mut().find(|i| i.rel == o.rel) {
                Some(i) => i.text = Some(o.text.to_string()),
                None if inside(&o.rel) => inputs.push(crate::walk::Input {
                    abs: job.root.join(&o.rel),
                    rel: o.rel.clone(),
                    text: Some(o.text.to_string()),
                }),
                None => {}
            }
        }
        let helm_abs = crate::engine::helm_template_paths(&inputs);
        let archives = crate::engine::packed_archives(&inputs);
        let analysed = analyse(&engine, inputs, kustomize);
        let (packed, packed_outcomes) = engine.analyze_packed(&archives);
        let mut cache = Cache {
            engine: engine.clone(),
            units: Vec::new(),
            index: HashMap::new(),
            meta: HashMap::new(),
            walked,
            kustomize,
            helm_abs,
            overlays,
            project_raw: Vec::new(),
            joined: None,
            packed,
            terraform: None,
        };
        for (rel, o, _, _) in analysed {
            if let Some(o) = o {
                cache.put(&rel, o);
            }
        }
        for (abs, o) in packed_outcomes {
            let rel = o.unit.file.path.clone();
            cache.helm_abs.insert(rel.clone(), abs);
            cache.put(&rel, o);
        }
        crate::facts::terraform::resolve_module_dirs(&mut cache.units, &engine.config);
        cache.reindex();
        cache.join_facts();
        cache
    }

    /// Join every unit's facts again, if each unit's facts are located in its own file and
    /// no Kustomize overlay replaces facts (else the project pass joins them).
    fn join_facts(&mut self) {
        let own = self.units.iter().all(|u| {
            u.file.kind != FileKind::Kustomization
                && facts_paths(&u.facts).all(|p| p == u.file.path)
        });
        self.joined = own.then(|| self.engine.joined_facts(&self.units));
    }

    /// Replace the joined facts of `paths` by their units' current facts.
    fn patch_facts(&mut self, paths: &HashSet<&str>) {
        let own = paths.iter().all(|p| {
            self.unit(p).is_none_or(|u| {
                u.file.kind != FileKind::Kustomization && facts_paths(&u.facts).all(|q| q == *p)
            })
        });
        let Some(all) = self.joined.as_mut().filter(|_| own) else {
            return self.join_facts();
        };
        let keep = |l: &crate::facts::Loc| !paths.contains(l.path.as_str());
        all.identities.retain(|x| keep(&x.loc));
        all.grants.retain(|x| keep(&x.loc));
        all.trusts.retain(|x| keep(&x.loc));
        all.credentials.retain(|x| keep(&x.loc));
        all.usages.retain(|x| keep(&x.loc));
        all.calls.retain(|x| keep(&x.loc));
        for p in paths {
            if let Some(&i) = self.index.get(*p) {
                all.extend(self.units[i].facts.clone());
            }
        }
        all.sort();
    }

    /// Keep (or drop) the outcome of one file's analysis; `reindex` must follow.
    fn put(&mut self, rel: &str, o: crate::engine::FileOutcome) {
        let note = o.unit.file.text.contains("nhilint:");
        let own_facts = is_tf(o.unit.file.kind).then(|| o.unit.facts.clone());
        if !keep_unit(&o.unit, note) {
            return;
        }
        self.meta.insert(
            rel.to_string(),
            Meta {
                raw: o.findings,
                own_facts,
                note,
            },
        );
        match self.index.get(rel) {
            Some(&i) => self.units[i] = o.unit,
            None => {
                self.index.insert(rel.to_string(), self.units.len());
                self.units.push(o.unit);
            }
        }
    }

    fn remove(&mut self, rel: &str) {
        self.meta.remove(rel);
        if let Some(i) = self.index.remove(rel) {
            self.units.swap_remove(i);
            if i < self.units.len() {
                self.index.insert(self.units[i].file.path.clone(), i);
            }
        }
    }

    fn reindex(&mut self) {
        self.engine.sort_for_project(&mut self.units);
        self.index = self
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.file.path.clone(), i))
            .collect();
    }

    fn unit(&self, rel: &str) -> Option<&FileUnit> {
        self.index.get(rel).map(|&i| &self.units[i])
    }

    /// Apply the job's buffers and disk changes: re-analyse what changed. Returns the changes
    /// and whether any unit's facts differ from before.
    fn update(&mut self, job: &ProjectJob) -> (Vec<Change>, bool) {
        let mut todo: Vec<crate::walk::Input> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        let now: HashMap<&str, &Overlay> =
            job.overlays.iter().map(|o| (o.rel.as_str(), o)).collect();
        // Buffers new or edited since the last pass.
        for o in &job.overlays {
            let same = self
                .overlays
                .get(&o.rel)
                .is_some_and(|(v, t)| *v == o.version && Arc::ptr_eq(t, &o.text));
            if !same && inside(&o.rel) {
                todo.push(crate::walk::Input {
                    abs: job.root.join(&o.rel),
                    rel: o.rel.clone(),
                    text: Some(o.text.to_string()),
                });
            }
        }
        // Buffers closed: the disk text again (or nothing, for a file the walk did not give).
        let closed: Vec<String> = self
            .overlays
            .keys()
            .filter(|r| !now.contains_key(r.as_str()))
            .cloned()
            .collect();
        for rel in closed {
            if self.walked.contains(&rel) {
                todo.push(disk_input(&job.root, &rel));
            } else {
                gone.push(rel);
            }
        }
        // Files changed on disk (an open buffer wins over its file).
        for p in &job.changed {
            let rel = super::convert::rel_path(&job.root, p);
            if now.contains_key(rel.as_str()) || !inside(&rel) {
                continue;
            }
            if self.walked.contains(&rel) {
                if p.is_file() {
                    todo.push(disk_input(&job.root, &rel));
                } else {
                    self.walked.remove(&rel);
                    gone.push(rel);
                }
            } else if p.is_file() {
                // A new file: scanned if the walk of its folder gives it (ignore files, excludes).
                let dir = p.parent().unwrap_or(p);
                let walk =
                    crate::walk::collect(&job.root, &[dir.to_path_buf()], &self.engine.config, 1);
                if walk.inputs.iter().any(|i| i.rel == rel) {
                    self.walked.insert(rel.clone());
                    todo.push(disk_input(&job.root, &rel));
                }
            } else {
                // A deleted folder: every file below it.
                let prefix = format!("{rel}/");
                let below: Vec<String> = self
                    .walked
                    .iter()
                    .filter(|w| w.starts_with(&prefix))
                    .cloned()
                    .collect();
                for b in below {
                    self.walked.remove(&b);
                    gone.push(b);
                }
            }
        }
        self.overlays = job
            .overlays
            .iter()
            .map(|o| (o.rel.clone(), (o.version, o.text.clone())))
            .collect();
        todo.sort_by(|a, b| a.rel.cmp(&b.rel));
        todo.dedup_by(|a, b| a.rel == b.rel);
        let rels: Vec<String> = todo
            .iter()
            .map(|i| i.rel.clone())
            .chain(gone.iter().cloned())
            .collect();
        // The facts of every unit this update can touch, as they were: the changed files now,
        // the other files of their Terraform module directories (and of directories joined
        // to them by calls) as their facts are replaced.
        let mut before: HashMap<String, Option<Facts>> = rels
            .iter()
            .map(|r| (r.clone(), self.unit(r).map(|u| u.facts.clone())))
            .collect();
        let mut changes = Vec::new();
        for rel in gone {
            let old = self.unit(&rel).map(|u| u.file.clone());
            self.remove(&rel);
            changes.push(Change { old, new: None });
        }
        let engine = self.engine.clone();
        self.kustomize |= todo
            .iter()
            .any(|i| crate::engine::is_kustomization_name(&i.rel));
        for (rel, o, _, _) in analyse(&engine, todo, self.kustomize) {
            let old = self.unit(&rel).map(|u| u.file.clone());
            self.remove(&rel);
            if let Some(o) = o {
                self.put(&rel, o);
            }
            let new = self.unit(&rel).map(|u| u.file.clone());
            if old.is_some() || new.is_some() {
                changes.push(Change { old, new });
            }
        }
        self.reindex();
        self.refresh_module_dirs(&changes, &mut before);
        let differ: Vec<&str> = before
            .iter()
            .filter(|(p, old)| self.unit(p).map(|u| &u.facts) != old.as_ref())
            .map(|(p, _)| p.as_str())
            .collect();
        let facts_changed = !differ.is_empty();
        if facts_changed {
            let paths: HashSet<String> = differ
                .into_iter()
                .chain(rels.iter().map(String::as_str))
                .map(String::from)
                .collect();
            self.patch_facts(&paths.iter().map(String::as_str).collect());
        }
        (changes, facts_changed)
    }

    /// Terraform module directories of `changes` resolved again (each file's own facts first);
    /// the facts each replaced unit had are added to `before` (where it has no entry yet).
    fn refresh_module_dirs(
        &mut self,
        changes: &[Change],
        before: &mut HashMap<String, Option<Facts>>,
    ) {
        let dirs: HashSet<String> = changes
            .iter()
            .flat_map(|c| [&c.old, &c.new])
            .flatten()
            .filter(|f| is_tf(f.kind))
            .map(|f| dir_of(&f.path).to_string())
            .collect();
        if dirs.is_empty() {
            return;
        }
        for u in &mut self.units {
            if is_tf(u.file.kind)
                && dirs.contains(dir_of(&u.file.path))
                && let Some(f) = self
                    .meta
                    .get(&u.file.path)
                    .and_then(|m| m.own_facts.clone())
            {
                let old = std::mem::replace(&mut u.facts, f);
                before.entry(u.file.path.clone()).or_insert(Some(old));
            }
        }
        let replaced = crate::facts::terraform::resolve_module_dirs_where(
            &mut self.units,
            &self.engine.config,
            &|d| dirs.contains(d),
        );
        for (i, old) in replaced {
            before
                .entry(self.units[i].file.path.clone())
                .or_insert(Some(old));
        }
    }
}

fn inside(rel: &str) -> bool {
    !rel.starts_with('/') && !rel.starts_with("..")
}

fn disk_input(root: &Path, rel: &str) -> crate::walk::Input {
    crate::walk::Input {
        abs: root.join(rel),
        rel: rel.to_string(),
        text: None,
    }
}

type Diags = HashMap<Uri, Vec<Diagnostic>>;

fn pass(cache: Option<Cache>, job: &ProjectJob) -> (Cache, Diags, String, bool) {
    let t0 = Instant::now();
    let engine = &job.engine;
    let reuse = cache.filter(|c| !job.rescan && Arc::ptr_eq(&c.engine, engine));
    let first = reuse.is_none();
    let (mut cache, changes, facts_changed) = match reuse {
        Some(mut c) => {
            let (changes, facts_changed) = c.update(job);
            (c, changes, facts_changed)
        }
        None => (Cache::fill(job), Vec::new(), true),
    };
    // The Terraform evaluation reads Terraform, templates and any file `file()` may name.
    if changes.iter().any(|c| {
        [&c.old, &c.new]
            .into_iter()
            .flatten()
            .any(|f| matches!(f.kind.target(), "terraform" | "cloudformation" | "other"))
    }) {
        cache.terraform = None;
    }
    let t1 = Instant::now();
    // The project rules that can see a change run again; the others keep their findings.
    let rerun: HashSet<String> = engine
        .rules
        .rules
        .iter()
        .filter(|r| r.is_project() && (first || must_rerun(r, &changes, facts_changed)))
        .map(|r| r.id().to_string())
        .collect();
    if !rerun.is_empty() {
        let mut fresh = Vec::new();
        let mut errors = Vec::new();
        let keep = |r: &Rule| rerun.contains(r.id());
        let c = &mut cache;
        // The context over every unit gets the kept evaluation, and keeps the one it built.
        let all = (c.units.as_ptr() as usize, c.units.len());
        let kept = std::sync::Mutex::new(c.terraform.take());
        let hook = |cx: &crate::context::ProjectCx, after: bool| {
            if (cx.files.as_ptr() as usize, cx.files.len()) != all {
                return;
            }
            let mut k = kept.lock().unwrap_or_else(|e| e.into_inner());
            if after {
                if let Some(a) = cx.built::<crate::terraform::analysis::ProjectAnalysis>() {
                    *k = Some(a.clone());
                }
            } else if let Some(a) = k.clone() {
                cx.preset::<crate::terraform::analysis::ProjectAnalysis>(a);
            }
        };
        engine.project_pass(
            &job.root,
            &mut c.units,
            &c.helm_abs,
            &keep,
            &hook,
            (c.joined.as_ref(), false),
            &mut fresh,
            &mut errors,
        );
        c.terraform = kept.into_inner().unwrap_or_else(|e| e.into_inner());
        c.project_raw.retain(|f| !rerun.contains(&f.rule_id));
        c.project_raw
            .extend(fresh.into_iter().filter(|f| rerun.contains(&f.rule_id)));
    }
    let t2 = Instant::now();
    let diags = report(&cache, job);
    let t3 = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    let stats = format!(
        "nhilint: cross-file pass: {} files kept of {}, {} re-analysed{}, {} of {} project rules run; {:.0} ms (files {:.0} ms, rules {:.0} ms, report {:.0} ms)",
        cache.units.len(),
        cache.walked.len(),
        if first {
            cache.units.len()
        } else {
            changes.len()
        },
        if first { " (first pass)" } else { "" },
        rerun.len(),
        engine.rules.rules.iter().filter(|r| r.is_project()).count(),
        ms(t0, t3),
        ms(t0, t1),
        ms(t1, t2),
        ms(t2, t3),
    );
    (cache, diags, stats, first)
}

/// The project rules' findings after suppression, as diagnostics per document.
fn report(cache: &Cache, job: &ProjectJob) -> Diags {
    let engine = &job.engine;
    // The files the findings are in, and those with suppression comments (unused ones).
    let mut paths: HashSet<&str> = cache.project_raw.iter().map(|f| f.path.as_str()).collect();
    paths.extend(
        cache
            .meta
            .iter()
            .filter(|(_, m)| m.note)
            .map(|(p, _)| p.as_str()),
    );
    let mut raw = cache.project_raw.clone();
    let mut files: HashMap<String, SourceFile> = HashMap::new();
    for p in paths {
        if let Some(m) = cache.meta.get(p) {
            raw.extend(m.raw.iter().cloned());
        }
        if let Some(u) = cache.unit(p) {
            files.insert(p.to_string(), u.file.clone());
        }
    }
    let (mut findings, _, _) = engine.finish(raw, &files, &crate::context::today());
    cache.packed.relocate(&mut findings, &mut []);
    let uris: HashMap<&str, &Uri> = job
        .overlays
        .iter()
        .map(|o| (o.rel.as_str(), &o.uri))
        .collect();
    let mut out: Diags = HashMap::new();
    let mut indexes: HashMap<String, LineIndex> = HashMap::new();
    // Related locations: the text this pass analysed (open buffers included), else disk.
    let other = |p: &Path| {
        p.strip_prefix(&job.root)
            .ok()
            .and_then(|r| cache.unit(&r.to_string_lossy().replace('\\', "/")))
            .map(|u| u.file.text.to_string())
            .or_else(|| super::read_other(p))
    };
    for f in &findings {
        let project = engine.rules.get(&f.rule_id).is_some_and(|r| r.is_project())
            || super::names_project_rule(f, engine);
        if !project {
            continue;
        }
        let Some(src) = files.get(&f.path) else {
            continue;
        };
        let uri = match uris.get(f.path.as_str()) {
            Some(u) => (*u).clone(),
            None => match path_to_uri(&job.root.join(&f.path)) {
                Some(u) => u,
                None => continue,
            },
        };
        let index = indexes
            .entry(f.path.clone())
            .or_insert_with(|| LineIndex::new(&src.text));
        let view = diag::TextView {
            text: &src.text,
            index,
            enc: job.enc,
        };
        out.entry(uri)
            .or_default()
            .push(diag::to_diagnostic(f, &view, &job.root, &job.docs, &other));
    }
    out
}

#[cfg(test)]
mod tests {
    /// Every project check that reads the trust graph (the joined facts) is a rule
    /// `reads_facts` knows, so that a change of facts re-runs it.
    #[test]
    fn fact_readers_are_known() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/checks");
        let rules = crate::rules::RuleSet::build(&crate::config::Config::default(), &[], &[]);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let src = std::fs::read_to_string(&p).unwrap();
            if !(src.contains("trust_graph()") || src.contains("cx.facts")) {
                continue;
            }
            let id = p.file_stem().unwrap().to_str().unwrap().replace('_', "-");
            let Some(rule) = rules.rules.iter().find(|r| r.id() == id) else {
                continue;
            };
            assert!(super::reads_facts(rule), "{id} reads facts");
        }
        // Outside the checks, only the model itself builds the trust graph.
        for f in ["src/graph/models.rs", "src/graph/mod.rs"] {
            let src =
                std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f))
                    .unwrap();
            assert!(src.matches("cx.facts").count() <= 1, "{f}");
        }
    }
}
