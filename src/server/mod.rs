//! `nhilint server`: the language server (LSP over stdio).
//!
//! Threads: a reader (framing, `transport.rs`), a writer, the main loop (this file: protocol
//! state, documents, workspaces), a file worker (per-file diagnostics through
//! [`Engine::check_text`], the CLI's engine) and a project worker (cross-file findings over the
//! workspace's files plus open buffers, in the background after the per-file ones).
//!
//! Edit bursts are coalesced: the main loop applies every queued message before it hands the
//! file worker a job, and the worker only ever gets the latest version of a document; a result
//! for a version that is no longer current is dropped.

// `lsp_types::Uri` hashes and compares by its string, so it is a sound map key.
#![allow(clippy::mutable_key_type)]

pub mod convert;
pub mod diag;
mod project;
pub mod transport;

use crate::config::{Config, ConfigError};
use crate::engine::Engine;
use crate::rules::RuleSet;
use convert::{Encoding, LineIndex, path_to_uri, rel_path, uri_to_path};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionProviderCapability, Diagnostic, DiagnosticSeverity, Hover, HoverContents,
    HoverProviderCapability, InitializeResult, MarkupContent, MarkupKind, NumberOrString, Position,
    PositionEncodingKind, Range, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkDoneProgressOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use transport::Incoming;

/// `-32002`: a request arrived before `initialize`.
const SERVER_NOT_INITIALIZED: i32 = -32002;
/// Quiet time after the last per-file result before cross-file findings are refreshed (at
/// least; an eighth of the last incremental pass's duration when longer, at most
/// `PROJECT_DELAY_MAX`): edits during a pass are coalesced into the next one.
const PROJECT_DELAY: Duration = Duration::from_millis(30);
const PROJECT_DELAY_MAX: Duration = Duration::from_secs(1);

/// Run the language server on stdin/stdout until `exit`. Returns the process exit code (0 after
/// `shutdown` + `exit`, 1 otherwise).
pub fn run() -> i32 {
    // After an edit, only the Terraform roots whose files changed are evaluated again.
    crate::terraform::analysis::keep_parts();
    let (tx, rx) = mpsc::channel::<Event>();
    let (out_tx, out_rx) = mpsc::channel::<Value>();
    let writer = std::thread::Builder::new()
        .name("nhilint-lsp-writer".into())
        .spawn(move || {
            // A panic (anywhere in the server) never prints its message: it can quote file text.
            let _ = crate::guard::catch(|| transport::write_loop(std::io::stdout().lock(), out_rx));
        });
    let reader_tx = tx.clone();
    let reader = std::thread::Builder::new()
        .name("nhilint-lsp-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let _ =
                crate::guard::catch(|| transport::read_loop(stdin.lock(), reader_tx, Event::In));
        });
    if writer.is_err() || reader.is_err() {
        eprintln!("nhilint server: cannot start threads");
        return 2;
    }
    let code = Server::new(out_tx, tx).main_loop(rx);
    if let Ok(w) = writer {
        let _ = w.join();
    }
    code
}

/// What the main loop reacts to.
pub(crate) enum Event {
    In(Incoming),
    FileDone(FileResult),
    ProjectDone(project::ProjectResult),
}

/// A per-file analysis request (always the latest text of a document).
struct FileJob {
    uri: Uri,
    version: i32,
    /// Texts of the other open documents, for related locations in them.
    open: Vec<(PathBuf, Arc<String>)>,
    rel: String,
    text: Arc<String>,
    engine: Arc<Engine>,
    root: PathBuf,
    enc: Encoding,
    docs: Arc<str>,
}

pub(crate) struct FileResult {
    uri: Uri,
    version: i32,
    diags: Vec<Diagnostic>,
    log: Option<String>,
}

struct Doc {
    ws: u64,
    rel: String,
    language_id: String,
    version: i32,
    text: Arc<String>,
    index: LineIndex,
    dirty: bool,
    /// Per-file diagnostics and the version they were computed for.
    file_diags: Vec<Diagnostic>,
    diags_version: Option<i32>,
}

struct Workspace {
    id: u64,
    root: PathBuf,
    /// The repository's top level containing `root` (else `root`): paths in findings, messages,
    /// fingerprints and path classification are relative to it, as in `nhilint check`.
    top: PathBuf,
    /// A workspace folder of the client (cross-file refresh), not a folder made up for a
    /// loose file.
    folder: bool,
    engine: Arc<Engine>,
    excludes: Gitignore,
    config_diag: Option<(Uri, Diagnostic)>,
    project_diags: HashMap<Uri, Vec<Diagnostic>>,
    /// The version of each open document the cross-file diagnostics were computed from.
    project_versions: HashMap<Uri, i32>,
    project_due: Option<Instant>,
    generation: u64,
    /// How long the last incremental cross-file pass took.
    last_project: Duration,
    /// Files changed on disk since the last cross-file pass.
    changed: Vec<PathBuf>,
    /// The next cross-file pass walks the folder again.
    rescan: bool,
}

