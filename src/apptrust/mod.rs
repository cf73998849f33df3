//! App-to-app trust declared outside Terraform IAM and RBAC: service mesh authorisation
//! ([`mesh`]), AI agents' tool servers ([`mcp`]), Vault policies and auth roles ([`vault`]),
//! operator scripts ([`scripts`]) and container builds ([`containers`]). Readers shared by the
//! `mesh-*`, `mcp-*`, `vault-*`, `script-*`, `docker-*` and `compose-*` checks, and the facts
//! (caller → callee edges, tool servers and their credentials) the trust graph joins.

pub mod mcp;
pub mod mesh;
pub mod vault;

use crate::engine::Parsed;
use crate::facts::Facts;
use crate::source::{SourceFile, runs_on};

/// App-to-app facts of one file.
pub fn facts(file: &SourceFile, parsed: &Parsed) -> Facts {
    let mut f = Facts::default();
    if runs_on("mesh", file) {
        f.extend(mesh::facts(file, parsed));
    }
    if runs_on("agent", file) {
        f.extend(mcp::facts(file, parsed));
    }
    f
}
