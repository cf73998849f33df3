// nhilint for VS Code: starts `nhilint server` and lets vscode-languageclient do the rest.
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

function makeClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration("nhilint");
  const command = config.get<string>("path") || "nhilint";
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
      `nhilint: cannot start \`${client ? "nhilint server" : ""}\` (${msg}). Set "nhilint.path" to the nhilint binary.`,
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
