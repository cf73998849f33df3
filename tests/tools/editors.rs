//! Real editor clients against the real `nhilint server`:
//! - the VS Code extension builds (`npm ci`, `npm run compile`), lints and packages to a .vsix;
//!   Node tests run the compiled extension's `activate()` with the real vscode-languageclient
//!   (which launches `nhilint server --stdio`) against a stub `vscode` module, and drive the
//!   server with `vscode-languageserver-protocol` (the library VS Code's client is built on);
//! - headless Neovim's built-in LSP client opens a bad Terraform file and writes the
//!   diagnostics it received to a file read back here.

use crate::lsp_support;
use crate::support::{run, tool, trial};
use libtest_mimic::Trial;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "editors::vscode_extension_activates_and_packages",
            &["node", "npm", "npx", "python3"],
            vscode_extension_activates_and_packages,
        ),
        trial(
            "editors::neovim_builtin_client_shows_diagnostics",
            &["nvim"],
            neovim_builtin_client_shows_diagnostics,
        ),
    ]
}

fn ext_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vscode-extension")
}

/// `npm ci` unless node_modules already matches package-lock.json (npm's hidden lockfile is
/// newer than the real one).
fn npm_ci(dir: &Path) {
    let fresh = (|| {
        let lock = std::fs::metadata(dir.join("package-lock.json"))
            .ok()?
            .modified()
            .ok()?;
        let hidden = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
            .ok()?
            .modified()
            .ok()?;
        Some(hidden >= lock)
    })()
    .unwrap_or(false);
    if !fresh {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(dir),
            "npm ci",
            Duration::from_secs(600),
        );
    }
}

fn vscode_extension_activates_and_packages() {
    let dir = ext_dir();
    npm_ci(&dir);
    let min = Duration::from_secs(300);
    run(
        Command::new("npm")
            .args(["run", "compile"])
            .current_dir(&dir),
        "npm run compile",
        min,
    );
    run(
        Command::new("npm").args(["run", "lint"]).current_dir(&dir),
        "npm run lint",
        min,
    );
    let vsix = dir.join("nhilint-0.1.0.vsix");
    let _ = std::fs::remove_file(&vsix);
    run(
        Command::new("npx")
            .args(["--no-install", "vsce", "package"])
            .current_dir(&dir),
        "vsce package",
        min,
    );
    let bytes = std::fs::read(&vsix).expect("the .vsix was produced");
    assert!(bytes.starts_with(b"PK"), "the .vsix is a zip archive");

    let out = run(
        Command::new("node")
            .args(["--test", "test/server.test.mjs", "test/activate.test.mjs"])
            .env("CARGO_BIN_EXE_nhilint", lsp_support::bin())
            .current_dir(&dir),
        "node --test (activate() with vscode-languageclient; protocol client)",
        min,
    );
    assert!(
        out.contains("# pass 2") && out.contains("# fail 0") && out.contains("# skipped 0"),
        "{out}"
    );
    platform_vsix_runs_its_bundled_binary(&dir);
}

