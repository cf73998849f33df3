//! Tests that drive real external tools: pre-commit, headless Neovim, Node (the VS Code
//! extension and vscode-languageclient), Graphviz, maturin, zizmor, Helm's library (helm-python-sdk),
//! PyYAML. `.ci/setup` installs every one of them.
//!
//! This binary has its own harness (libtest-mimic) so that a missing tool is never a silent
//! pass: outside CI the test is reported `ignored, <tool> not installed …` in the summary;
//! with `CI` set (anything but `false`/`0`) it fails. Each trial names the tools it needs.

#[path = "lsp_support/mod.rs"]
mod lsp_support;

#[path = "tools/editors.rs"]
mod editors;
#[path = "tools/graphviz.rs"]
mod graphviz;
#[path = "tools/helm.rs"]
mod helm;
#[path = "tools/precommit.rs"]
mod precommit;
#[path = "tools/support.rs"]
mod support;
#[path = "tools/wheel.rs"]
mod wheel;
#[path = "tools/yaml.rs"]
mod yaml;
#[path = "tools/zizmor.rs"]
mod zizmor;

use libtest_mimic::{Arguments, Trial};

fn main() {
    let args = Arguments::from_args();
    let trials: Vec<Trial> = [
        editors::trials(),
        graphviz::trials(),
        helm::trials(),
        precommit::trials(),
        wheel::trials(),
        zizmor::trials(),
        yaml::trials(),
    ]
    .into_iter()
    .flatten()
    .collect();
    libtest_mimic::run(&args, trials).exit();
}
