//! nhilint: finds risky machine-to-machine trust (OWASP NHI Top 10) before it is deployed.
//!
//! Pipeline: walk → classify → parse → extract → evaluate → suppress → report (see DESIGN.md).

pub mod apptrust;
pub mod baseline;
pub mod ci;
pub mod cli;
pub mod config;
pub mod context;
pub mod decode;
pub mod diff;
pub mod engine;
pub mod facts;
pub mod finding;
pub mod fsafe;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod graph;
pub mod guard;
pub mod helm;
pub mod history;
pub mod iam;
pub mod inventory;
pub mod kube;
pub mod lang;
pub mod pathclass;
pub mod redact;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod server;
pub mod source;
pub mod suppress;
pub mod term;
pub mod terraform;
pub mod walk;
