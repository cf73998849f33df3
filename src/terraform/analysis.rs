//! Module-aware evaluation of a set of Terraform files into an owned [`Analysis`]: every
//! resource/data/provider/variable/output/module block evaluated per module instance, and every
//! IAM policy found, as IR. Built once per scan (cached) for the project rules, or for a single
//! file when extracting that file's facts.

use super::eval::{At, BUDGET_UNKNOWN, Budget, FileRef, K, Scope, Val, normalize};
use super::policy::{self, Policy};
use crate::context::ProjectCx;
use crate::finding::ScanError;
use crate::lang::Parsed;
use crate::lang::{Node, V};
use crate::source::{FileKind, SourceFile};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

const MAX_MODULE_DEPTH: usize = 6;
const MAX_INSTANCES: usize = 20_000;
const MAX_DYNAMIC_ITEMS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteKind {
    /// `assume_role_policy` of a role.
    Trust,
    /// Attached to an identity (inline, `aws_iam_*_policy`, managed `aws_iam_policy`).
    Identity,
    /// A resource-based policy (bucket, queue, key, …).
    Resource,
    /// A `data "aws_iam_policy_document"` (reported once, where it is written).
    Document,
}

/// One evaluated block of one module instance.
#[derive(Clone, Debug)]
pub struct Res {
    /// `resource`, `data`, `provider`, `variable`, `output`, `module`.
    pub block: String,
    /// Resource/data type, or the provider/variable/output/module name.
    pub rtype: String,
    pub name: String,
    /// `aws_iam_role.deploy`, `data.aws_iam_policy_document.x`, `var.x`, `output.x`, ...
    pub address: String,
    /// The instance key of a `count`/`for_each` block as the address shows it (`0`,
    /// `"publish"`); `None` for a single instance.
    pub key: Option<String>,
    pub dir: String,
    pub inst: usize,
    /// Where the block is written; for a block of an installed module or a module card, the
    /// module call in the scanned file.
    pub at: At,
    pub label_at: At,
    pub body: Arc<Val>,
    /// `module.deploy` for a block of an installed module or a module card (the calls that
    /// lead to it from a scanned file); `None` for blocks written in scanned files.
    pub module: Option<String>,
}

/// The key of [`Analysis::find`]'s index.
fn res_key(inst: usize, block: &str, rtype: &str, name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (inst, block, rtype, name).hash(&mut h);
    h.finish()
}

impl Res {
    fn is(&self, inst: usize, block: &str, rtype: &str, name: &str) -> bool {
        self.inst == inst && self.block == block && self.rtype == rtype && self.name == name
    }

    /// The name with the instance key, as references in the module write it: `this`,
    /// `this[0]`, `ci["publish"]`.
    /// The address with the module path of an installed module or card
    /// (`module.deploy.aws_iam_role.this[0]`).
    pub fn full_address(&self) -> String {
        match &self.module {
            Some(m) => format!("{m}.{}", self.address),
            None => self.address.clone(),
        }
    }

    pub fn local_name(&self) -> String {
        match &self.key {
            Some(k) => format!("{}[{k}]", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Site {
    pub res: usize,
    /// `assume_role_policy`, `policy`, `inline_policy.policy`, `document`.
    pub attr: String,
    pub kind: SiteKind,
    pub policy: Arc<Policy>,
    /// The site only refers to a document (its statements are reported at the document).
    pub via_doc: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Inst {
    pub dir: String,
    /// The calling instance (providers are inherited from it).
    pub parent: Option<usize>,
    /// `root`, `root (prod.tfvars)`, `module.x` ...
    pub label: String,
    /// The `module` block (index in `res`) of the parent that creates this instance.
    pub call: Option<usize>,
    /// For an installed module or a module card: the module address (`module.deploy`).
    pub module: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Paths of the files `At::file` indexes.
    pub paths: Vec<String>,
    pub res: Vec<Res>,
    pub sites: Vec<Site>,
    pub insts: Vec<Inst>,
    /// Hash of (instance, block, type, name) → the first index in `res` with it; blocks whose
    /// hash an earlier different block already has are in `index_clashes`.
    index: HashMap<u64, usize>,
    index_clashes: Vec<usize>,
    /// Provider blocks per instance.
    providers: HashMap<usize, Vec<usize>>,
    /// (instance, document name) → the trust site that uses the document.
    doc_trust: HashMap<(usize, String), usize>,
    /// Instances whose module declares a variable (indexed: asked once per identity).
    with_variables: HashSet<usize>,
    /// Where the evaluation budget ran out (first place per file) and what it left unknown.
    pub budget_errors: Vec<(At, String)>,
    /// Files of installed modules and module cards (not part of the scan) → where the module
    /// is called in a scanned file: findings on what they write are reported there.
    pub outer: HashMap<usize, At>,
    /// Instance → indexes in `res` of its blocks, in order (rules look up blocks of the same
    /// instance without a scan of every instance's blocks).
    by_inst: HashMap<usize, Vec<usize>>,
    /// (instance, document name) → identity sites that only refer to the document, in order.
    doc_identity: HashMap<(usize, String), Vec<usize>>,
}

impl Analysis {
    fn build_indexes(&mut self) {
        for (i, r) in self.res.iter().enumerate() {
            let k = res_key(r.inst, &r.block, &r.rtype, &r.name);
            match self.index.entry(k) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(e) => {
                    if !self.res[*e.get()].is(r.inst, &r.block, &r.rtype, &r.name) {
                        self.index_clashes.push(i);
                    }
                }
            }
            if r.block == "provider" {
                self.providers.entry(r.inst).or_default().push(i);
            }
            if r.block == "variable" {
                self.with_variables.insert(r.inst);
            }
            self.by_inst.entry(r.inst).or_default().push(i);
        }
        for (i, s) in self.sites.iter().enumerate() {
            if s.kind == SiteKind::Trust
                && let Some(d) = &s.via_doc
            {
                self.doc_trust
                    .entry((self.res[s.res].inst, d.clone()))
                    .or_insert(i);
            }
            if s.kind == SiteKind::Identity
                && let Some(d) = &s.via_doc
            {
                self.doc_identity
                    .entry((self.res[s.res].inst, d.clone()))
                    .or_default()
                    .push(i);
            }
        }
    }

    /// A block of an instance by type and name (`resource` and `data` blocks).
    /// `at`, or the module call in a scanned file when `at` is in an installed module or a
    /// module card.
    pub fn place(&self, at: &At) -> At {
        self.outer.get(&at.file).unwrap_or(at).clone()
    }

    pub fn find(&self, inst: usize, block: &str, rtype: &str, name: &str) -> Option<&Res> {
        let &i = self.index.get(&res_key(inst, block, rtype, name))?;
        let r = &self.res[i];
        if r.is(inst, block, rtype, name) {
            return Some(r);
        }
        self.index_clashes
            .iter()
            .map(|&j| &self.res[j])
            .find(|r| r.is(inst, block, rtype, name))
    }

    /// Blocks of one instance (index in `res` and block), in order.
    pub fn res_of(&self, inst: usize) -> impl Iterator<Item = (usize, &Res)> {
        self.by_inst
            .get(&inst)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|&i| (i, &self.res[i]))
    }

    /// Identity sites of an instance that only refer to the document named `doc`, in order.
    pub fn identity_sites_using_doc(&self, inst: usize, doc: &str) -> &[usize] {
        self.doc_identity
            .get(&(inst, doc.to_string()))
            .map(|v| v.as_slice())
            .unwrap_or_default()
    }

    /// The trust site (role `assume_role_policy`) that uses a policy document, if any.
    pub fn trust_using_doc(&self, doc: &Res) -> Option<&Site> {
        self.doc_trust
            .get(&(doc.inst, doc.local_name()))
            .map(|&i| &self.sites[i])
    }

    /// Resolve a reference text such as `aws_iam_role.x.name` or `data.y.z.arn`.
    pub fn resolve_ref(&self, inst: usize, text: &str) -> Option<&Res> {
        let t = text.trim().trim_start_matches("${").trim_end_matches('}');
        let mut parts = t.split('.');
        let first = parts.next()?;
        let (block, rtype) = if first == "data" {
            ("data", parts.next()?)
        } else {
            ("resource", first)
        };
        let name = parts.next()?;
        let name = name.split('[').next().unwrap_or(name);
        self.find(inst, block, rtype, name)
    }

    pub fn resources<'a>(&'a self, rtype: &'a str) -> impl Iterator<Item = (usize, &'a Res)> + 'a {
        self.res
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.block == "resource" && r.rtype == rtype)
    }

    /// The outermost `module` block that leads to this instance (`None` for a root instance)
    /// and the root instance it is written in.
    pub fn top_call(&self, inst: usize) -> (Option<usize>, usize) {
        let mut call = None;
        let mut i = inst;
        for _ in 0..=MAX_MODULE_DEPTH {
            match self.insts.get(i) {
                Some(x) if x.parent.is_some() => {
                    call = x.call;
                    i = x.parent.unwrap_or(i);
                }
                _ => break,
            }
        }
        (call, i)
    }

