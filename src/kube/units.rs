//! Deployment units: the objects that are applied to a cluster together. Objects join (binding →
//! role → ServiceAccount → workload) only within one unit, so an e2e fixture or an example in
//! another folder never makes a production manifest look privileged.
//!
//! How a scan is cut into units, in this order:
//! 1. **Renderers.** Every root kustomization's rendering is a unit (its resources, bases and
//!    patch files are consumed). Every Helm chart is a unit: [`helm_units`] is the hook a chart
//!    renderer fills in; without one, the templates of a chart directory form the unit with
//!    symbolic (template-text) names.
//! 2. **Declared units.** `[[kubernetes.units]] name = "…" paths = ["glob", …]` in `nhilint.toml`:
//!    the plain manifests matching a declaration's globs are one unit (first declaration wins).
//! 3. **Directories.** The other plain manifests of one directory are one unit
//!    (`kubectl apply -f DIR`), except a multi-document file that defines an object another
//!    file of the directory also defines: such bundles are alternatives (`install.yaml`,
//!    `namespace-install.yaml`), each applied on its own, so each is its own unit.
//!
//! Namespaces match strictly inside a unit: a missing namespace is "the namespace the unit is
//! applied to" and matches only other namespace-less objects; a RoleBinding's ServiceAccount
//! subject without a namespace takes the binding's.

use super::{Obj, kustomize, objects, rbac::chart_dir};
use crate::config::Config;
use crate::context::FileUnit;
use crate::source::FileKind;
use std::collections::{BTreeMap, HashSet};

/// How a deployment unit came to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitSource {
    /// The rendering of a root kustomization (file index).
    Kustomize { root: usize },
    /// The templates (or one rendering) of one Helm chart (chart directory; the values files
    /// of an extra rendering, `values-prod.yaml`).
    Helm {
        chart: String,
        values: Option<String>,
    },
    /// One multi-document file applied on its own (file index).
    Bundle { file: usize },
    /// The plain manifests of one directory.
    Directory { dir: String },
    /// A `[[kubernetes.units]]` declaration of `nhilint.toml` (its name).
    Declared { name: String },
}

/// Objects applied together.
#[derive(Clone, Debug)]
pub struct DeployUnit<'a> {
    pub source: UnitSource,
    pub objs: Vec<Obj<'a>>,
}

/// What a renderer hands in: rendered units, and the file indices whose documents they replace
/// (not read as plain manifests again).
#[derive(Default)]
pub struct Rendered<'a> {
    pub units: Vec<DeployUnit<'a>>,
    pub consumed: HashSet<usize>,
}

pub use crate::config::{KubernetesConfig, UnitDecl};

/// The units of the Kubernetes files `idx` of one directory: a file whose objects another file
/// of the directory also defines is an alternative (its own bundle); the rest deploy together.
fn directory_units<'a>(files: &'a [FileUnit], dir: &str, idx: &[usize]) -> Vec<DeployUnit<'a>> {
    let mut units = Vec::new();
    let per_file: Vec<Vec<Obj>> = idx.iter().map(|&i| objects(i, &files[i].parsed)).collect();
    let ids: Vec<HashSet<ObjId>> = per_file
        .iter()
        .map(|os| os.iter().map(id).collect())
        .collect();
    let mut rest = Vec::new();
    for (k, objs) in per_file.into_iter().enumerate() {
        let alternative =
            objs.len() > 1 && (0..ids.len()).any(|j| j != k && !ids[k].is_disjoint(&ids[j]));
        if alternative {
            units.push(DeployUnit {
                source: UnitSource::Bundle { file: idx[k] },
                objs,
            });
        } else {
            rest.extend(objs);
        }
    }
    if !rest.is_empty() {
        units.push(DeployUnit {
            source: UnitSource::Directory {
                dir: dir.to_string(),
            },
            objs: rest,
        });
    }
    units
}

