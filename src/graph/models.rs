//! The project models rules share, each built once per scan in the [`ProjectCx`] model cache:
//! `cx.trust_graph()`, `cx.kube_graph()`, `cx.terraform()` (what builds them lives with them:
//! [`super::Graph`], [`crate::kube::rbac::Graph`], [`crate::terraform::analysis`]).

use crate::context::{Model, ProjectCx};
use std::sync::Arc;

/// The joined trust graph of the scan's facts.
pub struct TrustGraph;

impl Model for TrustGraph {
    type Out<'a> = super::Graph<'a>;
    const STAGE: &'static str = "the trust graph";
    fn build<'a>(cx: &ProjectCx<'a>) -> super::Graph<'a> {
        super::Graph::build(cx.facts, cx.config, cx.root)
    }
}

/// The Kubernetes objects of the scan, joined within each deployment unit.
pub struct KubeGraph;

impl Model for KubeGraph {
    type Out<'a> = crate::kube::rbac::Graph<'a>;
    const STAGE: &'static str = "the kubernetes graph";
    fn build<'a>(cx: &ProjectCx<'a>) -> crate::kube::rbac::Graph<'a> {
        crate::kube::rbac::Graph::build(cx)
    }
}

impl<'a> ProjectCx<'a> {
    /// The trust graph of this scan (built on first use, then shared).
    pub fn trust_graph(&self) -> &super::Graph<'a> {
        self.model::<TrustGraph>()
    }

    /// The Kubernetes graph of this scan (built on first use, then shared).
    pub fn kube_graph(&self) -> &crate::kube::rbac::Graph<'a> {
        self.model::<KubeGraph>()
    }

    /// The Terraform evaluation of this scan (built on first use, then shared).
    pub fn terraform(&self) -> Arc<crate::terraform::analysis::Analysis> {
        self.model::<crate::terraform::analysis::ProjectAnalysis>()
            .clone()
    }
}