/// The platform-specific package (as the release workflow builds it): the binary in `bin/`,
/// `vsce package --target`, then the unpacked VSIX's own `activate()` runs that binary with no
/// `nhilint.path` setting and no nhilint on PATH.
fn platform_vsix_runs_its_bundled_binary(dir: &Path) {
    let target = match std::env::consts::ARCH {
        "aarch64" => "linux-arm64",
        _ => "linux-x64",
    };
    let tmp = tempfile::tempdir().unwrap();
    let vsix = tmp.path().join(format!("nhilint-{target}.vsix"));
    let bin_dir = dir.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::copy(lsp_support::bin(), bin_dir.join("nhilint")).unwrap();
    let packaged = std::panic::catch_unwind(|| {
        run(
            Command::new("npx")
                .args([
                    "--no-install",
                    "vsce",
                    "package",
                    "--target",
                    target,
                    "--out",
                ])
                .arg(&vsix)
                .current_dir(dir),
            "vsce package --target",
            Duration::from_secs(300),
        )
    });
    std::fs::remove_dir_all(&bin_dir).unwrap();
    packaged.unwrap();

    // Unpack with Python's zipfile, restoring the modes the archive records; list the entries.
    let unpacked = tmp.path().join("unpacked");
    let listing = run(
        Command::new(tool("python3").unwrap())
            .arg("-c")
            .arg(
                "import os, sys, zipfile\n\
                 z = zipfile.ZipFile(sys.argv[1])\n\
                 for i in z.infolist():\n\
                 \x20   p = z.extract(i, sys.argv[2])\n\
                 \x20   mode = (i.external_attr >> 16) & 0o777\n\
                 \x20   if mode: os.chmod(p, mode)\n\
                 \x20   print(i.filename, oct(mode))\n",
            )
            .arg(&vsix)
            .arg(&unpacked),
        "unzip the vsix",
        Duration::from_secs(120),
    );
    let entry = listing
        .lines()
        .find(|l| l.starts_with("extension/bin/nhilint "))
        .unwrap_or_else(|| panic!("no extension/bin/nhilint in the VSIX:\n{listing}"));
    assert!(
        entry.ends_with("0o755"),
        "the bundled binary is not executable: {entry}"
    );
    let manifest = std::fs::read_to_string(unpacked.join("extension.vsixmanifest")).unwrap();
    assert!(
        manifest.contains(&format!("TargetPlatform=\"{target}\"")),
        "{manifest}"
    );

    // No nhilint on PATH: only the bundled one can start.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::env::split_paths(&path).filter(|d| !d.join("nhilint").exists()))
            .unwrap();
    let ext = unpacked.join("extension");
    let out = run(
        Command::new("node")
            .args(["--test", "test/activate.test.mjs"])
            .env("NHILINT_EXT_DIR", &ext)
            .env("PATH", path)
            .env_remove("CARGO_BIN_EXE_nhilint")
            .env_remove("NHILINT_BIN")
            .current_dir(dir),
        "node --test (activate() of the unpacked platform VSIX)",
        Duration::from_secs(300),
    );
    assert!(
        out.contains("# pass 1") && out.contains("# fail 0"),
        "{out}"
    );
}

const NVIM_SCRIPT: &str = r#"
local out = os.getenv("NHILINT_OUT")
local ok, err = pcall(function()
  local file = os.getenv("NHILINT_FILE")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local cfg = {
    name = "nhilint",
    cmd = { os.getenv("NHILINT_BIN"), "server" },
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
  }
  local id
  if vim.lsp.start then
    id = vim.lsp.start(cfg)
  else -- Neovim 0.7 (Debian bookworm): start_client + buf_attach_client
    id = vim.lsp.start_client(cfg)
    vim.lsp.buf_attach_client(buf, id)
  end
  vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(lines, table.concat({
      "diag", d.lnum, d.col, d.severity, tostring(d.code or lsp.code), tostring(d.source or lsp.source), d.message,
    }, "\t"))
  end
  -- Hover through the client's request API, on the first diagnostic.
  local first = vim.diagnostic.get(buf)[1]
  if first then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = { line = first.lnum, character = first.col },
    }
    local res = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000) or {}
    for _, r in pairs(res) do
      if r.result and r.result.contents then
        table.insert(lines, "hover\t" .. (r.result.contents.value or ""):gsub("\n", " "))
      end
    end
  end
  vim.fn.writefile(lines, out)
  vim.lsp.stop_client(id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
end)
if not ok then
  vim.fn.writefile({ "error\t" .. tostring(err) }, out)
end
vim.cmd("qa!")
"#;

fn neovim_builtin_client_shows_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("iam.tf");
    std::fs::write(&file, lsp_support::BAD_TF).unwrap();
    let script = root.join("nhilint-test.lua");
    std::fs::write(&script, NVIM_SCRIPT).unwrap();
    let out = root.join("diagnostics.txt");
    run(
        Command::new(tool("nvim").unwrap())
            .args(["--headless", "-n", "-i", "NONE", "-u"])
            .arg(&script)
            .env("NHILINT_BIN", lsp_support::bin())
            .env("NHILINT_FILE", &file)
            .env("NHILINT_OUT", &out)
            .env("XDG_STATE_HOME", root.join("state"))
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .current_dir(&root),
        "nvim --headless",
        Duration::from_secs(120),
    );
    let got = std::fs::read_to_string(&out).expect("neovim wrote the diagnostics file");
    let diags: Vec<Vec<&str>> = got
        .lines()
        .filter(|l| l.starts_with("diag\t"))
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(diags.len(), 1, "{got}");
    let d = &diags[0];
    // lnum/col are 0-based; severity 1 = ERROR; code and source from the server.
    assert_eq!(
        &d[1..6],
        ["6", "17", "1", "iam-wildcard-action", "nhilint"],
        "{got}"
    );
    assert!(d[6].contains("every action"), "{got}");
    assert!(
        got.lines()
            .any(|l| l.starts_with("hover\t") && l.contains("How to fix it")),
        "{got}"
    );
}
