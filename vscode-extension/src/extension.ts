// nhilint for VS Code: starts `nhilint server` and lets vscode-languageclient do the rest.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

/** Languages whose documents nhilint checks (VS Code language ids). */
export const LANGUAGES = [
  "terraform",
  "terraform-vars",
  "hcl",
  "yaml",
  "json",
  "jsonc",
  "python",
  "javascript",
  "typescript",
  "go",
  "java",
  "dotenv",
];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
let extensionPath = "";

const EXE = process.platform === "win32" ? "nhilint.exe" : "nhilint";

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The binary to run, and why: the `nhilint.path` setting when the user set one, else the binary
 * bundled in a platform-specific package (`bin/nhilint`), else the first `nhilint` on PATH.
 */
export function resolveBinary(setting: string | undefined, extDir: string, envPath: string | undefined): { command: string; source: string } {
  if (setting && setting.trim() !== "") {
    return { command: setting, source: "the nhilint.path setting" };
  }
  const bundled = path.join(extDir, "bin", EXE);
  if (isFile(bundled)) {
    return { command: bundled, source: "bundled with the extension" };
  }
  for (const dir of (envPath || "").split(path.delimiter)) {
    if (dir && isFile(path.join(dir, EXE))) {
      return { command: path.join(dir, EXE), source: "found on PATH" };
    }
  }
  return { command: "nhilint", source: "not found: neither bundled nor on PATH" };
}

function makeClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration("nhilint");
  const { command, source } = resolveBinary(config.get<string>("path"), extensionPath, process.env.PATH);
  output ??= vscode.window.createOutputChannel("nhilint");
  output.appendLine(`nhilint: running ${command} server (${source})`);
  const serverOptions: ServerOptions = {
    run: { command, args: ["server"], transport: TransportKind.stdio },
    debug: { command, args: ["server"], transport: TransportKind.stdio },
  };
  const documentSelector = [
    ...LANGUAGES.map((language) => ({ scheme: "file", language })),
    ...LANGUAGES.map((language) => ({ scheme: "untitled", language })),
    // Files VS Code has no language for out of the box.
    { scheme: "file", pattern: "**/*.{tf,tfvars,hcl}" },
    { scheme: "file", pattern: "**/.env*" },
  ];
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{nhilint.toml,.nhilint.toml,.nhilintignore}"),
    },
  };
  // `nhilint.trace.server` is read by vscode-languageclient from the client id `nhilint`.
  return new LanguageClient("nhilint", "nhilint", serverOptions, clientOptions);
}

async function start(): Promise<void> {
  if (!vscode.workspace.getConfiguration("nhilint").get<boolean>("enable", true)) {
    return;
  }
  client = makeClient();
  try {
    await client.start();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(
      `nhilint: cannot start the language server (${msg}). Install nhilint (\`pipx install nhilint\`) or set "nhilint.path" to the binary.`,
    );
    client = undefined;
  }
}

async function stop(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  context.subscriptions.push(
    vscode.commands.registerCommand("nhilint.restart", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("nhilint.enable") || e.affectsConfiguration("nhilint.path")) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