    /// A root instance that is deployed as such: it configures a provider, is evaluated with a
    /// tfvars file, or takes no input. A root with inputs and none of these is a reusable module
    /// that nothing here calls (its callers, elsewhere, decide its tags).
    pub fn is_deployment_root(&self, inst: usize) -> bool {
        let Some(x) = self.insts.get(inst) else {
            return false;
        };
        x.parent.is_none()
            && (x.label != "root"
                || self.providers.contains_key(&inst)
                || !self.with_variables.contains(&inst))
    }

    /// Tags of a resource after the instance's AWS provider `default_tags`.
    pub fn effective_tags(&self, r: &Res) -> (BTreeMap<String, String>, bool) {
        let mut out = BTreeMap::new();
        let mut unknown = false;
        if r.rtype.starts_with("aws_") {
            // The instance's own provider, else the one inherited from the caller.
            let mut inst = Some(r.inst);
            let mut provs: Vec<&Res> = Vec::new();
            for _ in 0..=MAX_MODULE_DEPTH {
                let Some(i) = inst else { break };
                provs = self
                    .providers
                    .get(&i)
                    .map(|v| {
                        v.iter()
                            .map(|&p| &self.res[p])
                            .filter(|p| p.rtype == "aws")
                            .collect()
                    })
                    .unwrap_or_default();
                if !provs.is_empty() {
                    break;
                }
                inst = self.insts.get(i).and_then(|x| x.parent);
            }
            for p in provs {
                if p.body.get("alias").is_some() {
                    continue;
                }
                for dt in p.body.get_all("default_tags") {
                    if let Some(t) = dt.get("tags") {
                        merge_tags(t, &mut out, &mut unknown);
                    }
                }
            }
        }
        for key in ["tags", "labels"] {
            if let Some(t) = r.body.get(key) {
                merge_tags(t, &mut out, &mut unknown);
            }
        }
        (out, unknown)
    }
}

fn merge_tags(t: &Val, out: &mut BTreeMap<String, String>, unknown: &mut bool) {
    match &t.k {
        K::Obj(es) => {
            for (k, v) in es {
                out.insert(k.clone(), v.scalar().unwrap_or_else(|| v.display()));
            }
        }
        K::Null => {}
        _ => *unknown = true,
    }
}

/// One input file of an analysis.
pub struct Input<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub kind: FileKind,
    pub root: Option<&'a Node>,
}

fn dir_of(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

fn label0(b: &crate::lang::Block) -> Option<&str> {
    b.labels.first().map(|l| l.0.as_str())
}

struct Module<'a> {
    dir: String,
    /// (file, block entry value)
    blocks: Vec<(usize, &'a Node)>,
    vars: Vec<(String, usize, Option<&'a Node>)>,
    locals: HashMap<String, (usize, &'a Node)>,
    tfvars: Vec<usize>,
}

impl<'a> Module<'a> {
    fn new(dir: String) -> Module<'a> {
        Module {
            dir,
            blocks: Vec::new(),
            vars: Vec::new(),
            locals: HashMap::new(),
            tfvars: Vec::new(),
        }
    }

    /// The blocks of one Terraform file of the module.
    fn add(&mut self, fi: usize, root: &'a Node) {
        for e in root.entries() {
            let V::Block(b) = &e.value.v else { continue };
            match b.ident.as_str() {
                "locals" => {
                    for le in &b.body {
                        self.locals.insert(le.key.clone(), (fi, &le.value));
                    }
                }
                "variable" => {
                    if let Some(name) = label0(b) {
                        self.vars
                            .push((name.to_string(), fi, e.value.get("default")));
                        self.blocks.push((fi, &e.value));
                    }
                }
                "resource" | "data" | "provider" | "output" | "module" => {
                    self.blocks.push((fi, &e.value))
                }
                _ => {}
            }
        }
    }
}

/// The analysis of a project scan, a model of its [`ProjectCx`] (built once, shared by every
/// Terraform project rule, the facts and the budget errors).
pub struct ProjectAnalysis;

impl crate::context::Model for ProjectAnalysis {
    type Out<'a> = Arc<Analysis>;
    const STAGE: &'static str = "the terraform project analysis";
    fn build<'a>(cx: &ProjectCx<'a>) -> Arc<Analysis> {
        let inputs: Vec<Input> = cx
            .files
            .iter()
            .map(|u| Input {
                path: &u.file.path,
                text: &u.file.text,
                kind: u.file.kind,
                root: input_root(u.file.kind, &u.parsed),
            })
            .collect();
        let disk = if cx.root.as_os_str().is_empty() {
            None
        } else {
            Some(cx.root.to_path_buf())
        };
        let tokens: Vec<Arc<str>> = cx.files.iter().map(|u| u.file.text.clone()).collect();
        Arc::new(build_kept(&inputs, disk, Some(cx.config), Some(&tokens)))
    }
}

/// The budget errors of the project analysis of `cx`, if a project rule built it (nothing is
/// evaluated here).
pub fn project_budget_errors(cx: &ProjectCx) -> Vec<ScanError> {
    match cx.built::<ProjectAnalysis>() {
        Some(a) => a.scan_errors(|p| cx.file(p).map(|u| &u.file)),
        None => Vec::new(),
    }
}

/// The budget errors of the analysis of one file on its own.
pub fn file_budget_errors(
    file: &SourceFile,
    parsed: &Parsed,
    config: &crate::config::Config,
) -> Vec<ScanError> {
    if matches!(parsed, Parsed::None) || file.kind == FileKind::TfVars {
        return Vec::new();
    }
    analysis_of_file(file, parsed, config).scan_errors(|p| (p == file.path).then_some(file))
}

impl Analysis {
    /// Budget errors as scan errors: `evaluation budget exceeded at <path>:<line>: …`.
    fn scan_errors<'f>(&self, file: impl Fn(&str) -> Option<&'f SourceFile>) -> Vec<ScanError> {
        self.budget_errors
            .iter()
            .filter_map(|(at, what)| {
                let path = self.paths.get(at.file)?;
                let line = file(path).map(|f| f.line_col(at.span.start).0);
                Some(ScanError {
                    path: path.clone(),
                    line,
                    message: format!("{BUDGET_UNKNOWN} at {path}:{}: {what}", line.unwrap_or(1)),
                })
            })
            .collect()
    }
}

/// Analysis of the whole scan, built once and shared by every Terraform project rule. If
/// building it panics, every caller panics with the same [`crate::guard::Panic`] stage, so the
/// scan reports one error for it (and the other rules' findings).
pub fn analysis(cx: &ProjectCx) -> Arc<Analysis> {
    cx.model::<ProjectAnalysis>().clone()
}

thread_local! {
    /// The last file analysis of this thread: (path, hash of text and kind, analysis).
    static LAST: std::cell::RefCell<Option<(String, u64, Arc<Analysis>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Drop this thread's kept file analysis (after the file's facts and rules are done with it).
pub fn forget_file_analysis() {
    let last = LAST.with(|l| l.borrow_mut().take());
    drop(last);
}

/// Analysis of one file on its own (facts extraction, file rules, the editor). The last one
/// of each thread is kept until [`forget_file_analysis`]: facts, rules and budget errors of a
/// file share one evaluation.
pub fn analysis_of_file(
    file: &SourceFile,
    parsed: &Parsed,
    config: &crate::config::Config,
) -> Arc<Analysis> {
    let hash = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        file.text.hash(&mut h);
        file.kind.name().hash(&mut h);
        let mut params: Vec<_> = config.template_parameters(&file.path).into_iter().collect();
        params.sort();
        params.hash(&mut h);
        h.finish()
    };
    let hit = LAST.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|(p, h, _)| *p == file.path && *h == hash)
            .map(|(_, _, a)| a.clone())
    });
    if let Some(a) = hit {
        return a;
    }
    let root = input_root(file.kind, parsed);
    let a = Arc::new(build(
        &[Input {
            path: &file.path,
            text: &file.text,
            kind: file.kind,
            root,
        }],
        None,
        Some(config),
    ));
    LAST.with(|l| *l.borrow_mut() = Some((file.path.clone(), hash, a.clone())));
    a
}

/// The document the analysis reads: HCL and JSON roots, the first YAML document of a template.
fn input_root(kind: FileKind, parsed: &Parsed) -> Option<&Node> {
    match parsed {
        Parsed::Hcl(d) | Parsed::Json(d) => Some(&d.root),
        Parsed::Yaml(ds) if crate::terraform::cfn::is_template(kind) => ds.first().map(|d| &d.root),
        _ => None,
    }
}