impl Workspace {
    fn new(id: u64, root: PathBuf, folder: bool) -> Workspace {
        let top = repo_top(&root);
        let (engine, excludes, config_diag) = Workspace::load(&root, &top);
        Workspace {
            id,
            root,
            top,
            folder,
            engine,
            excludes,
            config_diag,
            project_diags: HashMap::new(),
            project_versions: HashMap::new(),
            project_due: None,
            generation: 0,
            last_project: Duration::ZERO,
            changed: Vec::new(),
            rescan: true,
        }
    }

    /// (Re)read `nhilint.toml` for this folder.
    fn load_config(&mut self) {
        (self.engine, self.excludes, self.config_diag) = Workspace::load(&self.root, &self.top);
    }

    /// Engine and excludes from the config found for `root`, with paths relative to `top`
    /// (like `nhilint check <root>` run in the repository). A bad file gives a diagnostic on it
    /// and the defaults.
    fn load(root: &Path, top: &Path) -> (Arc<Engine>, Gitignore, Option<(Uri, Diagnostic)>) {
        let (mut config, err) = match Config::resolve(None, root) {
            Ok(c) => (c, None),
            Err(e) => (Config::default(), Some(e)),
        };
        config.set_path_root(top);
        config.set_scan_dirs(top, &[root.to_path_buf()]);
        let mut b = GitignoreBuilder::new(root);
        let _ = b.add(root.join(".nhilintignore"));
        for e in &config.scan.exclude {
            let _ = b.add_line(None, e);
        }
        let excludes = b.build().unwrap_or_else(|_| Gitignore::empty());
        let rules = RuleSet::build(&config, &[], &[]);
        (
            Arc::new(Engine::new(config, rules)),
            excludes,
            err.and_then(|e| config_diagnostic(&e)),
        )
    }

    /// When the cross-file pass should run after an edit: never on the keystroke path, and
    /// less often when it is slow.
    fn after_edit(&self) -> Instant {
        Instant::now() + (self.last_project / 8).clamp(PROJECT_DELAY, PROJECT_DELAY_MAX)
    }

    fn has_project_rules(&self) -> bool {
        self.engine.rules.rules.iter().any(|r| r.is_project())
    }

    /// Is a document (path relative to `top`) excluded? Exclusions are relative to `root`.
    fn excluded(&self, rel: &str) -> bool {
        let below = self
            .root
            .strip_prefix(&self.top)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .and_then(|p| Path::new(rel).strip_prefix(p).ok())
            .unwrap_or(Path::new(rel));
        rel.split('/').any(|c| c == ".git")
            || self
                .excludes
                .matched_path_or_any_parents(below, false)
                .is_ignore()
    }
}

fn config_diagnostic(e: &ConfigError) -> Option<(Uri, Diagnostic)> {
    let uri = path_to_uri(&e.path)?;
    let line = e.line.unwrap_or(1).saturating_sub(1) as u32;
    let col = e.column.unwrap_or(1).saturating_sub(1) as u32;
    Some((
        uri,
        Diagnostic {
            range: Range::new(Position::new(line, col), Position::new(line, col + 1)),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("config-error".into())),
            source: Some(diag::SOURCE.into()),
            message: format!(
                "invalid nhilint configuration (defaults are used): {}",
                e.message
            ),
            ..Diagnostic::default()
        },
    ))
}

fn is_config_file(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("nhilint.toml" | ".nhilint.toml")
    )
}

#[derive(PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShutDown,
}

struct Server {
    out: Sender<Value>,
    phase: Phase,
    enc: Encoding,
    docs_pattern: Arc<str>,
    workspaces: Vec<Workspace>,
    next_ws: u64,
    docs: HashMap<Uri, Doc>,
    file_tx: Sender<FileJob>,
    file_busy: bool,
    project_tx: Sender<project::ProjectJob>,
    project_busy: bool,
    dynamic_watch: bool,
    next_request: u64,
    exit_code: Option<i32>,
    warned_large: HashSet<Uri>,
}

