// A minimal in-process stand-in for the `vscode` module, enough for the real
// vscode-languageclient to start a server, sync documents, publish diagnostics and serve hovers.
//
// Why a stub and not a real VS Code: `@vscode/test-electron` (and `@vscode/test-web`) download
// a VS Code build from Microsoft's update servers at test time, which this project's machines
// and CI cannot reach (only package registries are reachable), and no registry ships VS Code
// itself. The stub keeps everything else real: the compiled extension (`out/extension.js`), its
// `activate()`, vscode-languageclient's launch code (which appends `--stdio`), its protocol
// converters, and the `nhilint server` binary.
//
// `installVscodeStub(state)` makes `require("vscode")` return the stub; `state` carries the
// settings, the open documents and the workspace folder, and collects what the client did:
// `state.diagnostics` (uri → converted Diagnostic[]), `state.providers` (hover, code actions…),
// `state.output` (the output channels' text) and `state.errors` (error messages shown).
import { createRequire } from "node:module";
import { pathToFileURL, fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const Module = require("node:module");

class Disposable {
  constructor(fn) {
    this._fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._fn) this._fn();
    this._fn = undefined;
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const bound = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(bound);
      const d = new Disposable(() => this._listeners.delete(bound));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(e) {
    for (const l of [...this._listeners]) l(e);
  }
  dispose() {
    this._listeners.clear();
  }
}

/** An event nobody fires (the stub has no UI and no file system watcher). */
const never = () => new Disposable();

class Uri {
  constructor(scheme, authority, path, query, fragment) {
    this.scheme = scheme;
    this.authority = authority || "";
    this.path = path || "";
    this.query = query || "";
    this.fragment = fragment || "";
  }
  static parse(value) {
    const u = new URL(value);
    return new Uri(u.protocol.replace(/:$/, ""), u.host, decodeURIComponent(u.pathname), u.search.replace(/^\?/, ""), u.hash.replace(/^#/, ""));
  }
  static file(path) {
    return Uri.parse(pathToFileURL(path).href);
  }
  get fsPath() {
    return this.scheme === "file" ? fileURLToPath(this.toString()) : this.path;
  }
  with(change) {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString() {
    if (this.scheme === "file") return pathToFileURL(this.path).href;
    return `${this.scheme}://${this.authority}${this.path}${this.query ? "?" + this.query : ""}${this.fragment ? "#" + this.fragment : ""}`;
  }
  toJSON() {
    return this.toString();
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
  isEqual(o) {
    return this.line === o.line && this.character === o.character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === "number") {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty() {
    return this.start.isEqual(this.end);
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class MarkdownString {
  constructor(value = "", supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(v) {
    this.value += v;
    return this;
  }
  appendText(v) {
    this.value += v;
    return this;
  }
  appendCodeblock(code, lang = "") {
    this.value += `\n\`\`\`${lang}\n${code}\n\`\`\`\n`;
    return this;
  }
}

class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other) {
    return this.value === other.value || other.value.startsWith(this.value + ".");
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
for (const [k, v] of Object.entries({
  Empty: "",
  QuickFix: "quickfix",
  Refactor: "refactor",
  RefactorExtract: "refactor.extract",
  RefactorInline: "refactor.inline",
  RefactorRewrite: "refactor.rewrite",
  Source: "source",
  SourceOrganizeImports: "source.organizeImports",
  SourceFixAll: "source.fixAll",
})) {
  CodeActionKind[k] = new CodeActionKind(v);
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() {
    this.token.isCancellationRequested = true;
    this._emitter.fire();
  }
  dispose() {}
}

/** A plain data class: keeps its constructor arguments (for the many converters' result types). */
const dataClass = (name, ...fields) =>
  ({
    [name]: class {
      constructor(...args) {
        fields.forEach((f, i) => (this[f] = args[i]));
      }
    },
  })[name];

/** A `TextDocument` over a string (what `workspace.textDocuments` holds). */
export function textDocument(uri, languageId, version, text) {
  const lines = text.split("\n");
  return {
    uri,
    fileName: uri.fsPath,
    languageId,
    version,
    isDirty: false,
    isClosed: false,
    isUntitled: false,
    eol: 1,
    lineCount: lines.length,
    getText: () => text,
    lineAt: (line) => ({ text: lines[typeof line === "number" ? line : line.line] }),
    offsetAt: (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character,
    positionAt: (offset) => {
      let line = 0;
      while (line < lines.length - 1 && offset > lines[line].length) {
        offset -= lines[line].length + 1;
        line++;
      }
      return new Position(line, offset);
    },
  };
}

function globMatches(pattern, path) {
  const re = pattern
    .replace(/[.+^$()|[\]\\]/g, "\\$&")
    .replace(/\{([^}]*)\}/g, (_, alts) => `(${alts.split(",").join("|")})`)
    .replace(/\*\*\//g, "(?:.*/)?")
    .replace(/\*\*/g, ".*")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${re}$`).test(path);
}

/** `languages.match`: a score > 0 when a document selector picks the document. */
function match(selector, doc) {
  const all = Array.isArray(selector) ? selector : [selector];
  let best = 0;
  for (const s of all) {
    if (typeof s === "string") {
      if (s === doc.languageId || s === "*") best = Math.max(best, 10);
      continue;
    }
    if (s.scheme && s.scheme !== doc.uri.scheme) continue;
    if (s.language && s.language !== doc.languageId) continue;
    const pattern = typeof s.pattern === "string" ? s.pattern : s.pattern && s.pattern.pattern;
    if (pattern && !globMatches(pattern, doc.uri.path)) continue;
    best = Math.max(best, s.language ? 10 : 5);
  }
  return best;
}

/** Build the stub over `state` (see the file comment) and route `require("vscode")` to it. */
export function installVscodeStub(state) {
  state.diagnostics = new Map();
  state.providers = [];
  state.output = [];
  state.errors = [];
  state.commands = new Map();
  const register = (kind) => (selector, provider, ...rest) => {
    state.providers.push({ kind, selector, provider, rest });
    return new Disposable();
  };
  const collection = (name) => {
    const entries = new Map();
    return {
      name,
      set(uri, diags) {
        if (Array.isArray(uri)) {
          for (const [u, d] of uri) this.set(u, d);
          return;
        }
        entries.set(uri.toString(), diags || []);
        state.diagnostics.set(uri.toString(), diags || []);
        if (state.onDiagnostics) state.onDiagnostics(uri.toString(), diags || []);
      },
      get: (uri) => entries.get(uri.toString()),
      has: (uri) => entries.has(uri.toString()),
      delete: (uri) => entries.delete(uri.toString()),
      clear: () => entries.clear(),
      forEach: (cb) => entries.forEach((d, u) => cb(Uri.parse(u), d, this)),
      dispose: () => entries.clear(),
    };
  };
  const channel = (name) => ({
    name,
    append: (v) => state.output.push(v),
    appendLine: (v) => state.output.push(v + "\n"),
    replace: () => {},
    clear: () => {},
    show: () => {},
    hide: () => {},
    dispose: () => {},
    // LogOutputChannel
    trace: (v) => state.output.push(v + "\n"),
    debug: (v) => state.output.push(v + "\n"),
    info: (v) => state.output.push(v + "\n"),
    warn: (v) => state.output.push(v + "\n"),
    error: (v) => state.output.push(String(v) + "\n"),
    logLevel: 2,
    onDidChangeLogLevel: never,
  });
  const message = (kind) => async (msg) => {
    if (kind === "error") state.errors.push(msg);
    state.output.push(`[${kind}] ${msg}\n`);
    return undefined;
  };
  const configurationChanged = new EventEmitter();

  const vscode = {
    version: "1.82.0",
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection: Range,
    Diagnostic,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    DiagnosticTag: { Unnecessary: 1, Deprecated: 2 },
    DiagnosticRelatedInformation: dataClass("DiagnosticRelatedInformation", "location", "message"),
    Location: dataClass("Location", "uri", "range"),
    MarkdownString,
    Hover: dataClass("Hover", "contents", "range"),
    CodeAction: dataClass("CodeAction", "title", "kind"),
    CodeActionKind,
    CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
    TextEdit: dataClass("TextEdit", "range", "newText"),
    WorkspaceEdit: class WorkspaceEdit {
      constructor() {
        this.edits = [];
      }
      replace(uri, range, newText) {
        this.edits.push({ uri, range, newText });
      }
      insert(uri, position, newText) {
        this.edits.push({ uri, range: new Range(position, position), newText });
      }
      delete(uri, range) {
        this.edits.push({ uri, range, newText: "" });
      }
      set(uri, edits) {
        for (const e of edits) this.edits.push({ uri, ...e });
      }
      entries() {
        return this.edits.map((e) => [e.uri, [e]]);
      }
      get size() {
        return this.edits.length;
      }
    },
    CancellationTokenSource,
    CancellationError: class CancellationError extends Error {},
    RelativePattern: dataClass("RelativePattern", "base", "pattern"),
    FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
    CallHierarchyItem: dataClass("CallHierarchyItem", "kind", "name", "detail", "uri", "range", "selectionRange"),
    TypeHierarchyItem: dataClass("TypeHierarchyItem", "kind", "name", "detail", "uri", "range", "selectionRange"),
    CodeLens: dataClass("CodeLens", "range", "command"),
    CompletionItem: dataClass("CompletionItem", "label", "kind"),
    DocumentLink: dataClass("DocumentLink", "range", "target"),
    InlayHint: dataClass("InlayHint", "position", "label", "kind"),
    SymbolInformation: dataClass("SymbolInformation", "name", "kind", "containerName", "location"),
    CompletionItemKind: {},
    CompletionItemTag: { Deprecated: 1 },
    CompletionTriggerKind: { Invoke: 0, TriggerCharacter: 1, TriggerForIncompleteCompletions: 2 },
    SymbolKind: {},
    SymbolTag: { Deprecated: 1 },
    DocumentHighlightKind: { Text: 0, Read: 1, Write: 2 },
    FoldingRangeKind: { Comment: 1, Imports: 2, Region: 3 },
    SignatureHelpTriggerKind: { Invoke: 1, TriggerCharacter: 2, ContentChange: 3 },
    NotebookCellKind: { Markup: 1, Code: 2 },
    TabInputText: class {},
    TabInputTextDiff: class {},
    TabInputCustom: class {},
    env: {
      appName: "nhilint test host (vscode stub)",
      language: "en",
      machineId: "stub",
      sessionId: "stub",
      openExternal: async () => true,
    },
    extensions: { getExtension: () => undefined, all: [] },
    commands: {
      registerCommand: (id, fn) => {
        state.commands.set(id, fn);
        return new Disposable(() => state.commands.delete(id));
      },
      executeCommand: async (id, ...args) => state.commands.get(id)?.(...args),
    },
    window: {
      createOutputChannel: channel,
      showErrorMessage: message("error"),
      showWarningMessage: message("warning"),
      showInformationMessage: message("info"),
      showTextDocument: async () => undefined,
      withProgress: async (_opts, task) => task({ report: () => {} }, new CancellationTokenSource().token),
      activeTextEditor: undefined,
      visibleTextEditors: [],
      onDidChangeActiveTextEditor: never,
      onDidChangeVisibleTextEditors: never,
      tabGroups: { all: [], onDidChangeTabs: never, onDidChangeTabGroups: never },
    },
    languages: {
      createDiagnosticCollection: collection,
      match,
      getLanguages: async () => [],
    },
    workspace: {
      get workspaceFolders() {
        return state.workspaceFolders;
      },
      get textDocuments() {
        return state.documents;
      },
      notebookDocuments: [],
      name: "nhilint-test",
      getWorkspaceFolder: (uri) =>
        (state.workspaceFolders || []).find((f) => uri.toString().startsWith(f.uri.toString())),
      getConfiguration: (section) => {
        const get = (key, dflt) => {
          const full = section ? `${section}.${key}` : key;
          return full in state.settings ? state.settings[full] : dflt;
        };
        return { get, has: (key) => get(key) !== undefined, inspect: () => undefined, update: async () => {} };
      },
      createFileSystemWatcher: () => ({
        onDidCreate: never,
        onDidChange: never,
        onDidDelete: never,
        dispose: () => {},
      }),
      applyEdit: async () => true,
      fs: {},
      onDidChangeConfiguration: configurationChanged.event,
      onDidOpenTextDocument: never,
      onDidCloseTextDocument: never,
      onDidChangeTextDocument: never,
      onDidSaveTextDocument: never,
      onWillSaveTextDocument: never,
      onDidChangeWorkspaceFolders: never,
      onDidCreateFiles: never,
      onDidDeleteFiles: never,
      onDidRenameFiles: never,
      onWillCreateFiles: never,
      onWillDeleteFiles: never,
      onWillRenameFiles: never,
      onDidOpenNotebookDocument: never,
      onDidCloseNotebookDocument: never,
      onDidChangeNotebookDocument: never,
      onDidSaveNotebookDocument: never,
    },
  };
  // Every `languages.register…Provider` records its provider.
  const languages = vscode.languages;
  vscode.languages = new Proxy(languages, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop === "string" && prop.startsWith("register")) return register(prop.slice("register".length));
      return undefined;
    },
  });

  const originalLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "vscode") return vscode;
    return originalLoad.call(this, request, parent, isMain);
  };
  return vscode;
}