fn is_tfvars_json(path: &str) -> bool {
    path.ends_with(".tfvars.json")
}

/// Build the analysis of a set of files.
/// `config` gives templates the values of their parameter files.
pub fn build(
    inputs: &[Input],
    disk_root: Option<PathBuf>,
    config: Option<&crate::config::Config>,
) -> Analysis {
    build_kept(inputs, disk_root, config, None)
}

/// [`build`]; with `tokens` (each input's text, shared), roots whose files are the same
/// texts as at the last such build reuse their evaluation when [`keep_parts`] is on.
fn build_kept(
    inputs: &[Input],
    disk_root: Option<PathBuf>,
    config: Option<&crate::config::Config>,
    tokens: Option<&[Arc<str>]>,
) -> Analysis {
    // Converted bodies for JSON flavours.
    let converted: Vec<Option<Node>> = inputs
        .iter()
        .map(|i| match (i.kind, i.root) {
            (FileKind::TerraformJson, Some(r)) if !is_tfvars_json(i.path) => {
                Some(super::convert::tf_json(r))
            }
            (FileKind::TerraformPlan, Some(r)) => Some(super::convert::plan(r)),
            _ => None,
        })
        .collect();
    // Registry and git modules installed by `terraform init` (project scans on disk only).
    let mut installed: HashMap<(String, String), String> = HashMap::new();
    let mut disk_files: Vec<(String, String, Node)> = Vec::new();
    if let Some(root) = &disk_root {
        let mut dirs: Vec<String> = inputs
            .iter()
            .filter(|i| matches!(i.kind, FileKind::Terraform | FileKind::TerraformJson))
            .map(|i| dir_of(i.path))
            .collect();
        dirs.sort();
        dirs.dedup();
        installed = super::modules::installed(root, &dirs);
        let mut wanted: Vec<&String> = installed
            .values()
            .filter(|d| dirs.binary_search(d).is_err())
            .collect();
        wanted.sort();
        wanted.dedup();
        let mut left = super::modules::installed_budget();
        for d in wanted {
            for (path, text) in super::modules::read_module_dir(root, d, &mut left) {
                let root = crate::lang::hcl::parse(&text).doc.root;
                disk_files.push((path, text, root));
            }
        }
    }
    let mut files: Vec<FileRef> = inputs
        .iter()
        .zip(converted.iter())
        .map(|(i, c)| FileRef {
            path: i.path,
            text: i.text,
            root: match (i.kind, c) {
                (_, Some(c)) => Some(c),
                (FileKind::Terraform | FileKind::TfVars, None) => i.root,
                (FileKind::TerraformJson, _) => i.root,
                _ => None,
            },
            json_strings_are_templates: matches!(i.kind, FileKind::TerraformJson),
        })
        .collect();
    let mut kinds: Vec<FileKind> = inputs.iter().map(|i| i.kind).collect();
    for (path, text, root) in &disk_files {
        files.push(FileRef {
            path,
            text,
            root: Some(root),
            json_strings_are_templates: false,
        });
        kinds.push(FileKind::Terraform);
    }

    // Group module files by directory (each plan is its own module).
    let mut modules: BTreeMap<String, Module> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let Some(root) = f.root else { continue };
        let kind = kinds[fi];
        let tfvars = kind == FileKind::TfVars || is_tfvars_json(f.path);
        let dir = if kind == FileKind::TerraformPlan {
            format!("{}#plan", f.path)
        } else {
            dir_of(f.path)
        };
        if !matches!(
            kind,
            FileKind::Terraform
                | FileKind::TerraformJson
                | FileKind::TerraformPlan
                | FileKind::TfVars
        ) {
            continue;
        }
        let m = modules
            .entry(dir.clone())
            .or_insert_with(|| Module::new(dir));
        if tfvars {
            m.tfvars.push(fi);
            continue;
        }
        m.add(fi, root);
    }

    // Registry and git calls: the installed directory, else a module card (one module and
    // one file entry per call, so that what the card writes is reported at its call).
    let mut external: HashMap<(String, String), String> = HashMap::new();
    let mut ext_call: HashMap<usize, At> = HashMap::new();
    let mut calls: Vec<(String, String, String, At)> = Vec::new();
    for m in modules.values() {
        for &(fi, n) in &m.blocks {
            if let Some(b) = n.as_block()
                && b.ident == "module"
                && let Some(l) = b.labels.first()
                && let Some(src) = n.get("source").and_then(|s| s.as_str())
                && local_source(&m.dir, src).is_none()
            {
                let at = At {
                    file: fi,
                    span: l.1.clone(),
                };
                calls.push((m.dir.clone(), l.0.clone(), src.to_string(), at));
            }
        }
    }
    for (dir, name, src, at) in calls {
        let key = (dir.clone(), name.clone());
        if let Some(child) = installed.get(&key)
            && let Some(cm) = modules.get(child)
        {
            for &(fi, _) in &cm.blocks {
                if fi >= inputs.len() {
                    ext_call.insert(fi, at.clone());
                }
            }
            external.insert(key, child.clone());
            continue;
        }
        let Some(card) = super::modules::card_for(&src) else {
            continue;
        };
        let Some(root) = card.root() else { continue };
        let fi = files.len();
        files.push(FileRef {
            path: &card.path,
            text: &card.module,
            root: Some(root),
            json_strings_are_templates: false,
        });
        let child = if dir.is_empty() {
            format!("module.{name}")
        } else {
            format!("{dir}/module.{name}")
        };
        let mut cm = Module::new(child.clone());
        cm.add(fi, root);
        modules.insert(child.clone(), cm);
        ext_call.insert(fi, at);
        external.insert(key, child);
    }
    // Calls from installed modules and cards report at the outermost call in a scanned file.
    let scanned = inputs.len();
    let outer: HashMap<usize, At> = ext_call
        .keys()
        .map(|&f| {
            let mut at = ext_call[&f].clone();
            for _ in 0..MAX_MODULE_DEPTH * 2 {
                match ext_call.get(&at.file) {
                    Some(next) if at.file >= scanned => at = next.clone(),
                    _ => break,
                }
            }
            (f, at)
        })
        .collect();

    // Which module directories are called from another module (local sources, installed
    // modules and cards).
    let mut called: HashSet<String> = external.values().cloned().collect();
    let externals = called.clone();
    for m in modules.values() {
        for (_, n) in &m.blocks {
            if let Some(b) = n.as_block()
                && b.ident == "module"
                && let Some(src) = n.get("source").and_then(|s| s.as_str())
                && let Some(d) = local_source(&m.dir, src)
                && d != m.dir
            {
                called.insert(d);
            }
        }
    }

    // Every root module (nothing here calls it) is evaluated on its own with its own budget
    // (an evaluation bomb in one stack does not leave the others unknown), side by side, and
    // the parts are appended in directory order (the same analysis whatever the threads).
    let shared = Shared {
        files: &files,
        modules: &modules,
        external: &external,
        outer: &outer,
        disk_root: &disk_root,
    };
    let mut out = Analysis {
        paths: files.iter().map(|f| f.path.to_string()).collect(),
        ..Default::default()
    };
    let total = total_budget(&files[..inputs.len()]);
    let mut left = total;
    // Modules installed on disk are read afresh each time: nothing is reused then.
    let kept = tokens
        .filter(|_| installed.is_empty())
        .and_then(|t| Reuse::new(&files, t));
    let mut reuse = kept.as_ref().map(|r| (r, Memo::default()));
    let roots: Vec<RootJob> = modules
        .values()
        .filter(|m| !called.contains(&m.dir) && !m.blocks.is_empty())
        .map(RootJob::Root)
        .collect();
    evaluate_parts(&shared, roots, &mut out, (total, &mut left), reuse.as_mut());
    // Modules only reachable through a call cycle (or whose callers were cut off) still get
    // one instance with their defaults, so nothing goes unchecked.
    let seen: HashSet<&str> = out.insts.iter().map(|i| i.dir.as_str()).collect();
    let unreached: Vec<RootJob> = modules
        .values()
        .filter(|m| !seen.contains(m.dir.as_str()) && !externals.contains(&m.dir))
        .filter(|m| !m.blocks.is_empty())
        .map(RootJob::Defaults)
        .collect();
    evaluate_parts(
        &shared,
        unreached,
        &mut out,
        (total, &mut left),
        reuse.as_mut(),
    );
    if let Some((r, memo)) = reuse
        && let Some(k) = lock_kept().as_mut()
    {
        k.retain(|(s, _)| *s != r.shape);
        k.insert(0, (r.shape, memo));
        k.truncate(KEPT_LISTS);
    }
    out.outer = outer;
    // CloudFormation, SAM, CDK output and Serverless: lowered into the same record.
    for (fi, i) in inputs.iter().enumerate() {
        if crate::terraform::cfn::is_template(i.kind)
            && let Some(root) = i.root
        {
            crate::terraform::cfn::lower(
                &mut out,
                &files,
                fi,
                i.kind,
                root,
                config
                    .map(|c| c.template_parameters(i.path))
                    .unwrap_or_default(),
            );
        }
    }
    out.build_indexes();
    out
}

