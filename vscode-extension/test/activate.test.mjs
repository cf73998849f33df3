// The compiled extension's real activation path: `activate()` from out/extension.js, with the
// real vscode-languageclient launching `nhilint server` the way it does inside VS Code
// (TransportKind.stdio: it appends `--stdio`), against the stub `vscode` module in
// vscode-stub.mjs (why a stub: see that file). Proves the server starts, publishes diagnostics
// for an open document through the client's converters, answers a hover through the provider
// the client registered, and stops on deactivate().
// The binary comes from NHILINT_BIN or CARGO_BIN_EXE_nhilint (set by the Rust test), given as
// the `nhilint.path` setting. With NHILINT_EXT_DIR (an unpacked platform VSIX) the extension is
// loaded from there, without the setting and without nhilint on PATH: it must run its bundled
// binary, and say so in its output channel.
import { test } from "node:test";
import { BAD_TF } from "./fixtures.mjs";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installVscodeStub, textDocument } from "./vscode-stub.mjs";

const require = createRequire(import.meta.url);
const BIN = process.env.NHILINT_BIN || process.env.CARGO_BIN_EXE_nhilint;
const EXT_DIR = process.env.NHILINT_EXT_DIR || join(import.meta.dirname, "..");
const BUNDLED = Boolean(process.env.NHILINT_EXT_DIR);


test("activate() starts nhilint server through vscode-languageclient", async () => {
  assert.ok(BIN || BUNDLED, "set NHILINT_BIN (or run through cargo test) to the nhilint binary");
  const dir = mkdtempSync(join(tmpdir(), "nhilint-ext-"));
  const file = join(dir, "iam.tf");
  writeFileSync(file, BAD_TF);

  const state = { settings: BUNDLED ? {} : { "nhilint.path": BIN } };
  const expected = BUNDLED ? join(EXT_DIR, "bin", process.platform === "win32" ? "nhilint.exe" : "nhilint") : BIN;
  const vscode = installVscodeStub(state);
  const uri = vscode.Uri.file(file);
  state.workspaceFolders = [{ uri: vscode.Uri.file(dir), name: "ws", index: 0 }];
  const doc = textDocument(uri, "terraform", 1, BAD_TF);
  state.documents = [doc];
  const published = new Promise((resolve) => {
    state.onDiagnostics = (u, diags) => {
      if (u === uri.toString() && diags.length > 0) resolve(diags);
    };
  });

  // Record how the client launches the server (it calls child_process.spawn at start).
  const cp = require("node:child_process");
  const spawn = cp.spawn;
  const launches = [];
  const exits = [];
  cp.spawn = function (command, args, options) {
    launches.push([command, ...args]);
    const child = spawn.call(this, command, args, options);
    exits.push(new Promise((resolve) => child.on("exit", (code) => resolve(code))));
    return child;
  };

  const ext = require(join(EXT_DIR, "out", "extension.js"));
  const context = { subscriptions: [], extensionPath: EXT_DIR };
  try {
    await ext.activate(context);
    assert.deepEqual(state.errors, [], state.output.join(""));
    assert.deepEqual(launches, [[expected, "server", "--stdio"]]);
    const source = BUNDLED ? "bundled with the extension" : "the nhilint.path setting";
    assert.ok(state.output.join("").includes(`nhilint: running ${expected} server (${source})`), state.output.join(""));

    let timer;
    const diags = await Promise.race([
      published,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no diagnostics in 20 s:\n${state.output.join("")}`)), 20000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code.value, "iam-wildcard-action");
    assert.equal(diags[0].source, "nhilint");
    assert.equal(diags[0].severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([diags[0].range.start.line, diags[0].range.start.character], [6, 17]);

    const hover = state.providers.find((p) => p.kind === "HoverProvider");
    assert.ok(hover, "the client registered a hover provider");
    const token = new vscode.CancellationTokenSource().token;
    const h = await hover.provider.provideHover(doc, diags[0].range.start, token);
    const text = [h.contents].flat().map((c) => c.value).join("\n");
    assert.match(text, /IAM policy allows every action/);
    // deactivate() sends shutdown + exit: the server exits with 0.
    await ext.deactivate();
    assert.equal(await exits[0], 0);
  } finally {
    await ext.deactivate();
    cp.spawn = spawn;
    rmSync(dir, { recursive: true, force: true });
  }
});
