//! App-to-app trust declared outside Terraform IAM and RBAC: service mesh authorisation
//! ([`mesh`]), AI agents' tool servers ([`mcp`]), Vault policies and auth roles ([`vault`]),
//! operator scripts ([`scripts`]) and container builds (the `docker-*` and `compose-*` checks). Readers shared by the
//! `mesh-*`, `mcp-*`, `vault-*`, `script-*`, `docker-*` and `compose-*` checks, and the facts
//! (caller → callee edges, tool servers and their credentials, see `facts::apptrust`) the trust
//! graph joins.

pub mod mcp;
pub mod mesh;
pub mod scripts;
pub mod vault;