impl Server {
    fn new(out: Sender<Value>, events: Sender<Event>) -> Server {
        let (file_tx, file_rx) = mpsc::channel::<FileJob>();
        let ev = events.clone();
        let _ = std::thread::Builder::new()
            .name("nhilint-lsp-file".into())
            .spawn(move || {
                for job in file_rx {
                    if ev.send(Event::FileDone(analyze_file(job))).is_err() {
                        return;
                    }
                }
            });
        let (project_tx, project_rx) = mpsc::channel::<project::ProjectJob>();
        let _ = std::thread::Builder::new()
            .name("nhilint-lsp-project".into())
            .spawn(move || {
                // The cached units of each workspace live on this thread.
                let mut worker = project::Worker::default();
                for job in project_rx {
                    if events.send(Event::ProjectDone(worker.run(job))).is_err() {
                        return;
                    }
                }
            });
        Server {
            out,
            phase: Phase::Uninitialized,
            enc: Encoding::Utf16,
            docs_pattern: Arc::from(diag::DEFAULT_DOCS_URL),
            workspaces: Vec::new(),
            next_ws: 1,
            docs: HashMap::new(),
            file_tx,
            file_busy: false,
            project_tx,
            project_busy: false,
            dynamic_watch: false,
            next_request: 1,
            exit_code: None,
            warned_large: HashSet::new(),
        }
    }

    fn main_loop(mut self, rx: Receiver<Event>) -> i32 {
        loop {
            let due = self.workspaces.iter().filter_map(|w| w.project_due).min();
            let ev = match due {
                Some(d) if !self.project_busy => {
                    rx.recv_timeout(d.saturating_duration_since(Instant::now()))
                }
                _ => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match ev {
                Ok(ev) => self.handle_guarded(ev),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return 1,
            }
            // Coalesce: apply everything already queued before starting any analysis.
            while self.exit_code.is_none() {
                match rx.try_recv() {
                    Ok(ev) => self.handle_guarded(ev),
                    Err(_) => break,
                }
            }
            if let Some(code) = self.exit_code {
                return code;
            }
            self.dispatch_file();
            self.dispatch_project();
        }
    }

    fn handle_guarded(&mut self, ev: Event) {
        let req_id = match &ev {
            Event::In(Incoming::Message(Message::Request(r))) => Some(r.id.clone()),
            _ => None,
        };
        // Only the panic's location is reported (guard::catch), never its message.
        if let Err(p) = crate::guard::catch(|| self.handle(ev)) {
            let message = p.message("while handling a message");
            if let Some(id) = req_id {
                self.respond_err(id, ErrorCode::InternalError as i32, &message);
            }
            self.log(1, &format!("nhilint: {message}"));
        }
    }

    // ----- output -------------------------------------------------------------------------

    fn send(&self, m: Message) {
        let _ = self.out.send(transport::message_value(&m));
    }

    fn respond_ok(&self, id: RequestId, result: impl serde::Serialize) {
        self.send(Message::Response(Response::new_ok(id, result)));
    }

    fn respond_err(&self, id: RequestId, code: i32, msg: &str) {
        self.send(Message::Response(Response::new_err(
            id,
            code,
            msg.to_string(),
        )));
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// `window/logMessage` (1 error, 2 warning, 3 info, 4 log).
    fn log(&self, typ: u8, message: &str) {
        self.notify(
            "window/logMessage",
            json!({ "type": typ, "message": message }),
        );
    }

    // ----- dispatch -----------------------------------------------------------------------

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::In(Incoming::Eof) => {
                self.exit_code = Some(if self.phase == Phase::ShutDown { 0 } else { 1 });
            }
            Event::In(Incoming::Invalid { id, code, message }) => {
                let _ = self.out.send(transport::error_value(id, code, &message));
            }
            Event::In(Incoming::Message(Message::Request(r))) => self.on_request(r),
            Event::In(Incoming::Message(Message::Notification(n))) => self.on_notification(n),
            Event::In(Incoming::Message(Message::Response(_))) => {}
            Event::FileDone(r) => self.on_file_done(r),
            Event::ProjectDone(r) => self.on_project_done(r),
        }
    }

    fn on_request(&mut self, r: Request) {
        match self.phase {
            Phase::Uninitialized if r.method != "initialize" => {
                return self.respond_err(
                    r.id,
                    SERVER_NOT_INITIALIZED,
                    "server not initialized: send `initialize` first",
                );
            }
            Phase::Running if r.method == "initialize" => {
                return self.respond_err(
                    r.id,
                    ErrorCode::InvalidRequest as i32,
                    "server is already initialized",
                );
            }
            Phase::ShutDown => {
                return self.respond_err(
                    r.id,
                    ErrorCode::InvalidRequest as i32,
                    "server is shutting down: only `exit` is accepted",
                );
            }
            _ => {}
        }
        match r.method.as_str() {
            "initialize" => self.on_initialize(r),
            "shutdown" => {
                self.phase = Phase::ShutDown;
                self.respond_ok(r.id, ());
            }
            "textDocument/hover" => self.answer(r, |s, p| s.hover(&p)),
            "textDocument/codeAction" => self.answer(r, |s, p| s.code_actions(&p)),
            // Debug builds only: a panic whose message quotes the params, for the test that
            // the server reports where it panicked and never what the message said.
            #[cfg(debug_assertions)]
            "nhilint/testPanic" => panic!("test panic quoting {}", r.params),
            m => self.respond_err(
                r.id,
                ErrorCode::MethodNotFound as i32,
                &format!("method not found: {m}"),
            ),
        }
    }

