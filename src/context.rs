//! What every stage passes along: a file unit (text, parse, facts), the contexts a check sees
//! and the report of a scan. Below the domain modules (`terraform/`, `kube/`, `ci/`, ...), above
//! `source`, `lang`, `facts` (the model) and `config`; see tests/layering.rs.

use crate::config::Config;
use crate::facts::Facts;
use crate::finding::{Finding, ScanError};
use crate::lang::{Parsed, Span};
use crate::source::SourceFile;
use serde::Serialize;
use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// What a per-file check sees.
pub struct FileCx<'a> {
    pub file: &'a SourceFile,
    pub parsed: &'a Parsed,
    pub facts: &'a Facts,
    pub config: &'a Config,
}

/// One analysed file, kept for project rules.
pub struct FileUnit {
    pub file: SourceFile,
    pub parsed: Parsed,
    pub facts: Facts,
    /// For a Helm template read through its chart's rendering: which rendering (values
    /// files, release, namespace).
    pub rendering: Option<std::sync::Arc<crate::config::HelmRendering>>,
}

/// What a project check sees: every file and the joined fact graph, and the models derived
/// from them ([`ProjectCx::model`]). Built with [`ProjectCx::new`].
pub struct ProjectCx<'a> {
    pub root: &'a Path,
    pub files: &'a [FileUnit],
    pub facts: &'a Facts,
    pub config: &'a Config,
    by_path: OnceLock<HashMap<String, usize>>,
    models: Models<'a>,
}

impl FileCx<'_> {
    /// The class of this file's path (test, fixture, example, ... or production).
    pub fn path_class(&self) -> crate::pathclass::PathClass {
        self.config.path_class(&self.file.path)
    }
}

/// A model derived from a whole project scan (the Terraform evaluation, the Kubernetes graph,
/// the trust graph): built at most once per [`ProjectCx`], on first use, and shared by every
/// project rule that asks for it ([`ProjectCx::model`]). The implementing type is only a key.
pub trait Model: 'static {
    /// What is built; it may borrow from the scan's files and facts.
    type Out<'a>: Send + Sync + 'a;
    /// What failed if building panics: "the kubernetes graph" (every rule that needs the
    /// model then reports the same internal error, once).
    const STAGE: &'static str;
    fn build<'a>(cx: &ProjectCx<'a>) -> Self::Out<'a>;
}

/// A built model behind a type-erased pointer (the key's `TypeId` gives back its type).
struct Built {
    ptr: *mut (),
    drop: unsafe fn(*mut ()),
}

// SAFETY: `Built` only holds `Model::Out` values, which are `Send + Sync`.
unsafe impl Send for Built {}
unsafe impl Sync for Built {}

impl Drop for Built {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `Box::into_raw` of the type `drop` was instantiated with.
        unsafe { (self.drop)(self.ptr) }
    }
}

unsafe fn drop_box<T>(p: *mut ()) {
    // SAFETY: see `Built::drop`.
    drop(unsafe { Box::from_raw(p as *mut T) });
}

type Cell = Arc<OnceLock<Result<Built, crate::guard::Panic>>>;

/// The models of one project context. Invariant in `'a`: every model in it borrows for exactly
/// the `'a` of its context.
#[derive(Default)]
struct Models<'a> {
    cells: Mutex<Vec<(TypeId, Cell)>>,
    _lifetime: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl<'a> ProjectCx<'a> {
    pub fn new(
        root: &'a Path,
        files: &'a [FileUnit],
        facts: &'a Facts,
        config: &'a Config,
    ) -> ProjectCx<'a> {
        ProjectCx {
            root,
            files,
            facts,
            config,
            by_path: OnceLock::new(),
            models: Models::default(),
        }
    }

    /// The unit of a path (an index built on first use).
    pub fn file(&self, path: &str) -> Option<&'a FileUnit> {
        let files = self.files;
        let ix = self.by_path.get_or_init(|| {
            files
                .iter()
                .enumerate()
                .map(|(i, u)| (u.file.path.clone(), i))
                .collect()
        });
        ix.get(path).map(|&i| &files[i])
    }

    /// The model `M` of this scan, built on first use (concurrent callers wait for one build).
    /// If building it panicked, every caller panics with the same [`crate::guard::Panic`],
    /// naming [`Model::STAGE`].
    pub fn model<M: Model>(&self) -> &M::Out<'a> {
        let cell = self.cell::<M>(true).expect("created");
        let built = cell.get_or_init(|| {
            crate::guard::catch(|| {
                let value: Box<M::Out<'a>> = Box::new(M::build(self));
                Built {
                    ptr: Box::into_raw(value) as *mut (),
                    drop: drop_box::<M::Out<'a>>,
                }
            })
        });
        match built {
            // SAFETY: the cell of `M` only ever holds an `M::Out<'a>` (the `'a` of this
            // context: `Models` is invariant in it), boxed: the box lives as long as `self`.
            Ok(b) => unsafe { &*(b.ptr as *const M::Out<'a>) },
            Err(p) => p.clone().resume_as_stage(M::STAGE),
        }
    }

    /// Give this context the model `M` built elsewhere (the editor keeps the Terraform
    /// evaluation of an earlier pass over the same Terraform files): `model::<M>()` returns it.
    /// Nothing changes if `M` is already built.
    pub fn preset<M: Model>(&self, value: M::Out<'a>) {
        let cell = self.cell::<M>(true).expect("created");
        let built = Built {
            ptr: Box::into_raw(Box::new(value)) as *mut (),
            drop: drop_box::<M::Out<'a>>,
        };
        let _ = cell.set(Ok(built));
    }

    /// The model `M` if a rule already built it (nothing is built here).
    pub fn built<M: Model>(&self) -> Option<&M::Out<'a>> {
        let cell = self.cell::<M>(false)?;
        match cell.get()? {
            // SAFETY: as in `model`.
            Ok(b) => Some(unsafe { &*(b.ptr as *const M::Out<'a>) }),
            Err(_) => None,
        }
    }

    fn cell<M: Model>(&self, create: bool) -> Option<Cell> {
        let key = TypeId::of::<M>();
        let mut cells = self.models.cells.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = cells.iter().find(|(k, _)| *k == key) {
            return Some(c.clone());
        }
        if !create {
            return None;
        }
        let c: Cell = Arc::new(OnceLock::new());
        cells.push((key, c.clone()));
        Some(c)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub files_scanned: usize,
    pub files_skipped: usize,
    pub duration_ms: u64,
}

#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<ScanError>,
    pub stats: Stats,
    /// Findings silenced by inline comments, config or baseline.
    pub suppressed: usize,
    /// Structural findings not reported because they lie in test, fixture or e2e paths
    /// (`[paths] structural-in`).
    pub hidden_by_path_class: usize,
    pub facts: Facts,
    /// Mask spans per path (secret material) for reporters that show source.
    pub masks: HashMap<String, Vec<Span>>,
    /// File texts by path, for reporters that show code frames.
    pub sources: HashMap<String, SourceFile>,
}

/// Today's date as YYYY-MM-DD (UTC), overridable with `NHILINT_TODAY` for tests.
pub fn today() -> String {
    if let Ok(t) = std::env::var("NHILINT_TODAY") {
        return t;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}
