//! Format adapters: each turns a file's text into the located value tree of [`value`].

pub mod code;
pub mod hcl;
pub mod hcl_ts;
pub mod json;
pub mod value;
pub mod yaml;
pub mod yaml_fast;

pub use value::{Block, Document, Entry, Node, ParseError, Span, V};
