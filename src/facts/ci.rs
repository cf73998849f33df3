//! Fact extraction for ci files.

use super::Facts;
use crate::config::Config;
use crate::engine::Parsed;
use crate::source::SourceFile;

pub fn extract(_file: &SourceFile, _parsed: &Parsed, _config: &Config) -> Facts {
    Facts::default()
}