/// Every deployment unit of a scan (see the module docs); `Obj::unit` is set to the index.
pub fn collect<'a>(files: &'a [FileUnit], config: &Config) -> Vec<DeployUnit<'a>> {
    use rayon::prelude::*;
    let mut units = Vec::new();
    let mut consumed = HashSet::new();
    let k = kustomize_units(files);
    consumed.extend(k.consumed);
    units.extend(k.units);
    let h = helm_units(files, &consumed);
    consumed.extend(h.consumed);
    units.extend(h.units);
    let declared: Vec<(String, globset::GlobSet)> = config
        .kubernetes
        .units
        .iter()
        .filter_map(|d| {
            let mut b = globset::GlobSetBuilder::new();
            for p in &d.paths {
                b.add(globset::Glob::new(p).ok()?);
            }
            Some((d.name.clone(), b.build().ok()?))
        })
        .collect();
    let mut by_decl: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut by_dir: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, u) in files.iter().enumerate() {
        if consumed.contains(&i) || u.file.kind != FileKind::Kubernetes {
            continue;
        }
        let rel = config.config_relative(&u.file.path);
        match declared.iter().position(|(_, g)| g.is_match(rel)) {
            Some(d) => by_decl.entry(d).or_default().push(i),
            None => by_dir.entry(dir_of(&u.file.path)).or_default().push(i),
        }
    }
    for (d, idx) in by_decl {
        let objs = idx
            .iter()
            .flat_map(|&i| objects(i, &files[i].parsed))
            .collect();
        units.push(DeployUnit {
            source: UnitSource::Declared {
                name: declared[d].0.clone(),
            },
            objs,
        });
    }
    // Directories side by side (the objects of every file are read here), kept in order.
    let by_dir: Vec<(&str, Vec<usize>)> = by_dir.into_iter().collect();
    let per_dir: Vec<Vec<DeployUnit>> = by_dir
        .par_iter()
        .map(|(dir, idx)| directory_units(files, dir, idx))
        .collect();
    units.extend(per_dir.into_iter().flatten());
    for (n, u) in units.iter_mut().enumerate() {
        for o in &mut u.objs {
            o.unit = n;
        }
    }
    units
}

type ObjId = (String, Option<String>, Option<String>);

fn id(o: &Obj) -> ObjId {
    (o.kind.clone(), o.namespace.clone(), o.name.clone())
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// One unit per root kustomization.
pub fn kustomize_units(files: &[FileUnit]) -> Rendered<'_> {
    let (objs, consumed) = kustomize::render_all(files);
    let mut units: Vec<DeployUnit> = Vec::new();
    for o in objs {
        let root = o.rendered_by.unwrap_or(usize::MAX);
        match units
            .iter_mut()
            .find(|u| u.source == UnitSource::Kustomize { root })
        {
            Some(u) => u.objs.push(o),
            None => units.push(DeployUnit {
                source: UnitSource::Kustomize { root },
                objs: vec![o],
            }),
        }
    }
    Rendered { units, consumed }
}

/// One unit per Helm chart. The hook for a chart renderer: without one, the templates of a
/// chart directory are the unit, with symbolic names. `skip`: files a kustomization consumed.
pub fn helm_units<'a>(files: &'a [FileUnit], skip: &HashSet<usize>) -> Rendered<'a> {
    // Each rendering of a chart is its own unit: objects of `values-prod.yaml`'s rendering
    // never join those of the defaults'.
    let mut by_chart: BTreeMap<(String, Option<String>), Vec<Obj>> = BTreeMap::new();
    let mut consumed = HashSet::new();
    let charts: HashSet<String> = files
        .iter()
        .filter(|u| u.file.kind == FileKind::HelmTemplate)
        .filter_map(|u| chart_dir(&u.file.path))
        .collect();
    for (i, u) in files.iter().enumerate() {
        if u.file.kind != FileKind::HelmTemplate || skip.contains(&i) {
            continue;
        }
        let chart = top_chart(&charts, chart_dir(&u.file.path).unwrap_or_default());
        consumed.insert(i);
        let rendering = u.rendering.as_deref();
        let namespace = rendering.map_or(RELEASE_NAMESPACE, |r| r.namespace.as_str());
        let objs = by_chart
            .entry((chart.clone(), rendering.and_then(|r| r.label())))
            .or_default();
        for mut o in objects(i, &u.parsed) {
            o.chart = Some(chart.clone());
            o.refresh();
            // A rendered object without a namespace goes to the release's (`default`, as the
            // renderer's `.Release.Namespace`), which rendered bindings name.
            if o.namespace.is_none()
                && !super::is_cluster_scoped(&o.kind)
                && o.name.as_deref().is_some_and(|n| !super::is_symbolic(n))
            {
                o.namespace = Some(namespace.to_string());
            }
            objs.push(o);
        }
    }
    Rendered {
        units: by_chart
            .into_iter()
            .map(|((chart, values), objs)| DeployUnit {
                source: UnitSource::Helm { chart, values },
                objs,
            })
            .collect(),
        consumed,
    }
}

/// The namespace a rendered chart is installed to by default (the renderer's
/// `.Release.Namespace`; `[[helm.charts]] namespace` sets another).
pub const RELEASE_NAMESPACE: &str = "default";

/// A subchart (`x/charts/sub`) renders with its parent chart: the outermost chart of the scan.
fn top_chart(charts: &HashSet<String>, mut c: String) -> String {
    while let Some(i) = c.rfind("/charts/") {
        let parent = &c[..i];
        if !charts.contains(parent) {
            break;
        }
        c = parent.to_string();
    }
    c
}
