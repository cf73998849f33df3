// The compiled extension's real activation path: `activate()` from out/extension.js, with the
// real vscode-languageclient launching `nhilint server` the way it does inside VS Code
// (TransportKind.stdio: it appends `--stdio`), against the stub `vscode` module in
// vscode-stub.mjs (why a stub: see that file). Proves the server starts, publishes diagnostics
// for an open document through the client's converters, answers a hover through the provider
// the client registered, and stops on deactivate().
// The binary comes from NHILINT_BIN or CARGO_BIN_EXE_nhilint (set by the Rust test).
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


test("activate() starts nhilint server through vscode-languageclient", async () => {
  assert.ok(BIN, "set NHILINT_BIN (or run through cargo test) to the nhilint binary");
  const dir = mkdtempSync(join(tmpdir(), "nhilint-ext-"));
  const file = join(dir, "iam.tf");
  writeFileSync(file, BAD_TF);

  const state = { settings: { "nhilint.path": BIN } };
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

  const ext = require("../out/extension.js");
  const context = { subscriptions: [], extensionPath: join(import.meta.dirname, "..") };
  try {
    await ext.activate(context);
    assert.deepEqual(state.errors, [], state.output.join(""));
    assert.deepEqual(launches, [[BIN, "server", "--stdio"]]);

    let timer;
    const diags = await Promise.race([
      published,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no diagnostics in 20 s:\n${state.output.join("")}`)), 20000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code.value, "tf-iam-wildcard-action");
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
