//! App-to-app facts: mesh authorisation edges and AI agents' tool servers with their
//! credentials (readers in `crate::apptrust`).

use crate::apptrust::{mcp, mesh};
use crate::facts::Facts;
use crate::lang::Parsed;
use crate::source::{SourceFile, runs_on};

/// App-to-app facts of one file.
pub fn extract(file: &SourceFile, parsed: &Parsed) -> Facts {
    let mut f = Facts::default();
    if runs_on("mesh", file) {
        f.extend(mesh::facts(file, parsed));
    }
    if runs_on("agent", file) {
        f.extend(mcp::facts(file, parsed));
    }
    f
}