    /// Answer a request whose params parse as `P` with `f`, else with InvalidParams.
    fn answer<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        r: Request,
        f: impl FnOnce(&mut Server, P) -> R,
    ) {
        match serde_json::from_value::<P>(r.params) {
            Ok(p) => {
                let result = f(self, p);
                self.respond_ok(r.id, result);
            }
            Err(e) => self.respond_err(
                r.id,
                ErrorCode::InvalidParams as i32,
                &format!("invalid params for {}: {e}", r.method),
            ),
        }
    }

    /// Handle a notification whose params parse as `P`; log and drop it otherwise.
    fn apply<P: serde::de::DeserializeOwned>(
        &mut self,
        n: Notification,
        f: impl FnOnce(&mut Server, P),
    ) {
        match serde_json::from_value::<P>(n.params) {
            Ok(p) => f(self, p),
            Err(e) => self.log(
                2,
                &format!("nhilint: ignored `{}` with invalid params: {e}", n.method),
            ),
        }
    }

    fn on_notification(&mut self, n: Notification) {
        if n.method == "exit" {
            self.exit_code = Some(if self.phase == Phase::ShutDown { 0 } else { 1 });
            return;
        }
        if self.phase != Phase::Running {
            return; // Notifications before initialize (and after shutdown) are dropped.
        }
        use lsp_types::{
            DidChangeTextDocumentParams as Change, DidChangeWatchedFilesParams as Watched,
            DidChangeWorkspaceFoldersParams as Folders, DidCloseTextDocumentParams as Close,
            DidOpenTextDocumentParams as Open, DidSaveTextDocumentParams as Save,
        };
        match n.method.as_str() {
            "initialized" => self.on_initialized(),
            "textDocument/didOpen" => self.apply(n, |s, p: Open| s.did_open(p.text_document)),
            "textDocument/didChange" => self.apply(n, |s, p: Change| s.did_change(p)),
            "textDocument/didSave" => self.apply(n, |s, p: Save| s.did_save(&p.text_document.uri)),
            "textDocument/didClose" => {
                self.apply(n, |s, p: Close| s.did_close(&p.text_document.uri))
            }
            "workspace/didChangeWatchedFiles" => {
                self.apply(n, |s, p: Watched| s.watched_changed(p))
            }
            "workspace/didChangeWorkspaceFolders" => {
                self.apply(n, |s, p: Folders| s.folders_changed(p))
            }
            _ => {} // $/cancelRequest, $/setTrace, didChangeConfiguration, unknown: nothing to do.
        }
    }

    // ----- lifecycle ----------------------------------------------------------------------

    fn on_initialize(&mut self, r: Request) {
        let p = &r.params;
        let offered: Vec<String> = p
            .pointer("/capabilities/general/positionEncodings")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        self.enc = Encoding::negotiate(&offered);
        self.dynamic_watch = p
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if let Some(d) = p
            .pointer("/initializationOptions/docsUrl")
            .and_then(Value::as_str)
            && d.contains("{id}")
        {
            self.docs_pattern = Arc::from(d);
        }
        let mut roots: Vec<PathBuf> = p
            .get("workspaceFolders")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| f.get("uri")?.as_str()?.parse::<Uri>().ok())
                    .filter_map(|u| uri_to_path(&u))
                    .collect()
            })
            .unwrap_or_default();
        if roots.is_empty() {
            if let Some(u) = p
                .get("rootUri")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Uri>().ok())
                .and_then(|u| uri_to_path(&u))
            {
                roots.push(u);
            } else if let Some(s) = p.get("rootPath").and_then(Value::as_str) {
                roots.push(PathBuf::from(s));
            }
        }
        for root in roots {
            self.add_workspace(root, true);
        }
        self.phase = Phase::Running;
        let caps = ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::new(self.enc.as_str())),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    will_save: None,
                    will_save_wait_until: None,
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                work_done_progress_options: WorkDoneProgressOptions::default(),
                resolve_provider: None,
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp_types::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        };
        let result = InitializeResult {
            capabilities: caps,
            server_info: Some(ServerInfo {
                name: "nhilint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        self.respond_ok(r.id, result);
    }

    fn on_initialized(&mut self) {
        if self.dynamic_watch {
            let id = format!("nhilint-{}", self.next_request);
            self.next_request += 1;
            let params = json!({ "registrations": [{
                "id": "nhilint-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [
                    { "globPattern": "**/nhilint.toml" },
                    { "globPattern": "**/.nhilint.toml" },
                    { "globPattern": "**/.nhilintignore" },
                    { "globPattern": "**/*.{tf,tfvars,hcl,json,yaml,yml}" },
                ]},
            }]});
            self.send(Message::Request(Request::new(
                RequestId::from(id),
                "client/registerCapability".into(),
                params,
            )));
        }
        let now = Instant::now();
        for w in &mut self.workspaces {
            if w.folder {
                w.project_due = Some(now);
            }
        }
        let config_uris: Vec<Uri> = self
            .workspaces
            .iter()
            .filter_map(|w| w.config_diag.as_ref().map(|(u, _)| u.clone()))
            .collect();
        for u in config_uris {
            self.publish(&u);
        }
    }

    // ----- workspaces ---------------------------------------------------------------------

    fn add_workspace(&mut self, root: PathBuf, folder: bool) -> u64 {
        let id = self.next_ws;
        self.next_ws += 1;
        self.workspaces.push(Workspace::new(id, root, folder));
        id
    }

    fn ws(&self, id: u64) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    fn ws_mut(&mut self, id: u64) -> Option<&mut Workspace> {
        self.workspaces.iter_mut().find(|w| w.id == id)
    }

    /// The workspace a document belongs to (the deepest folder containing it); a loose file
    /// gets one rooted at its config's folder, or its own folder.
    fn workspace_for(&mut self, path: Option<&Path>) -> u64 {
        let Some(path) = path else {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
            return self.loose_workspace(cwd);
        };
        let best = self
            .workspaces
            .iter()
            .filter(|w| w.folder && path.starts_with(&w.root))
            .max_by_key(|w| w.root.components().count())
            .map(|w| w.id);
        if let Some(id) = best {
            return id;
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let root = Config::discover(&dir)
            .and_then(|c| c.parent().map(Path::to_path_buf))
            .unwrap_or(dir);
        self.loose_workspace(root)
    }

    fn loose_workspace(&mut self, root: PathBuf) -> u64 {
        match self.workspaces.iter().find(|w| !w.folder && w.root == root) {
            Some(w) => w.id,
            None => self.add_workspace(root, false),
        }
    }

    fn folders_changed(&mut self, p: lsp_types::DidChangeWorkspaceFoldersParams) {
        let mut gone: Vec<Uri> = Vec::new();
        for f in &p.event.removed {
            if let Some(root) = uri_to_path(&f.uri) {
                self.workspaces.retain(|w| {
                    let drop = w.folder && w.root == root;
                    if drop {
                        gone.extend(w.project_diags.keys().cloned());
                        gone.extend(w.config_diag.as_ref().map(|(u, _)| u.clone()));
                    }
                    !drop
                });
            }
        }
        for f in &p.event.added {
            if let Some(root) = uri_to_path(&f.uri) {
                let id = self.add_workspace(root, true);
                if let Some(w) = self.ws_mut(id) {
                    w.project_due = Some(Instant::now());
                }
            }
        }
        self.reassign_docs();
        for u in gone {
            self.publish(&u);
        }
    }

    /// Re-home every open document (after folders or configs changed) and re-check it.
    fn reassign_docs(&mut self) {
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for u in uris {
            let path = uri_to_path(&u);
            let ws = self.workspace_for(path.as_deref());
            let root = self.ws(ws).map(|w| w.top.clone()).unwrap_or_default();
            if let Some(d) = self.docs.get_mut(&u) {
                d.ws = ws;
                d.rel = doc_rel(&root, path.as_deref(), &u, &d.language_id);
                d.dirty = true;
            }
        }
    }

    fn reload_configs(&mut self) {
        let mut touched: Vec<Uri> = Vec::new();
        for w in &mut self.workspaces {
            touched.extend(w.config_diag.as_ref().map(|(u, _)| u.clone()));
            w.load_config();
            touched.extend(w.config_diag.as_ref().map(|(u, _)| u.clone()));
            if w.folder {
                w.project_due = Some(Instant::now());
                w.rescan = true;
            }
        }
        self.log(3, "nhilint: configuration reloaded");
        self.reassign_docs();
        touched.sort();
        touched.dedup();
        for u in touched {
            self.publish(&u);
        }
    }

    // ----- documents ----------------------------------------------------------------------

    fn did_open(&mut self, item: lsp_types::TextDocumentItem) {
        let path = uri_to_path(&item.uri);
        let ws = self.workspace_for(path.as_deref());
        let root = self.ws(ws).map(|w| w.top.clone()).unwrap_or_default();
        let rel = doc_rel(&root, path.as_deref(), &item.uri, &item.language_id);
        let index = LineIndex::new(&item.text);
        self.docs.insert(
            item.uri,
            Doc {
                ws,
                rel,
                language_id: item.language_id,
                version: item.version,
                text: Arc::new(item.text),
                index,
                dirty: true,
                file_diags: Vec::new(),
                diags_version: None,
            },
        );
    }

    fn did_change(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let enc = self.enc;
        let Some(d) = self.docs.get_mut(&p.text_document.uri) else {
            self.log(
                2,
                &format!(
                    "nhilint: change for a document that is not open: {}",
                    p.text_document.uri.as_str()
                ),
            );
            return;
        };
        for c in p.content_changes {
            match c.range {
                None => {
                    d.text = Arc::new(c.text);
                }
                Some(r) => {
                    let t = Arc::make_mut(&mut d.text);
                    let s = d.index.offset(t, r.start, enc);
                    let e = d.index.offset(t, r.end, enc).max(s);
                    t.replace_range(s..e, &c.text);
                }
            }
            d.index = LineIndex::new(&d.text);
        }
        d.version = p.text_document.version;
        d.dirty = true;
    }

    fn did_save(&mut self, uri: &Uri) {
        if uri_to_path(uri).is_some_and(|p| is_config_file(&p)) {
            return self.reload_configs();
        }
        if let Some(ws) = self.docs.get(uri).map(|d| d.ws)
            && let Some(w) = self.ws_mut(ws)
            && w.folder
        {
            w.project_due = Some(Instant::now() + Duration::from_millis(50));
        }
    }

    fn did_close(&mut self, uri: &Uri) {
        if let Some(d) = self.docs.remove(uri) {
            self.publish(uri);
            // The file's disk text replaces the buffer in the next cross-file pass.
            if let Some(w) = self.ws_mut(d.ws)
                && w.folder
                && w.has_project_rules()
            {
                w.project_due = Some(w.after_edit());
            }
        }
    }

    fn watched_changed(&mut self, p: lsp_types::DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = p
            .changes
            .iter()
            .filter_map(|c| uri_to_path(&c.uri))
            .collect();
        if paths
            .iter()
            .any(|p| is_config_file(p) || p.file_name().is_some_and(|n| n == ".nhilintignore"))
        {
            return self.reload_configs();
        }
        let due = Instant::now() + Duration::from_millis(100);
        for w in &mut self.workspaces {
            let mine: Vec<&PathBuf> = paths.iter().filter(|p| p.starts_with(&w.root)).collect();
            if w.folder && !mine.is_empty() {
                w.changed.extend(mine.into_iter().cloned());
                w.project_due = Some(w.project_due.map_or(due, |d| d.min(due)));
            }
        }
    }

    // ----- analysis -----------------------------------------------------------------------

    /// Hand the file worker the latest text of one dirty document, if it is idle.
    fn dispatch_file(&mut self) {
        if self.file_busy {
            return;
        }
        let Some(uri) = self
            .docs
            .iter()
            .find(|(_, d)| d.dirty)
            .map(|(u, _)| u.clone())
        else {
            return;
        };
        let (ws_id, rel, version, text) = {
            let d = &self.docs[&uri];
            (d.ws, d.rel.clone(), d.version, d.text.clone())
        };
        let Some(w) = self.ws(ws_id) else { return };
        let (engine, root, excluded) = (w.engine.clone(), w.top.clone(), w.excluded(&rel));
        let max = engine.config.scan.max_file_size;
        if let Some(d) = self.docs.get_mut(&uri) {
            d.dirty = false;
        }
        if excluded || text.len() as u64 > max {
            if excluded {
                self.log(4, &format!("nhilint: {rel} is excluded by configuration"));
            } else if self.warned_large.insert(uri.clone()) {
                self.log(
                    3,
                    &format!(
                        "nhilint: {rel} is larger than max-file-size ({max} bytes); not analysed"
                    ),
                );
            }
            return self.on_file_done(FileResult {
                uri,
                version,
                diags: Vec::new(),
                log: None,
            });
        }
        let open = self
            .docs
            .iter()
            .filter(|(u, _)| **u != uri)
            .filter_map(|(u, d)| Some((uri_to_path(u)?, d.text.clone())))
            .collect();
        let job = FileJob {
            uri,
            version,
            open,
            rel,
            text,
            engine,
            root,
            enc: self.enc,
            docs: self.docs_pattern.clone(),
        };
        if self.file_tx.send(job).is_ok() {
            self.file_busy = true;
        }
    }

    fn on_file_done(&mut self, r: FileResult) {
        if let Some(l) = &r.log {
            self.log(1, l);
        }
        let Some(d) = self.docs.get_mut(&r.uri) else {
            self.file_busy = false;
            return;
        };
        // Worker results (not the synchronous skip path) free the worker.
        self.file_busy = false;
        if d.version != r.version {
            return; // Stale: a newer version is queued (the document is dirty again).
        }
        d.file_diags = r.diags;
        d.diags_version = Some(r.version);
        let ws = d.ws;
        self.publish(&r.uri);
        if let Some(w) = self.ws_mut(ws)
            && w.folder
            && w.has_project_rules()
        {
            w.project_due = Some(w.after_edit());
        }
    }

    fn dispatch_project(&mut self) {
        if self.project_busy {
            return;
        }
        let now = Instant::now();
        let Some(wi) = self
            .workspaces
            .iter()
            .position(|w| w.project_due.is_some_and(|d| d <= now))
        else {
            return;
        };
        self.workspaces[wi].project_due = None;
        if !self.workspaces[wi].has_project_rules() {
            return;
        }
        self.workspaces[wi].generation += 1;
        let live = self.workspaces.iter().map(|w| w.id).collect();
        let changed = std::mem::take(&mut self.workspaces[wi].changed);
        let rescan = std::mem::replace(&mut self.workspaces[wi].rescan, false);
        let w = &self.workspaces[wi];
        let overlays = self
            .docs
            .iter()
            .filter(|(_, d)| d.ws == w.id)
            .map(|(u, d)| project::Overlay {
                uri: u.clone(),
                rel: d.rel.clone(),
                text: d.text.clone(),
                version: d.version,
            })
            .collect();
        let job = project::ProjectJob {
            ws: w.id,
            generation: w.generation,
            root: w.top.clone(),
            folder: w.root.clone(),
            engine: w.engine.clone(),
            overlays,
            changed,
            rescan,
            live,
            enc: self.enc,
            docs: self.docs_pattern.clone(),
        };
        if self.project_tx.send(job).is_ok() {
            self.project_busy = true;
        }
    }

    fn on_project_done(&mut self, r: project::ProjectResult) {
        self.project_busy = false;
        if let Some(l) = &r.log {
            self.log(3, l);
        }
        if !r.stats.is_empty() {
            self.log(4, &r.stats);
        }
        let Some(w) = self.ws_mut(r.ws) else { return };
        if !r.first {
            w.last_project = r.elapsed;
        }
        if w.generation != r.generation {
            return;
        }
        let mut uris: HashSet<Uri> = w.project_diags.keys().cloned().collect();
        uris.extend(r.diags.keys().cloned());
        w.project_diags = r.diags;
        w.project_versions = r.versions;
        for u in uris {
            self.publish(&u);
        }
    }

    /// Every diagnostic currently known for `uri`: per-file, cross-file and configuration.
    /// Cross-file diagnostics of an open document count only when computed from the text of
    /// the version published (the per-file result's version, else the current one).
    fn diagnostics_for(&self, uri: &Uri) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        let doc = self.docs.get(uri);
        if let Some(d) = doc {
            all.extend(d.file_diags.iter().cloned());
        }
        let shown = doc.map(|d| d.diags_version.unwrap_or(d.version));
        for w in &self.workspaces {
            let current = shown.is_none_or(|v| w.project_versions.get(uri) == Some(&v));
            if let Some(p) = w.project_diags.get(uri)
                && current
            {
                all.extend(p.iter().cloned());
            }
            if let Some((u, d)) = &w.config_diag
                && u == uri
                && !all.contains(d)
            {
                all.push(d.clone());
            }
        }
        all
    }

    fn publish(&self, uri: &Uri) {
        // An open document's publication names the version it describes (the per-file result's,
        // or before that one arrives, the current one: cross-file findings only of that version).
        let version = self
            .docs
            .get(uri)
            .map(|d| d.diags_version.unwrap_or(d.version));
        let diagnostics = self.diagnostics_for(uri);
        self.notify(
            "textDocument/publishDiagnostics",
            lsp_types::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version,
            },
        );
    }

    // ----- hover and code actions ---------------------------------------------------------

    fn hover(&self, p: &lsp_types::HoverParams) -> Option<Hover> {
        let uri = &p.text_document_position_params.text_document.uri;
        let pos = p.text_document_position_params.position;
        let mut parts = Vec::new();
        let mut range = None;
        for d in self.diagnostics_for(uri) {
            if !(d.range.start <= pos && pos <= d.range.end) {
                continue;
            }
            let Some(NumberOrString::String(code)) = &d.code else {
                continue;
            };
            let Some(card) = crate::rules::card::find_card(code) else {
                continue;
            };
            parts.push(diag::hover_markdown(card, &d.message, &self.docs_pattern));
            range.get_or_insert(d.range);
        }
        if parts.is_empty() {
            return None;
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n---\n\n"),
            }),
            range,
        })
    }

    fn code_actions(&self, p: &lsp_types::CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        if let Some(only) = &p.context.only
            && !only
                .iter()
                .any(|k| k.as_str() == "quickfix" || k.as_str().is_empty())
        {
            return Vec::new();
        }
        let Some(doc) = self.docs.get(uri) else {
            return Vec::new();
        };
        let kind = crate::source::classify(&doc.rel, &doc.text);
        let Some(prefix) = diag::comment_prefix(kind, &doc.language_id, &doc.rel) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for d in self.diagnostics_for(uri) {
            if d.range.end < p.range.start || p.range.end < d.range.start {
                continue;
            }
            let Some(NumberOrString::String(code)) = &d.code else {
                continue;
            };
            if code.starts_with("nhilint-") || crate::rules::card::find_card(code).is_none() {
                continue;
            }
            let line = d.range.start.line;
            if !seen.insert((code.clone(), line)) {
                continue;
            }
            let new_text = diag::suppression_line(&doc.text, &doc.index, line, prefix, code);
            let at = Position::new(line, 0);
            let edit = lsp_types::WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![TextEdit::new(Range::new(at, at), new_text)],
            )]));
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore `{code}` here (add an nhilint: ignore comment)"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit),
                ..CodeAction::default()
            }));
        }
        out
    }
}