/// What [`Builder`]s of one analysis share.
struct Shared<'a, 'b> {
    files: &'b [FileRef<'a>],
    modules: &'b BTreeMap<String, Module<'a>>,
    external: &'b HashMap<(String, String), String>,
    outer: &'b HashMap<usize, At>,
    disk_root: &'b Option<PathBuf>,
}

impl<'a, 'b> Shared<'a, 'b> {
    /// A builder of one root's evaluation, with its own budget.
    fn builder(&self, budget: std::rc::Rc<Budget>) -> Builder<'a, 'b> {
        Builder {
            files: self.files,
            modules: self.modules,
            external: self.external,
            outer: self.outer,
            budget,
            disk_root: self.disk_root.clone(),
            out: Analysis::default(),
        }
    }
}

/// A module evaluated as a root: with its tfvars, or (unreached otherwise) with its defaults.
enum RootJob<'m, 'a> {
    Root(&'m Module<'a>),
    Defaults(&'m Module<'a>),
}

/// Roots evaluated side by side per batch; the batch size is fixed so that the budgets (and
/// the analysis) do not depend on the number of threads.
const ROOT_BATCH: usize = 8;

/// What the roots of a whole analysis may spend together: one root's budget, or more for a
/// large repository (a multiple of its Terraform bytes), so that a monorepo's stacks are all
/// evaluated while the sum stays proportional to the input.
fn total_budget(scanned: &[FileRef]) -> usize {
    let bytes: usize = scanned
        .iter()
        .filter(|f| f.root.is_some())
        .map(|f| f.text.len())
        .sum();
    // Rounded down to a power of two: the roots' shares stay the same while a file is edited.
    let scaled = bytes.saturating_mul(BUDGET_PER_INPUT_BYTE);
    let rounded = if scaled == 0 {
        0
    } else {
        1usize << (usize::BITS - 1 - scaled.leading_zeros())
    };
    super::eval::eval_budget().max(rounded)
}

/// Estimated evaluation bytes allowed per byte of Terraform input across a whole analysis.
const BUDGET_PER_INPUT_BYTE: usize = 64;

/// Evaluate `jobs` (in batches, each root with its own budget: a root's, or its part of the
/// analysis' `total` when that is less; none once the total is spent) and append them to
/// `out` in order. With `reuse`, a root whose files are unchanged since the kept evaluation
/// takes it, and every root's evaluation is kept.
fn evaluate_parts(
    shared: &Shared,
    jobs: Vec<RootJob>,
    out: &mut Analysis,
    (total, left): (usize, &mut usize),
    mut reuse: Option<&mut (&Reuse, Memo)>,
) {
    use rayon::prelude::*;
    // A root's share: its own budget, or less so that a batch of roots cannot spend more than
    // the whole analysis may. Batches start while anything is left, so the roots together
    // spend at most twice the total; the share stays the same from build to build (the
    // language server reuses evaluations made with the same share).
    let base = (total / jobs.len().clamp(1, ROOT_BATCH)).min(super::eval::eval_budget());
    for batch in jobs.chunks(ROOT_BATCH) {
        let share = if *left == 0 { 0 } else { base };
        let check = reuse.as_ref().map(|(r, _)| *r);
        let parts: Vec<Part> = batch
            .par_iter()
            .map(|job| {
                if let Some(k) = check.and_then(|r| r.lookup(&job.key(), share)) {
                    return Part::Reused(k);
                }
                let mut b = shared.builder(if share == 0 {
                    Budget::used_up(total)
                } else {
                    Budget::new(share)
                });
                match job {
                    RootJob::Root(m) => b.root(m),
                    RootJob::Defaults(m) => {
                        let defaults = b.defaults(m);
                        b.instance(m, defaults, 0, format!("{} (defaults)", m.dir), None);
                    }
                }
                b.out.budget_errors = b.budget.exceeded();
                let (read, disk) = b.budget.reads();
                let deps = check.filter(|_| !disk).map(|r| r.deps(&b.out, read));
                Part::Fresh(Box::new(Kept {
                    share,
                    spent: b.budget.spent().min(share),
                    deps,
                    part: b.out,
                }))
            })
            .collect();
        for (job, p) in batch.iter().zip(parts) {
            let k = match p {
                Part::Reused(k) => k,
                Part::Fresh(k) if reuse.is_some() && k.deps.is_some() => Arc::from(k),
                Part::Fresh(k) => {
                    *left = left.saturating_sub(k.spent);
                    out.append(k.part);
                    continue;
                }
            };
            *left = left.saturating_sub(k.spent);
            out.append(k.part.clone());
            if let Some((_, memo)) = reuse.as_mut() {
                memo.insert(job.key(), k);
            }
        }
    }
}

/// A root's evaluation in a batch: kept from the last build, or made now.
enum Part {
    Reused(Arc<Kept>),
    Fresh(Box<Kept>),
}

/// A root's evaluation as kept for the next build (the language server's passes).
struct Kept {
    /// The budget it had and what it spent.
    share: usize,
    spent: usize,
    /// The files it depends on (every file of the module directories it instantiated and the
    /// files `file()` read) with their texts; `None` when it cannot be reused (it read disk).
    deps: Option<Dependencies>,
    part: Analysis,
}

struct Dependencies {
    dirs: Vec<String>,
    files: Vec<(usize, Arc<str>)>,
}

/// Kept evaluations by (defaults-only, root directory).
type Memo = HashMap<(bool, String), Arc<Kept>>;

/// The evaluations of the last builds made with texts, per list of files (a scan's partitions
/// analyse different lists), newest first, when [`keep_parts`] turned keeping on.
static KEPT: std::sync::Mutex<Option<Vec<(u64, Memo)>>> = std::sync::Mutex::new(None);

/// Lists of files whose evaluations are kept.
const KEPT_LISTS: usize = 4;

fn lock_kept() -> std::sync::MutexGuard<'static, Option<Vec<(u64, Memo)>>> {
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keep each root's evaluation for the next project analysis of this process (the language
/// server: after an edit only the roots whose files changed are evaluated again).
pub fn keep_parts() {
    let mut k = lock_kept();
    if k.is_none() {
        *k = Some(Vec::new());
    }
}

/// What a build may reuse: the kept evaluations when the files are the same list of paths.
struct Reuse<'t> {
    /// Hash of the paths of the files in order.
    shape: u64,
    memo: Memo,
    tokens: &'t [Arc<str>],
    /// Scanned files per directory.
    by_dir: HashMap<&'t str, Vec<usize>>,
}

