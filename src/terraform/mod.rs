//! The Terraform trust model: a module-local evaluator (`var.*`, `local.*`, tfvars, templates,
//! a few functions), one IAM policy IR fed by every way a policy can be written, condition-aware
//! statement semantics, and an owned [`analysis::Analysis`] that rules and facts read.
//!
//! Unknown values are never guessed: they stay [`eval::K::Unknown`] (or a partial string that
//! keeps the unevaluated `${…}` text) and checks lower their confidence when they depend on one.

pub mod analysis;
pub mod cfn;
pub mod convert;
pub mod eval;
pub mod iam;
pub mod modules;
pub mod oidc;
pub mod policy;
pub mod report;
pub mod sam_policies;

pub use analysis::{Analysis, analysis, analysis_of_file};