/// The repository's top level containing `root` (as found by `nhilint check`), spelled like
/// `root` (the client's paths may go through a symlink); `root` itself outside a repository.
fn repo_top(root: &Path) -> PathBuf {
    let fallback = || root.to_path_buf();
    let Some(repo) = crate::git::find_repo(root) else {
        return fallback();
    };
    let Ok(canon) = std::fs::canonicalize(root) else {
        return fallback();
    };
    let Ok(below) = canon.strip_prefix(&repo.top) else {
        return fallback();
    };
    root.ancestors()
        .nth(below.components().count())
        .filter(|t| std::fs::canonicalize(t).is_ok_and(|c| c == repo.top))
        .map(Path::to_path_buf)
        .unwrap_or_else(fallback)
}

/// The path a document is analysed under: relative to its repository's top level (else its
/// workspace root); for a non-file URI,
/// a made-up name whose extension follows the language id (classification is by path).
fn doc_rel(root: &Path, path: Option<&Path>, uri: &Uri, language_id: &str) -> String {
    if let Some(p) = path {
        return rel_path(root, p);
    }
    let ext = match language_id {
        "terraform" | "hcl" | "terraform-vars" => "tf",
        "yaml" | "helm" => "yaml",
        "json" | "jsonc" => "json",
        "python" => "py",
        "javascript" | "javascriptreact" => "js",
        "typescript" | "typescriptreact" => "ts",
        "go" => "go",
        "java" => "java",
        "csharp" => "cs",
        "ruby" => "rb",
        "php" => "php",
        "kotlin" => "kt",
        "dotenv" => "env",
        "shellscript" => "sh",
        _ => "txt",
    };
    let stem: String = uri
        .as_str()
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("untitled")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if ext == "env" {
        ".env".into()
    } else {
        format!("{}.{ext}", if stem.is_empty() { "untitled" } else { &stem })
    }
}

