// Drives the real `nhilint server` binary with the protocol client VS Code uses
// (vscode-languageserver-protocol over vscode-jsonrpc): initialize → didOpen → diagnostics →
// didChange → new diagnostics → hover → code action → shutdown/exit.
// The binary comes from NHILINT_BIN or CARGO_BIN_EXE_nhilint (set by the Rust test).
import { test } from "node:test";
import { BAD_TF } from "./fixtures.mjs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification,
  HoverRequest,
  CodeActionRequest,
  ShutdownRequest,
  ExitNotification,
} from "vscode-languageserver-protocol/node.js";

const BIN = process.env.NHILINT_BIN || process.env.CARGO_BIN_EXE_nhilint;


test("nhilint server with the VS Code protocol client", { skip: !BIN && "set NHILINT_BIN" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nhilint-lsp-"));
  const child = spawn(BIN, ["server"], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const conn = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  // Every publishDiagnostics, resolved by waiters keyed on document version.
  const published = [];
  const waiters = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of waiters.splice(0)) w();
  });
  conn.onRequest("client/registerCapability", () => null);
  conn.listen();
  const diagnosticsFor = async (uri, version) => {
    const deadline = Date.now() + 20000;
    for (;;) {
      const hit = published.find((p) => p.uri === uri && p.version === version);
      if (hit) return hit.diagnostics;
      assert.ok(Date.now() < deadline, `no diagnostics for version ${version}`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };

  try {
    const root = pathToFileURL(dir).href;
    const init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: "ws" }],
      capabilities: { general: { positionEncodings: ["utf-16"] } },
    });
    assert.equal(init.capabilities.positionEncoding, "utf-16");
    assert.equal(init.serverInfo.name, "nhilint");
    await conn.sendNotification(InitializedNotification.type, {});

    const uri = pathToFileURL(join(dir, "iam.tf")).href;
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "terraform", version: 1, text: BAD_TF },
    });
    const first = await diagnosticsFor(uri, 1);
    assert.equal(first.length, 1);
    assert.equal(first[0].code, "iam-wildcard-action");
    assert.equal(first[0].source, "nhilint");
    assert.deepEqual(first[0].range.start, { line: 6, character: 17 });
    assert.match(first[0].codeDescription.href, /iam-wildcard-action$/);

    // Incremental edit: a second wildcard statement → two diagnostics.
    const extra = '\nresource "aws_iam_policy" "b" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n';
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 11, character: 0 }, end: { line: 11, character: 0 } }, text: extra }],
    });
    const second = await diagnosticsFor(uri, 2);
    assert.equal(second.length, 2);
    assert.equal(second[1].range.start.line, 13);

    const hover = await conn.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: first[0].range.start,
    });
    assert.equal(hover.contents.kind, "markdown");
    assert.match(hover.contents.value, /IAM policy allows every action/);
    assert.match(hover.contents.value, /NHI5:2025/);

    const actions = await conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: second[1].range,
      context: { diagnostics: [second[1]] },
    });
    assert.equal(actions.length, 1);
    assert.equal(actions[0].kind, "quickfix");
    const edit = actions[0].edit.changes[uri][0];
    assert.deepEqual(edit.range.start, { line: 13, character: 0 });
    assert.equal(edit.newText, "  # nhilint: ignore[iam-wildcard-action] <reason>\n");

    await conn.sendRequest(ShutdownRequest.type);
    await conn.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    conn.dispose();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