impl<'t> Reuse<'t> {
    /// `None` when keeping is off. Kept evaluations made over another list of files (paths
    /// in order, module cards included: evaluations hold file indexes) are dropped.
    fn new(files: &'t [FileRef<'t>], tokens: &'t [Arc<str>]) -> Option<Reuse<'t>> {
        use std::hash::{Hash, Hasher};
        let mut kept = lock_kept();
        let lists = kept.as_mut()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for f in files {
            f.path.hash(&mut h);
        }
        let shape = h.finish();
        let memo = lists
            .iter_mut()
            .find(|(s, _)| *s == shape)
            .map(|(_, m)| std::mem::take(m))
            .unwrap_or_default();
        let mut by_dir: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, f) in files.iter().take(tokens.len()).enumerate() {
            let d = f.path.rsplit_once('/').map_or("", |(d, _)| d);
            by_dir.entry(d).or_default().push(i);
        }
        Some(Reuse {
            shape,
            memo,
            tokens,
            by_dir,
        })
    }

    /// The files an evaluation depends on now.
    fn files_of(&self, dirs: &[String], read: &[usize]) -> Vec<usize> {
        let mut v: Vec<usize> = dirs
            .iter()
            .filter_map(|d| self.by_dir.get(d.as_str()))
            .flatten()
            .copied()
            .chain(read.iter().copied().filter(|&i| i < self.tokens.len()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn deps(&self, part: &Analysis, read: Vec<usize>) -> Dependencies {
        let mut dirs: Vec<String> = part.insts.iter().map(|i| i.dir.clone()).collect();
        dirs.sort();
        dirs.dedup();
        let files = self
            .files_of(&dirs, &read)
            .into_iter()
            .map(|i| (i, self.tokens[i].clone()))
            .collect();
        Dependencies { dirs, files }
    }

    /// The kept evaluation of `key` if it had the same budget and its files are the same texts.
    fn lookup(&self, key: &(bool, String), share: usize) -> Option<Arc<Kept>> {
        let k = self.memo.get(key)?;
        let d = k.deps.as_ref()?;
        if k.share != share {
            return None;
        }
        let read: Vec<usize> = d.files.iter().map(|(i, _)| *i).collect();
        let now = self.files_of(&d.dirs, &read);
        let same = now.len() == d.files.len()
            && now
                .iter()
                .zip(&d.files)
                .all(|(&i, (j, t))| i == *j && Arc::ptr_eq(&self.tokens[i], t));
        same.then(|| k.clone())
    }
}

impl RootJob<'_, '_> {
    fn key(&self) -> (bool, String) {
        match self {
            RootJob::Root(m) => (false, m.dir.clone()),
            RootJob::Defaults(m) => (true, m.dir.clone()),
        }
    }
}

impl Analysis {
    /// Append the instances, blocks and sites of an analysis built over the same files.
    fn append(&mut self, part: Analysis) {
        let (ri, ii) = (self.res.len(), self.insts.len());
        self.res.extend(part.res.into_iter().map(|mut r| {
            r.inst += ii;
            r
        }));
        self.sites.extend(part.sites.into_iter().map(|mut s| {
            s.res += ri;
            s
        }));
        self.insts.extend(part.insts.into_iter().map(|mut i| {
            i.parent = i.parent.map(|p| p + ii);
            i.call = i.call.map(|c| c + ri);
            i
        }));
        // One place per file: the first.
        for (at, what) in part.budget_errors {
            if !self.budget_errors.iter().any(|(a, _)| a.file == at.file) {
                self.budget_errors.push((at, what));
            }
        }
    }
}

/// The module directories a file of module directory `dir` calls with a local `source`
/// (`./modules/role`, `../shared`), normalized like file paths. Calls with `for_each` are left
/// out: their arguments are mostly `each.value` lookups of a map the caller leaves to its own
/// callers (`for_each = var.items` wrappers), which would make the module's values less known
/// than its defaults.
pub fn local_module_calls(dir: &str, root: &Node) -> Vec<String> {
    root.entries()
        .iter()
        .filter_map(|e| {
            let V::Block(b) = &e.value.v else { return None };
            if b.ident != "module" || e.value.get("for_each").is_some() {
                return None;
            }
            let src = e.value.get("source").and_then(|s| s.as_str())?;
            local_source(dir, src).filter(|d| d != dir)
        })
        .collect()
}

/// `./x`, `../x` relative to `dir` → module directory.
fn local_source(dir: &str, src: &str) -> Option<String> {
    if !(src.starts_with("./") || src.starts_with("../")) {
        return None;
    }
    let joined = if dir.is_empty() {
        src.to_string()
    } else {
        format!("{dir}/{src}")
    };
    normalize(&joined)
}

struct Builder<'a, 'b> {
    files: &'b [FileRef<'a>],
    modules: &'b BTreeMap<String, Module<'a>>,
    /// (calling module directory, call name) → the module standing for a registry or git
    /// source (installed directory or card).
    external: &'b HashMap<(String, String), String>,
    /// Files of installed modules and module cards → the call in a scanned file.
    outer: &'b HashMap<usize, At>,
    /// Shared by every scope of the analysis.
    budget: std::rc::Rc<Budget>,
    disk_root: Option<PathBuf>,
    out: Analysis,
}

/// Budget charged for each evaluated block (its record, indexes, policy sites).
const BLOCK_COST: usize = 1024;

impl<'a, 'b> Builder<'a, 'b> {
    fn scope(&self, m: &Module<'a>) -> Scope<'b> {
        let mut s = Scope::new(self.files, m.dir.clone());
        s.disk_root = self.disk_root.clone();
        s.budget = self.budget.clone();
        s
    }

    fn defaults(&self, m: &Module<'a>) -> HashMap<String, Val> {
        let s = self.scope(m);
        let mut out = HashMap::new();
        for (name, fi, def) in &m.vars {
            if let Some(d) = def {
                out.insert(name.clone(), s.eval(*fi, d));
            }
        }
        out
    }

    /// A root module: one instance with its defaults and the tfvars that always apply
    /// (`terraform.tfvars`, `*.auto.tfvars`), or one per alternative tfvars file.
    fn root(&mut self, m: &Module<'a>) {
        let files = self.files;
        let defaults = self.defaults(m);
        let mut auto: Vec<usize> = Vec::new();
        let mut alt: Vec<usize> = Vec::new();
        for &t in &m.tfvars {
            let p = files[t].path;
            let name = p.rsplit('/').next().unwrap_or(p);
            if name == "terraform.tfvars"
                || name == "terraform.tfvars.json"
                || name.ends_with(".auto.tfvars")
                || name.ends_with(".auto.tfvars.json")
            {
                auto.push(t);
            } else {
                alt.push(t);
            }
        }
        auto.sort_by_key(|&t| files[t].path);
        let mut base = defaults;
        for &t in &auto {
            self.apply_tfvars(t, &mut base);
        }
        if alt.is_empty() {
            self.instance(m, base, 0, "root".into(), None);
        } else {
            for &t in &alt {
                let mut vars = base.clone();
                self.apply_tfvars(t, &mut vars);
                let label = format!("root ({})", files[t].path);
                self.instance(m, vars, 0, label, None);
            }
        }
    }

    fn apply_tfvars(&self, t: usize, vars: &mut HashMap<String, Val>) {
        let Some(root) = self.files[t].root else {
            return;
        };
        let mut s = Scope::new(self.files, String::new());
        s.budget = self.budget.clone();
        for e in root.entries() {
            if matches!(e.value.v, V::Block(_)) {
                continue;
            }
            vars.insert(e.key.clone(), s.eval(t, &e.value));
        }
    }

    fn instance(
        &mut self,
        m: &Module<'a>,
        vars: HashMap<String, Val>,
        depth: usize,
        label: String,
        parent: Option<(usize, usize)>,
    ) {
        if self.out.insts.len() >= MAX_INSTANCES {
            return;
        }
        if self.budget.spent_all() {
            // Where the instance would come from: its `module` call, else the module itself.
            let at = match parent {
                Some((_, call)) => Some(self.out.res[call].at.clone()),
                None => m.blocks.first().map(|&(file, n)| At {
                    file,
                    span: n.span.clone(),
                }),
            };
            if let Some(at) = at {
                self.budget.record(&at, None);
            }
            return;
        }
        let inst = self.out.insts.len();
        let module = match parent {
            Some((_, call)) if self.external.values().any(|d| *d == m.dir) => {
                let c = &self.out.res[call];
                Some(match &c.module {
                    Some(outer) => format!("{outer}.{}", c.address),
                    None => c.address.clone(),
                })
            }
            Some((p, _)) => self.out.insts[p].module.clone(),
            None => None,
        };
        self.out.insts.push(Inst {
            dir: m.dir.clone(),
            parent: parent.map(|p| p.0),
            label,
            call: parent.map(|p| p.1),
            module: module.clone(),
        });
        let mut scope = self.scope(m);
        scope.vars = vars;
        scope.locals = m.locals.clone();
        let first_res = self.out.res.len();
        let reusable = parent.is_none() && !m.vars.is_empty() && m.tfvars.is_empty();
        // Blocks whose `for_each`/`count` iterates over another block of the module come
        // after the others, which are then known to it (`for_each = aws_iam_user.bots`).
        let bases: HashSet<String> = m.blocks.iter().filter_map(|(_, n)| block_base(n)).collect();
        let mut referenced: HashSet<String> = HashSet::new();
        let mut late = Vec::new();
        let mut order = Vec::with_capacity(m.blocks.len());
        for &(fi, n) in &m.blocks {
            let refs = iteration_refs(self.files[fi].text, n, &bases);
            if refs.is_empty() {
                order.push((fi, n));
            } else {
                referenced.extend(refs);
                late.push((fi, n));
            }
        }
        order.extend(late);
        let mut called_early: HashSet<usize> = HashSet::new();
        for (fi, n) in order {
            let Some(b) = n.as_block() else { continue };
            let block_start = self.out.res.len();
            let (rtype, name, label_at) = match b.ident.as_str() {
                "resource" | "data" => match (b.labels.first(), b.labels.get(1)) {
                    (Some(t), Some(nm)) => (t.0.clone(), nm.0.clone(), nm.1.clone()),
                    _ => continue,
                },
                _ => match b.labels.first() {
                    Some(l) => (l.0.clone(), l.0.clone(), l.1.clone()),
                    None => continue,
                },
            };
            let at = At {
                file: fi,
                span: n.span.clone(),
            };
            let base = match b.ident.as_str() {
                "resource" => format!("{rtype}.{name}"),
                "data" => format!("data.{rtype}.{name}"),
                "variable" => format!("var.{name}"),
                other => format!("{other}.{name}"),
            };
            let (mut keys, iter_at) = if matches!(b.ident.as_str(), "resource" | "data" | "module")
            {
                expansion(&scope, fi, n)
            } else {
                (vec![None], None)
            };
            // A module nothing here calls, evaluated with its defaults: a block its defaults
            // turn off (`count = var.create ? 1 : 0`) is what callers turn on; check it once.
            if keys.is_empty() && reusable {
                keys.push(None);
            }
            let keys_len = keys.len();
            for key in keys {
                self.budget.charge(BLOCK_COST);
                let (body, key) = if b.ident == "variable" {
                    // Variable blocks: the default as written (not the instance's value).
                    let s0 = self.scope(m);
                    (eval_block(&s0, fi, n, &at), None)
                } else {
                    match key {
                        Some((key, binding, value)) => {
                            scope.iters.borrow_mut().push((binding.to_string(), value));
                            let mut body = eval_block(&scope, fi, n, &at);
                            scope.iters.borrow_mut().pop();
                            if let Some(it) = &iter_at {
                                body.add_use(it);
                            }
                            (body, Some(key))
                        }
                        None => (eval_block(&scope, fi, n, &at), None),
                    }
                };
                let address = match &key {
                    Some(k) => format!("{base}[{k}]"),
                    None => base.clone(),
                };
                let (at, label_at) = match self.outer.get(&fi) {
                    Some(call) => (call.clone(), call.clone()),
                    None => (
                        at.clone(),
                        At {
                            file: fi,
                            span: label_at.clone(),
                        },
                    ),
                };
                self.out.res.push(Res {
                    block: b.ident.clone(),
                    rtype: rtype.clone(),
                    name: name.clone(),
                    address,
                    key,
                    dir: m.dir.clone(),
                    inst,
                    at,
                    label_at,
                    body: body.into(),
                    module: module.clone(),
                });
            }
            if let Some(base) = block_base(n)
                && referenced.contains(&base)
            {
                let v = if b.ident == "module" {
                    // Its outputs are needed now: call it before the blocks that iterate.
                    let from_inst = self.out.insts.len();
                    for i in block_start..self.out.res.len() {
                        called_early.insert(i);
                        self.call(m, inst, depth, i);
                    }
                    self.outputs(
                        block_start..block_start + (self.out.res.len() - block_start).min(keys_len),
                        from_inst,
                        &at,
                    )
                } else {
                    collection(&self.out.res[block_start..], &at, iter_at.is_some(), &base)
                };
                scope.blocks.borrow_mut().insert(base, v);
            }
        }
        // Policy documents of this instance.
        // By name with its instance key (`this[0]`) and, for the first instance, by name.
        let mut docs: HashMap<String, usize> = HashMap::new();
        for i in first_res..self.out.res.len() {
            let r = &self.out.res[i];
            if r.inst != inst {
                continue;
            }
            if r.block == "data" && r.rtype == "aws_iam_policy_document" {
                docs.insert(r.local_name(), i);
                docs.entry(r.name.clone()).or_insert(i);
            }
        }
        let mut doc_policies: HashMap<String, Policy> = HashMap::new();
        let mut names: Vec<&String> = docs.keys().collect();
        names.sort();
        for name in names {
            let p = self.doc_policy(name, &docs, &mut doc_policies, 0);
            doc_policies.insert(name.clone(), p);
        }
        for i in first_res..self.out.res.len() {
            let r = &self.out.res[i];
            if r.inst != inst {
                continue;
            }
            if r.block == "data" && r.rtype == "aws_iam_policy_document" {
                if let Some(p) = doc_policies.get(&r.local_name()) {
                    self.out.sites.push(Site {
                        res: i,
                        attr: "document".into(),
                        kind: SiteKind::Document,
                        policy: p.clone().into(),
                        via_doc: None,
                    });
                }
                continue;
            }
            if r.block != "resource" {
                continue;
            }
            let mut found: Vec<(String, Val)> = Vec::new();
            for (k, v) in r.body.entries() {
                if k == "policy" || k == "assume_role_policy" || k == "access_policies" {
                    found.push((k.clone(), v.clone()));
                }
                if k == "inline_policy"
                    && let Some(p) = v.get("policy")
                {
                    found.push(("inline_policy.policy".into(), p.clone()));
                }
            }
            for (attr, v) in found {
                let kind = if attr == "assume_role_policy" {
                    SiteKind::Trust
                } else if attr == "inline_policy.policy"
                    || matches!(
                        r.rtype.as_str(),
                        "aws_iam_policy"
                            | "aws_iam_role_policy"
                            | "aws_iam_user_policy"
                            | "aws_iam_group_policy"
                    )
                {
                    SiteKind::Identity
                } else {
                    SiteKind::Resource
                };
                let (policy, via_doc) = match &v.k {
                    K::DocRef(d) => match doc_lookup(&docs, d) {
                        Some(di) => {
                            let n = self.out.res[di].local_name();
                            match doc_policies.get(&n) {
                                Some(p) => (p.clone(), Some(n)),
                                None => continue,
                            }
                        }
                        None => continue,
                    },
                    _ => match value_policy(&v, self.files) {
                        Some(p) => (p, None),
                        None => continue,
                    },
                };
                self.out.sites.push(Site {
                    res: i,
                    attr,
                    kind,
                    policy: policy.into(),
                    via_doc,
                });
            }
        }
        // Child modules called from this instance.
        if depth >= MAX_MODULE_DEPTH {
            return;
        }
        for i in first_res..self.out.res.len() {
            if self.out.res[i].inst == inst
                && self.out.res[i].block == "module"
                && !called_early.contains(&i)
            {
                self.call(m, inst, depth, i);
            }
        }
    }

    /// Evaluate the module a `module` block (index `i` in `res`) of instance `inst` calls.
    fn call(&mut self, m: &Module<'a>, inst: usize, depth: usize, i: usize) {
        if depth >= MAX_MODULE_DEPTH {
            return;
        }
        let r = &self.out.res[i];
        let Some(src) = r.body.get("source").and_then(|s| s.known_str()) else {
            return;
        };
        let Some(d) = local_source(&m.dir, src)
            .or_else(|| self.external.get(&(m.dir.clone(), r.name.clone())).cloned())
        else {
            return;
        };
        let (args, name) = (r.body.entries().to_vec(), r.address.clone());
        let Some(child) = self.modules.get(&d) else {
            return;
        };
        if child.dir == m.dir {
            return;
        }
        let mut vars = self.defaults(child);
        for (k, v) in args {
            if matches!(
                k.as_str(),
                "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
            ) {
                continue;
            }
            vars.insert(k, v);
        }
        let label = format!("{} → {name}", self.out.insts[inst].label);
        self.instance(child, vars, depth + 1, label, Some((inst, i)));
    }

    /// The outputs of the instances a `module` block's instances (`calls`) created, as a
    /// `for_each` sees `module.x`.
    fn outputs(&self, calls: std::ops::Range<usize>, from_inst: usize, at: &At) -> Val {
        let obj = |c: usize| {
            let es = self
                .out
                .insts
                .iter()
                .enumerate()
                .skip(from_inst)
                .find(|(_, x)| x.call == Some(c))
                .map(|(ci, _)| {
                    self.out
                        .res
                        .iter()
                        .filter(|r| r.inst == ci && r.block == "output")
                        .filter_map(|r| Some((r.name.clone(), r.body.get("value")?.clone())))
                        .collect::<Vec<_>>()
                });
            match es {
                Some(es) => Val::new(K::Obj(es), at.clone()),
                None => Val::unknown("module", at.clone()),
            }
        };
        let res = &self.out.res[calls.clone()];
        match res.first().and_then(|r| r.key.as_deref()) {
            None if res.len() == 1 => obj(calls.start),
            Some(k) if k.starts_with('"') => Val::new(
                K::Obj(
                    calls
                        .map(|c| {
                            let k = self.out.res[c].key.as_deref().unwrap_or_default();
                            let k = serde_json::from_str::<String>(k)
                                .unwrap_or_else(|_| k.trim_matches('"').to_string());
                            (k, obj(c))
                        })
                        .collect(),
                ),
                at.clone(),
            ),
            Some(_) => Val::new(K::List(calls.map(obj).collect()), at.clone()),
            _ => Val::unknown("module", at.clone()),
        }
    }

    fn doc_policy(
        &self,
        name: &str,
        docs: &HashMap<String, usize>,
        done: &mut HashMap<String, Policy>,
        depth: usize,
    ) -> Policy {
        if let Some(p) = done.get(name) {
            return p.clone();
        }
        let Some(i) = doc_lookup(docs, name) else {
            return Policy {
                stmts: Vec::new(),
                at: At {
                    file: 0,
                    span: 0..0,
                },
                unknown: Some(format!("data.aws_iam_policy_document.{name}")),
            };
        };
        let body = self.out.res[i].body.clone();
        let files = self.files;
        let mut resolve = |v: &Val| -> Option<Policy> {
            match &v.k {
                K::DocRef(d) if depth < 8 => Some(self.doc_policy(d, docs, done, depth + 1)),
                _ => value_policy(v, files),
            }
        };
        policy::from_document(&body, &mut resolve)
    }
}

/// A policy document of the instance by the name a reference gives (`this`, `this[0]`): that
/// instance, else the first instance of the name.
fn doc_lookup(docs: &HashMap<String, usize>, name: &str) -> Option<usize> {
    docs.get(name)
        .or_else(|| docs.get(name.split('[').next().unwrap_or(name)))
        .copied()
}

/// A policy written as an object (jsonencode) or a JSON string.
fn value_policy(v: &Val, files: &[FileRef]) -> Option<Policy> {
    match &v.k {
        K::Obj(_) if v.get_ci("Statement").is_some() => Some(policy::from_json_val(v)),
        K::Str(s, _) if s.contains("Statement") => {
            let j = policy::json_string_to_val(v, files)?;
            Some(policy::from_json_val(&j))
        }
        _ => None,
    }
}

/// Evaluate a top-level block in its own window of the budget: past its share the body is
/// unknown (and the analysis says where).
fn eval_block(scope: &Scope, file: usize, node: &Node, at: &At) -> Val {
    scope
        .budget
        .window(at, "this block", || eval_body(scope, file, node, 0))
        .unwrap_or_else(|| Val::unknown(BUDGET_UNKNOWN, at.clone()))
}

/// Evaluate a block body; `dynamic` blocks are expanded over a known `for_each` (or once with
/// an unknown iterator), nested blocks become object entries under their identifier.
fn eval_body(scope: &Scope, file: usize, node: &Node, depth: usize) -> Val {
    let at = At {
        file,
        span: node.span.clone(),
    };
    if !scope.budget.charge(std::mem::size_of::<Val>()) {
        return Val::unknown(BUDGET_UNKNOWN, at);
    }
    let mut es = Vec::new();
    for e in node.entries() {
        match &e.value.v {
            V::Block(b) if b.ident == "dynamic" && depth < 8 => {
                let label = label0(b).unwrap_or("").to_string();
                let bn = &e.value;
                let iter_name = match bn.get("iterator").map(|n| &n.v) {
                    Some(V::Expr(t)) => t.trim().to_string(),
                    Some(V::Str(s)) => s.clone(),
                    _ => label.clone(),
                };
                let Some((_, content)) = bn.blocks("content").next() else {
                    continue;
                };
                let at = At {
                    file,
                    span: bn.span.clone(),
                };
                let fe = bn.get("for_each").map(|n| scope.eval(file, n));
                // The evaluated collection is owned: its items move into the iterators.
                let items: Vec<Val> = match fe.map(|v| v.k) {
                    Some(K::List(items)) => items
                        .into_iter()
                        .take(MAX_DYNAMIC_ITEMS)
                        .enumerate()
                        .map(|(i, v)| {
                            iter_obj(Val::new(K::Num(i.to_string()), v.at.clone()), v, at.clone())
                        })
                        .collect(),
                    Some(K::Obj(kv)) => kv
                        .into_iter()
                        .take(MAX_DYNAMIC_ITEMS)
                        .map(|(k, v)| {
                            iter_obj(Val::new(K::Str(k, false), v.at.clone()), v, at.clone())
                        })
                        .collect(),
                    _ => vec![Val::unknown(format!("{iter_name}.value"), at.clone())],
                };
                for it in items {
                    scope.iters.borrow_mut().push((iter_name.clone(), it));
                    let v = eval_body(scope, file, content, depth + 1);
                    scope.iters.borrow_mut().pop();
                    es.push((label.clone(), v));
                }
            }
            V::Block(_) if depth < 8 => {
                es.push((e.key.clone(), eval_body(scope, file, &e.value, depth + 1)))
            }
            _ => es.push((e.key.clone(), scope.eval(file, &e.value))),
        }
    }
    Val::new(
        K::Obj(es),
        At {
            file,
            span: node.span.clone(),
        },
    )
}

/// Most instances one `count`/`for_each` block is evaluated for (the rest are not checked).
const MAX_BLOCK_INSTANCES: usize = 256;

/// One instance of a block: its key as an address shows it (`0`, `"publish"`), the iterator
/// name (`count`, `each`) and its value.
type InstanceKey = Option<(String, &'static str, Val)>;

/// The instances `count` or `for_each` creates: `[None]` for a block without them or whose
/// collection is not known (one instance, `each`/`count` unknown), `[]` for none, and where
/// the meta-argument is written (the related location of an instance's findings).
fn expansion(scope: &Scope, fi: usize, n: &Node) -> (Vec<InstanceKey>, Option<At>) {
    let entry = n
        .entries()
        .iter()
        .find(|e| e.key == "for_each" || e.key == "count");
    let Some(e) = entry else {
        return (vec![None], None);
    };
    let site = At {
        file: fi,
        span: e.key_span.start..e.value.span.end.max(e.key_span.end),
    };
    scope.resolve_blocks.set(true);
    let v = scope.eval(fi, &e.value);
    scope.resolve_blocks.set(false);
    let keys: Vec<InstanceKey> = if e.key == "count" {
        match v.as_f64() {
            Some(c) if c >= 0.0 => (0..(c as usize).min(MAX_BLOCK_INSTANCES))
                .map(|i| {
                    let idx = Val::new(K::Num(i.to_string()), site.clone());
                    let obj = Val::new(K::Obj(vec![("index".into(), idx)]), site.clone());
                    Some((i.to_string(), "count", obj))
                })
                .collect(),
            _ => vec![None],
        }
    } else {
        match v.k {
            K::Obj(es) => {
                let mut es = es;
                es.sort_by(|a, b| a.0.cmp(&b.0));
                es.into_iter()
                    .take(MAX_BLOCK_INSTANCES)
                    .map(|(k, v)| {
                        let key = Val::new(K::Str(k.clone(), false), v.at.clone());
                        Some((format!("{k:?}"), "each", iter_obj(key, v, site.clone())))
                    })
                    .collect()
            }
            K::List(items) if items.iter().all(|i| i.scalar().is_some()) => items
                .into_iter()
                .take(MAX_BLOCK_INSTANCES)
                .map(|v| {
                    let k = v.scalar().unwrap_or_default();
                    let key = Val::new(K::Str(k.clone(), false), v.at.clone());
                    Some((format!("{k:?}"), "each", iter_obj(key, v, site.clone())))
                })
                .collect(),
            K::Null => Vec::new(),
            _ => vec![None],
        }
    };
    (keys, Some(site))
}

/// `aws_iam_role.x` / `data.t.x` for a resource or data block.
fn block_base(n: &Node) -> Option<String> {
    let b = n.as_block()?;
    if b.ident == "module" {
        return Some(format!("module.{}", b.labels.first()?.0));
    }
    let (t, name) = (b.labels.first()?, b.labels.get(1)?);
    match b.ident.as_str() {
        "resource" => Some(format!("{}.{}", t.0, name.0)),
        "data" => Some(format!("data.{}.{}", t.0, name.0)),
        _ => None,
    }
}

/// The blocks of `bases` that a block's `for_each`/`count` expression names.
fn iteration_refs(text: &str, n: &Node, bases: &HashSet<String>) -> Vec<String> {
    let Some(e) = n
        .entries()
        .iter()
        .find(|e| e.key == "for_each" || e.key == "count")
    else {
        return Vec::new();
    };
    let src = text.get(e.value.span.clone()).unwrap_or("");
    let mut out = Vec::new();
    for tok in src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
    {
        let segs: Vec<&str> = tok.split('.').collect();
        let take = if segs.first() == Some(&"data") { 3 } else { 2 };
        if segs.len() >= take {
            let b = segs[..take].join(".");
            if bases.contains(&b) && !out.contains(&b) {
                out.push(b);
            }
        }
    }
    out
}

/// The value of a block as a `for_each` sees it: a map of its instances (for_each), a list
/// (count) or the one instance; each instance's body carries its address.
fn collection(res: &[Res], at: &At, iterated: bool, base: &str) -> Val {
    let inst = |r: &Res| {
        let mut v = (*r.body).clone();
        if let K::Obj(es) = &mut v.k {
            es.push((
                super::eval::ADDRESS_KEY.to_string(),
                Val::new(K::Str(r.address.clone(), false), r.at.clone()),
            ));
        }
        v
    };
    match res.first().and_then(|r| r.key.as_deref()) {
        None if res.len() == 1 && !iterated => inst(&res[0]),
        Some(k) if k.starts_with('"') => Val::new(
            K::Obj(
                res.iter()
                    .map(|r| {
                        let k = r.key.as_deref().unwrap_or_default();
                        let k = serde_json::from_str::<String>(k)
                            .unwrap_or_else(|_| k.trim_matches('"').to_string());
                        (k, inst(r))
                    })
                    .collect(),
            ),
            at.clone(),
        ),
        Some(_) => Val::new(K::List(res.iter().map(inst).collect()), at.clone()),
        None if res.is_empty() => Val::new(K::Obj(Vec::new()), at.clone()),
        None => Val::unknown(base, at.clone()),
    }
}

fn iter_obj(key: Val, value: Val, at: At) -> Val {
    Val::new(
        K::Obj(vec![("key".into(), key), ("value".into(), value)]),
        at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(files: &[(&str, &str)]) -> Analysis {
        let parsed: Vec<(String, String, FileKind, Node)> = files
            .iter()
            .map(|(p, t)| {
                let kind = crate::source::classify(p, t);
                let root = match kind.format() {
                    crate::source::Format::Json => crate::lang::json::parse(t)
                        .map(|d| d.root)
                        .unwrap_or(Node::new(0..0, V::Null)),
                    _ => crate::lang::hcl::parse(t).doc.root,
                };
                (p.to_string(), t.to_string(), kind, root)
            })
            .collect();
        let inputs: Vec<Input> = parsed
            .iter()
            .map(|(p, t, k, r)| Input {
                path: p,
                text: t,
                kind: *k,
                root: Some(r),
            })
            .collect();
        build(&inputs, None, None)
    }

    #[test]
    fn vars_tfvars_locals_and_modules() {
        let a = analyse(&[
            (
                "main.tf",
                "variable \"n\" { default = 1 }\nlocals { x = format(\"%s-%d\", lower(\"AB\"), var.n) }\nresource \"aws_iam_role\" \"r\" { name = local.x\n max_session_duration = var.n }\nmodule \"m\" {\n source = \"./mod\"\n subj = [\"repo:a/*\"]\n}\n",
            ),
            ("terraform.tfvars", "n = 7200\n"),
            (
                "mod/main.tf",
                "variable \"subj\" {}\nresource \"aws_iam_role\" \"c\" { tags = { s = join(\",\", var.subj) } }\n",
            ),
        ]);
        let r = a.find(0, "resource", "aws_iam_role", "r").expect("role");
        assert_eq!(
            r.body.get("name").and_then(|v| v.known_str()),
            Some("ab-7200")
        );
        let d = r.body.get("max_session_duration").expect("duration");
        assert_eq!(d.as_f64(), Some(7200.0));
        assert_eq!(a.paths[d.at.file], "terraform.tfvars");
        let c = a.res.iter().find(|r| r.name == "c").expect("module role");
        assert_eq!(a.insts[c.inst].parent, Some(0));
        assert_eq!(
            c.body
                .get("tags")
                .and_then(|t| t.get("s"))
                .and_then(|v| v.known_str()),
            Some("repo:a/*")
        );
    }

    #[test]
    fn unknown_stays_unknown_and_cycles_end() {
        let a = analyse(&[(
            "main.tf",
            "locals {\n a = local.b\n b = local.a\n}\nresource \"x\" \"y\" {\n p = local.a\n q = \"arn:${data.aws_caller_identity.c.account_id}\"\n r = var.missing\n}\n",
        )]);
        let r = a.find(0, "resource", "x", "y").expect("res");
        assert!(r.body.get("p").is_some_and(|v| v.is_unknown()));
        let q = r.body.get("q").expect("q");
        assert!(q.is_unknown());
        assert_eq!(
            q.str(),
            Some("arn:${data.aws_caller_identity.c.account_id}")
        );
        assert_eq!(
            r.body.get("r").and_then(|v| v.unknown_text()),
            Some("var.missing")
        );
    }

    #[test]
    fn policy_documents_merge_sources_and_overrides() {
        let a = analyse(&[(
            "main.tf",
            "data \"aws_iam_policy_document\" \"base\" {\n statement {\n sid = \"A\"\n actions = [\"s3:GetObject\"]\n }\n statement {\n sid = \"B\"\n actions = [\"s3:PutObject\"]\n }\n}\ndata \"aws_iam_policy_document\" \"o\" {\n statement {\n sid = \"B\"\n effect = \"Deny\"\n actions = [\"*\"]\n }\n}\ndata \"aws_iam_policy_document\" \"all\" {\n source_policy_documents = [data.aws_iam_policy_document.base.json]\n override_policy_documents = [data.aws_iam_policy_document.o.json]\n}\n",
        )]);
        let site = a
            .sites
            .iter()
            .find(|s| a.res[s.res].name == "all")
            .expect("site");
        let sids: Vec<_> = site
            .policy
            .stmts
            .iter()
            .map(|s| (s.sid.clone().unwrap_or_default(), s.effect.clone()))
            .collect();
        assert_eq!(sids.len(), 2);
        assert_eq!(
            sids[1],
            ("B".into(), crate::terraform::policy::Effect::Deny)
        );
    }
}

#[cfg(test)]
mod kept_tests {
    use super::*;

    /// Build over `files` with shared texts (as the language server's passes do), or, without
    /// `keep`, as a scan does.
    fn build_shared(files: &[(&str, Arc<str>)], keep: bool) -> Analysis {
        let roots: Vec<Node> = files
            .iter()
            .map(|(_, t)| crate::lang::hcl::parse(t).doc.root)
            .collect();
        let inputs: Vec<Input> = files
            .iter()
            .zip(&roots)
            .map(|((p, t), r)| Input {
                path: p,
                text: t,
                kind: crate::source::classify(p, t),
                root: Some(r),
            })
            .collect();
        let tokens: Vec<Arc<str>> = files.iter().map(|(_, t)| t.clone()).collect();
        build_kept(&inputs, None, None, keep.then_some(&tokens[..]))
    }

    fn body_of<'a>(a: &'a Analysis, dir: &str, name: &str) -> &'a Arc<Val> {
        &a.res
            .iter()
            .find(|r| r.dir == dir && r.name == name && r.block == "resource")
            .unwrap()
            .body
    }

    fn shown(a: &Analysis) -> String {
        format!("{:?}\n{:?}\n{:?}", a.res, a.sites, a.insts)
    }

    /// With keeping on, a root whose files are the same texts takes its kept evaluation; the
    /// edited root is evaluated again, and the whole equals an analysis built afresh.
    #[test]
    fn unchanged_roots_reuse_their_evaluation() {
        keep_parts();
        let a_main: Arc<str> = Arc::from(
            "resource \"aws_iam_role\" \"a\" {\n  name = var.n\n}\nmodule \"m\" {\n  source = \"../shared\"\n  n = var.n\n}\n",
        );
        let a_vars: Arc<str> = Arc::from("variable \"n\" { default = \"kept-a\" }\n");
        let shared: Arc<str> =
            Arc::from("variable \"n\" {}\nresource \"aws_iam_role\" \"s\" { name = var.n }\n");
        let b1: Arc<str> = Arc::from("resource \"aws_iam_role\" \"b\" { name = \"one\" }\n");
        let b2: Arc<str> = Arc::from("resource \"aws_iam_role\" \"b\" { name = \"two\" }\n");
        let files = |b: &Arc<str>| {
            vec![
                ("kept-test/a/main.tf", a_main.clone()),
                ("kept-test/a/variables.tf", a_vars.clone()),
                ("kept-test/b/main.tf", b.clone()),
                ("kept-test/shared/main.tf", shared.clone()),
            ]
        };
        let first = build_shared(&files(&b1), true);
        let second = build_shared(&files(&b2), true);
        assert!(Arc::ptr_eq(
            body_of(&first, "kept-test/a", "a"),
            body_of(&second, "kept-test/a", "a")
        ));
        assert!(Arc::ptr_eq(
            body_of(&first, "kept-test/shared", "s"),
            body_of(&second, "kept-test/shared", "s")
        ));
        assert!(!Arc::ptr_eq(
            body_of(&first, "kept-test/b", "b"),
            body_of(&second, "kept-test/b", "b")
        ));
        assert_eq!(
            body_of(&second, "kept-test/b", "b")
                .get("name")
                .and_then(|v| v.known_str()),
            Some("two")
        );
        // The same as a build without kept evaluations.
        let fresh = build_shared(&files(&Arc::from(&*b2)), false);
        assert_eq!(shown(&second), shown(&fresh));
        // An edit in the called module's directory evaluates its caller again.
        let shared2: Arc<str> = Arc::from(
            "variable \"n\" {}\nresource \"aws_iam_role\" \"s\" { name = \"x-${var.n}\" }\n",
        );
        let mut f = files(&b2);
        f[3].1 = shared2;
        let third = build_shared(&f, true);
        assert_eq!(
            body_of(&third, "kept-test/shared", "s")
                .get("name")
                .and_then(|v| v.known_str()),
            Some("x-kept-a")
        );
        assert!(!Arc::ptr_eq(
            body_of(&second, "kept-test/a", "a"),
            body_of(&third, "kept-test/a", "a")
        ));
    }
}