/// Project-scope rules named by an unused-suppression finding: those are only decided by the
/// cross-file pass, so the per-file pass drops them and the project pass reports them.
fn names_project_rule(f: &crate::finding::Finding, engine: &Engine) -> bool {
    f.rule_id == crate::suppress::UNUSED_RULE
        && engine
            .rules
            .rules
            .iter()
            .any(|r| r.is_project() && f.message.contains(&format!("`{}`", r.id())))
}

fn read_other(p: &Path) -> Option<String> {
    crate::fsafe::read_small_text(p, 5 * 1024 * 1024)
}

fn analyze_file(job: FileJob) -> FileResult {
    let FileJob {
        uri,
        version,
        open,
        rel,
        text,
        engine,
        root,
        enc,
        docs,
    } = job;
    // Related locations in other files: the open buffer's text when there is one, else disk.
    let other = |p: &Path| {
        open.iter()
            .find(|(q, _)| q == p)
            .map(|(_, t)| t.to_string())
            .or_else(|| read_other(p))
    };
    let r = crate::guard::catch(|| {
        let (findings, errors) = engine.check_text(&rel, &text);
        let index = LineIndex::new(&text);
        let view = diag::TextView {
            text: &text,
            index: &index,
            enc,
        };
        let mut diags: Vec<Diagnostic> = errors
            .iter()
            .map(|e| diag::error_diagnostic(e, &view))
            .collect();
        for f in findings.iter().filter(|f| !names_project_rule(f, &engine)) {
            diags.push(diag::to_diagnostic(f, &view, &root, &docs, &other));
        }
        diags
    });
    match r {
        Ok(diags) => FileResult {
            uri,
            version,
            diags,
            log: None,
        },
        Err(p) => FileResult {
            uri,
            version,
            diags: Vec::new(),
            log: Some(format!(
                "nhilint: {}",
                p.message(&format!("while analysing {rel}"))
            )),
        },
    }
}
