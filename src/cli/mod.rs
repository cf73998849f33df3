//! Command line: `nhilint [check] [PATH…]`, `inventory`, `rules`, `explain`, `baseline`, `server`.

use crate::config::Config;
use crate::engine::Engine;
use crate::finding::Severity;
use crate::report::{self, Format, RenderOptions};
use crate::rules::{self, RuleSet};
use clap::{Args, Parser, Subcommand};
use std::io::{IsTerminal, Read as _, Write as _};
use std::path::{Path, PathBuf};

const ABOUT: &str = "Find risky machine-to-machine trust before it is deployed.\n\n\
nhilint reads Terraform, Kubernetes (Helm, Kustomize), CI pipelines and application code,\n\
builds one model of identities, grants, trusts, credentials and usages, and reports trust that\n\
is too broad, lives too long or has no owner, mapped to the OWASP Non-Human Identities Top 10.";

/// Examples: a description, then the command on its own short line, so that help wrapped to a
/// narrow terminal never breaks a command someone copies.
const AFTER: &str = "Examples:\n\
Check the current directory:\n  \
nhilint\n\
Check some folders, one line per finding:\n  \
nhilint check infra/ k8s/ --format concise\n\
SARIF for code scanning:\n  \
nhilint check --format sarif -o out.sarif\n\
Only over-privilege rules, high and critical:\n  \
nhilint check --select NHI5 --min-severity high\n\
Findings per rule and per path class:\n  \
nhilint check --statistics\n\
What a rule finds and how to fix it:\n  \
nhilint explain iam-wildcard-action\n\n\
Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration error.\n\
Suppress one finding with a comment on its line or the line above (optionally with \
until=YYYY-MM-DD):\n  \
# nhilint: ignore[rule-id] reason";

#[derive(Parser, Debug)]
#[command(name = "nhilint", version, about = ABOUT, after_help = AFTER, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Option<Cmd>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Check files and folders (the default command).
    Check(CheckArgs),
    /// List identities, credentials, trust edges, grants and usages.
    Inventory(InventoryArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation and examples.
    Explain {
        /// Rule id, e.g. iam-wildcard-action
        rule: String,
    },
    /// Write a baseline of current findings (accepted debt), to report only new ones later.
    Baseline(BaselineArgs),
    /// Run the language server (LSP over stdio) for editors.
    Server(ServerArgs),
}

/// The flags language clients add when they launch a server (vscode-languageclient appends
/// `--stdio` for `TransportKind.stdio`, and `--clientProcessId=N` for Node servers).
#[derive(Args, Debug, Clone, Default)]
pub struct ServerArgs {
    /// Speak LSP over stdin/stdout (the default and only transport; accepted for clients that pass it).
    #[arg(long)]
    pub stdio: bool,
    /// Process id of the editor (accepted; the `processId` of `initialize` is what is used).
    #[arg(long = "clientProcessId", value_name = "PID")]
    pub client_process_id: Option<u32>,
    /// Not supported: nhilint speaks LSP over stdio only.
    #[arg(long, value_name = "NAME", hide = true)]
    pub pipe: Option<String>,
    /// Not supported: nhilint speaks LSP over stdio only.
    #[arg(long, value_name = "PORT", hide = true)]
    pub socket: Option<String>,
    /// Not supported: nhilint speaks LSP over stdio only.
    #[arg(long = "node-ipc", hide = true)]
    pub node_ipc: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ScanArgs {
    /// Files or folders to check (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Configuration file (default: nhilint.toml or .nhilint.toml found upwards from the root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only these rules: ids, prefixes (`tf-*`), targets (`terraform`) or OWASP items (`NHI5`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to a file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1: critical|high|medium|low|info|none.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings in files and lines changed since this git ref.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Also scan the blobs of past commits for secrets: every ref, or `--history=REV-RANGE`
    /// (`main`, `v1.0..HEAD`). Findings are named `<commit>:<path>`.
    #[arg(long, value_name = "REV-RANGE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub history: Option<String>,
    /// Ignore every `nhilint: ignore[...]` comment (for audits).
    #[arg(long)]
    pub no_inline_suppressions: bool,
    /// Read the file to check from stdin, reported under this name.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,
    /// Print only the summary line (human format).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Parse errors fail the run (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Report only findings at or above this severity: critical|high|medium|low|info.
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<String>,
    /// Report only findings at or above this confidence: high|medium|low.
    #[arg(long, value_name = "CONFIDENCE")]
    pub min_confidence: Option<String>,
    /// Print how many findings each rule and each path class has, instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Colour: auto (a terminal, unless NO_COLOR is set or FORCE_COLOR is), always or never.
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// `--color`, then `NO_COLOR` (set and not empty: no colour), then `FORCE_COLOR` (set and not
/// `0`/`false`: colour), then whether the output is a terminal.
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    let set = |v: &str| std::env::var(v).ok().filter(|x| !x.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto => match set("FORCE_COLOR") {
            Some(v) => v != "0" && v != "false",
            None => terminal,
        },
    }
}

#[derive(Args, Debug, Clone)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format: json, markdown, dot or mermaid.
    #[arg(long, short = 'f', default_value = "json")]
    pub format: String,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only trust edges added or widened since this git ref.
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct RulesArgs {
    /// table, json or md
    #[arg(long, short = 'f', default_value = "table")]
    pub format: String,
}

#[derive(Args, Debug, Clone)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Where to write the baseline.
    #[arg(long, short = 'o', default_value = ".nhilint-baseline.json")]
    pub output: PathBuf,
}

/// The command line's entry point: exit 0 (nothing at or above `--fail-on`), 1 (findings) or
/// 2 (usage, configuration or an internal error that left nothing to report). A panic never
/// ends the process with Rust's 101 (and never prints file text: see [`crate::guard`]).
pub fn main() -> i32 {
    cap_malloc_arenas();
    crate::guard::install_hook();
    crate::guard::catch(run)
        .unwrap_or_else(|p| fail(p.message("before anything could be reported")))
}

/// glibc gives each thread that allocates its own malloc arena, and each arena reserves 64 MiB
/// of address space: with the scan's threads that is a large share of a 500 MB `ulimit -v`
/// (or `prlimit --as`) budget spent on reservations, not data. One shared arena keeps the
/// address space close to what is really allocated (measured on 83,427 roles in one file:
/// 588 MB peak address space with two arenas, 430 MB with one). `MALLOC_ARENA_MAX` in the
/// environment still wins.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        const M_ARENA_MAX: std::ffi::c_int = -8;
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: called first thing in main, before any other thread exists; mallopt only
            // sets a malloc parameter.
            unsafe {
                mallopt(M_ARENA_MAX, 1);
            }
        }
    }
}

fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.cmd {
        None => run_check(cli.check),
        Some(Cmd::Check(a)) => run_check(a),
        Some(Cmd::Rules(a)) => run_rules(&a.format),
        Some(Cmd::Explain { rule }) => run_explain(&rule),
        Some(Cmd::Server(a)) => {
            if a.pipe.is_some() || a.socket.is_some() || a.node_ipc {
                return fail(
                    "the language server speaks LSP over stdio only (use `nhilint server` or `nhilint server --stdio`)",
                );
            }
            crate::server::run()
        }
        Some(Cmd::Inventory(a)) => run_inventory(a),
        Some(Cmd::Baseline(a)) => run_baseline(a),
    }
}

/// Print an error (terminal-safe: it may quote a configuration file or git's output) and give
/// exit code 2.
pub fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("nhilint: error: {}", crate::term::clean(&msg.to_string()));
    2
}

/// Config + rules + engine for a scan, or an exit code 2 message.
pub fn prepare(scan: &ScanArgs, inline: bool) -> Result<(Engine, PathBuf), String> {
    crate::guard::phase("start");
    if let Some(e) = rules::card::catalog_errors().first() {
        return Err(format!("invalid embedded rule card: {e}"));
    }
    for p in &scan.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    for t in scan.select.iter().chain(scan.ignore.iter()) {
        if !rules::card::catalog()
            .iter()
            .any(|c| rules::card::token_matches(t, c))
        {
            return Err(format!("`{t}` matches no rule (see `nhilint rules`)"));
        }
    }
    // Output paths are relative to `root`; the config is found from the folder scanned.
    let root = crate::walk::path_root(&scan.paths);
    let mut config = Config::resolve(
        scan.config.as_deref(),
        &crate::engine::scan_root(&scan.paths),
    )
    .map_err(|e| e.to_string())?;
    config.set_path_root(&root);
    config.set_scan_dirs(&root, &scan_paths(scan));
    if let Some(j) = scan.jobs {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global();
    }
    crate::guard::phase("config");
    let rules = RuleSet::build(&config, &scan.select, &scan.ignore);
    crate::guard::phase("ruleset");
    let mut engine = Engine::new(config, rules);
    crate::guard::phase("engine");
    engine.inline_suppressions = inline;
    Ok((engine, root))
}

/// The paths given, or the current directory.
fn scan_paths(scan: &ScanArgs) -> Vec<PathBuf> {
    if scan.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        scan.paths.clone()
    }
}

/// Walk and scan.
pub fn scan(
    engine: &Engine,
    root: &Path,
    scan: &ScanArgs,
    stdin: Option<(String, String)>,
    progress: bool,
) -> crate::context::Report {
    let threads = scan.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let inputs = match stdin {
        Some((name, text)) => vec![crate::walk::Input {
            abs: PathBuf::from(&name),
            rel: name,
            text: Some(text),
        }],
        None => {
            let walked = crate::guard::catch(|| {
                crate::walk::collect(root, &scan_paths(scan), &engine.config, threads)
            });
            let crate::walk::Collected {
                inputs,
                skipped,
                errors,
            } = match walked {
                Ok(w) => w,
                Err(p) => {
                    let mut r = crate::context::Report::default();
                    r.errors.push(crate::finding::ScanError {
                        path: ".".into(),
                        line: None,
                        message: p.message("while listing the files to scan"),
                    });
                    return r;
                }
            };
            crate::guard::phase("walk");
            let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let total = inputs.len();
            let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let handle = if progress {
                let (c, d) = (counter.clone(), done.clone());
                Some(std::thread::spawn(move || progress_loop(&c, &d, total)))
            } else {
                None
            };
            let mut r = engine.scan_files(root, inputs, Some(&counter));
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            if let Some(h) = handle {
                let _ = h.join();
            }
            r.stats.files_skipped += skipped;
            r.errors.extend(errors);
            r.errors.sort();
            r.errors.dedup();
            return r;
        }
    };
    engine.scan_files(root, inputs, None)
}

/// `--history`: the secrets rules of this run over the blobs of past commits.
fn scan_history(
    engine: &Engine,
    root: &Path,
    scan: &ScanArgs,
    range: &str,
    report: &mut crate::context::Report,
) -> Result<(), String> {
    let rules = crate::rules::RuleSet {
        rules: engine
            .rules
            .rules
            .iter()
            .filter(|r| r.card.target == "secrets")
            .cloned()
            .collect(),
    };
    let mut secrets_only = Engine::new(engine.config.clone(), rules);
    secrets_only.inline_suppressions = engine.inline_suppressions;
    secrets_only.lean = true;
    let jobs = scan.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let range = (!range.is_empty()).then_some(range);
    crate::guard::catch(|| crate::history::scan(&secrets_only, root, range, jobs, report))
        .unwrap_or_else(|p| Err(p.message("while reading the history")))
}

fn progress_loop(
    counter: &std::sync::atomic::AtomicUsize,
    done: &std::sync::atomic::AtomicBool,
    total: usize,
) {
    use std::sync::atomic::Ordering;
    let start = std::time::Instant::now();
    let mut shown = false;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if start.elapsed().as_millis() > 700 {
            eprint!(
                "\rnhilint: scanning {}/{total} files",
                counter.load(Ordering::Relaxed)
            );
            shown = true;
        }
    }
    if shown {
        eprint!("\r\x1b[2K");
    }
}

pub fn parse_fail_on(s: &str) -> Result<Option<Severity>, String> {
    match s {
        "none" | "never" => Ok(None),
        other => Severity::parse(other).map(Some).ok_or_else(|| {
            format!("--fail-on `{other}`: use critical, high, medium, low, info or none")
        }),
    }
}

fn run_check(a: CheckArgs) -> i32 {
    let fail_on = match a.fail_on.as_deref().map(parse_fail_on) {
        Some(Err(e)) => return fail(e),
        Some(Ok(v)) => Some(v),
        None => None,
    };
    let min_severity = match a.min_severity.as_deref() {
        Some(v) => match Severity::parse(v) {
            Some(s) => Some(s),
            None => {
                return fail(format!(
                    "--min-severity `{v}`: use critical, high, medium, low or info"
                ));
            }
        },
        None => None,
    };
    let min_confidence = match a.min_confidence.as_deref() {
        Some(v) => match crate::finding::Confidence::parse(v) {
            Some(c) => Some(c),
            None => return fail(format!("--min-confidence `{v}`: use high, medium or low")),
        },
        None => None,
    };
    let (mut engine, root) = match prepare(&a.scan, !a.no_inline_suppressions) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    engine.leak_at_exit = true;
    engine.lean = true;
    let fail_on =
        fail_on.unwrap_or_else(|| engine.config.fail_on.map_or(Some(Severity::Low), |f| f.0));
    let stdin = match &a.stdin_filename {
        Some(name) => {
            let mut t = String::new();
            if std::io::stdin().read_to_string(&mut t).is_err() {
                return fail("stdin is not valid UTF-8");
            }
            Some((name.clone(), t))
        }
        None => None,
    };
    let progress =
        !a.format.is_machine() && a.output.is_none() && std::io::stderr().is_terminal() && !a.quiet;
    let mut report = scan(&engine, &root, &a.scan, stdin, progress);
    if let Some(range) = &a.history
        && let Err(e) = scan_history(&engine, &root, &a.scan, range, &mut report)
    {
        return fail(e);
    }
    report.findings.retain(|f| {
        min_severity.is_none_or(|m| f.severity >= m)
            && min_confidence.is_none_or(|m| f.confidence >= m)
    });
    if let Some(b) = &a.baseline {
        match crate::baseline::Baseline::load(b) {
            Ok(bl) => {
                let before = report.findings.len();
                let stale = bl.filter(&mut report.findings, |p| {
                    report.sources.contains_key(p) || !root.join(p).exists()
                });
                report.suppressed += before - report.findings.len();
                if !a.quiet {
                    print_stale(&stale);
                }
            }
            Err(e) => return fail(e),
        }
    }
    if let Some(r) = &a.changed_since {
        let changed = crate::guard::catch(|| {
            crate::diff::changed_lines(&root, r, &report.sources, engine.config.scan.max_file_size)
        })
        .unwrap_or_else(|p| Err(p.message("while reading the changes")));
        match changed {
            Ok(changed) => {
                let before = report.findings.len();
                report
                    .findings
                    .retain(|f| crate::diff::is_changed(&changed, f));
                report.suppressed += before - report.findings.len();
            }
            Err(e) => return fail(e),
        }
    }
    let color = !a.format.is_machine()
        && use_color(
            a.color,
            a.output.is_none() && std::io::stdout().is_terminal(),
        );
    let text = if a.statistics {
        let stats = report::statistics::Statistics::new(&report, &engine.config);
        match a.format {
            Format::Json => stats.to_json(),
            _ => {
                let mut t = stats.to_text(color);
                t.push_str(&report::summary_line(&report));
                t.push('\n');
                t
            }
        }
    } else {
        report::render_guarded(
            a.format,
            &mut report,
            &RenderOptions {
                color,
                quiet: a.quiet,
                rules: report::RuleInfo::from_rules(&engine.rules),
            },
        )
    };
    if let Err(e) = write_out(a.output.as_deref(), &text) {
        return fail(e);
    }
    if a.format == Format::Github {
        append_step_summary(&report);
    }
    // Machine formats keep stdout clean: the summary goes to stderr (human output has it inline).
    if a.format.is_machine() && !a.quiet {
        eprintln!("nhilint: {}", report::summary_line(&report));
    }
    let failing = fail_on.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    let has_errors = !report.errors.is_empty();
    crate::guard::phase("output");
    // The process exits next: the report and the engine are not freed piece by piece.
    std::mem::forget(report);
    std::mem::forget(engine);
    if failing || (a.strict && has_errors) {
        1
    } else {
        0
    }
}

/// `--format github` in a GitHub Actions step: append the counts and first findings to
/// `$GITHUB_STEP_SUMMARY` (a warning on stderr if that file cannot be written).
fn append_step_summary(report: &crate::context::Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = report::github::step_summary(report);
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        eprintln!("nhilint: warning: cannot write the step summary: {e}");
    }
}

/// List baseline entries that no longer match a finding (on stderr; never secret values).
fn print_stale(stale: &[crate::baseline::BaselineEntry]) {
    if stale.is_empty() {
        return;
    }
    eprintln!(
        "nhilint: {} baseline entr{} no longer match a finding (fixed or moved; run `nhilint baseline` to refresh):",
        stale.len(),
        if stale.len() == 1 { "y" } else { "ies" }
    );
    const SHOWN: usize = 20;
    for e in stale.iter().take(SHOWN) {
        eprintln!(
            "  stale: {} {} {}",
            crate::term::clean(&e.rule_id),
            crate::term::clean(&e.path),
            crate::term::clean(&e.fingerprint)
        );
    }
    if stale.len() > SHOWN {
        eprintln!("  … and {} more", stale.len() - SHOWN);
    }
}

pub fn write_out(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut so = std::io::stdout().lock();
            let _ = so.write_all(text.as_bytes());
            let _ = so.flush();
            Ok(())
        }
    }
}

fn run_rules(format: &str) -> i32 {
    let cards = rules::card::catalog();
    let out = match format {
        "json" => {
            let v: Vec<serde_json::Value> = cards
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id, "title": c.title, "target": c.target, "severity": c.severity,
                        "confidence": c.confidence, "owasp_nhi": c.owasp_nhi, "scope": c.scope,
                        "default_enabled": !c.opt_in, "docs": c.docs,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        "md" | "markdown" => {
            let mut s =
                String::from("| rule | severity | OWASP NHI | title |\n|---|---|---|---|\n");
            for c in cards {
                s.push_str(&format!(
                    "| `{}` | {} | {} | {} |\n",
                    c.id,
                    c.severity.as_str(),
                    c.owasp_nhi.join(", "),
                    c.title
                ));
            }
            s
        }
        "table" => {
            let w = cards.iter().map(|c| c.id.len()).max().unwrap_or(10);
            let mut s = format!(
                "{:w$}  {:8}  {:10}  {}\n",
                "RULE", "SEVERITY", "OWASP", "TITLE"
            );
            for c in cards {
                s.push_str(&format!(
                    "{:w$}  {:8}  {:10}  {}\n",
                    c.id,
                    c.severity.as_str(),
                    c.owasp_nhi.join(","),
                    c.title
                ));
            }
            s.push_str(&format!("{} rules\n", cards.len()));
            s
        }
        other => return fail(format!("--format `{other}`: use table, json or md")),
    };
    let _ = write_out(None, &out);
    0
}

pub fn explain_text(c: &rules::card::Card) -> String {
    let mut s = format!("{} — {}\n\n", c.id, c.title);
    s.push_str(&format!(
        "severity: {}   confidence: {}   OWASP: {}\n\n",
        c.severity.as_str(),
        c.confidence.as_str(),
        rules::card::owasp_labels(&c.owasp_nhi)
    ));
    s.push_str(&format!(
        "What it finds\n  {}\n\nWhy it matters\n  {}\n\nHow to fix it\n  {}\n",
        c.docs.what.trim(),
        c.docs.why.trim(),
        c.docs.fix.trim()
    ));
    if !c.docs.references.is_empty() {
        s.push_str("\nReferences\n");
        for r in &c.docs.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    for e in &c.examples {
        let shown = if c.target == "secrets" {
            "(example holds a credential-shaped value; see the card file)".to_string()
        } else {
            e.code.trim_end().to_string()
        };
        s.push_str(&format!("\nExample ({}) — {}\n", e.kind, e.path));
        for l in shown.lines() {
            s.push_str(&format!("    {l}\n"));
        }
    }
    s
}

fn run_explain(id: &str) -> i32 {
    match rules::card::find_card(id) {
        Some(c) => {
            let _ = write_out(None, &explain_text(c));
            0
        }
        None => {
            let close: Vec<&str> = rules::card::catalog()
                .iter()
                .filter(|c| c.id.contains(id) || id.contains(&c.id))
                .map(|c| c.id.as_str())
                .take(5)
                .collect();
            if close.is_empty() {
                fail(format!("no rule `{id}` (see `nhilint rules`)"))
            } else {
                fail(format!(
                    "no rule `{id}`; did you mean: {}",
                    close.join(", ")
                ))
            }
        }
    }
}

fn run_inventory(a: InventoryArgs) -> i32 {
    let (engine, root) = match prepare(&a.scan, true) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let report = scan(&engine, &root, &a.scan, None, false);
    let rendered = crate::guard::catch(|| {
        crate::inventory::render_with_config(
            &a.format,
            &report,
            &root,
            a.since.as_deref(),
            &engine.config,
        )
    });
    let text = match rendered {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return fail(e),
        Err(p) => return fail(p.message("while building the inventory")),
    };
    // JSON escapes through serde; the text formats (markdown, dot, mermaid) quote names from
    // the scanned files, so their control characters are escaped here.
    let text = if a.format == "json" {
        text
    } else {
        for e in &report.errors {
            let line = e.line.map(|l| format!(":{l}")).unwrap_or_default();
            eprintln!(
                "nhilint: error: {}{line}: {}",
                crate::term::clean(&e.path),
                crate::term::clean(&e.message)
            );
        }
        crate::term::clean_lines(&text).into_owned()
    };
    match write_out(a.output.as_deref(), &text) {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

fn run_baseline(a: BaselineArgs) -> i32 {
    let (engine, root) = match prepare(&a.scan, true) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let report = scan(&engine, &root, &a.scan, None, false);
    let b = crate::baseline::Baseline::from_findings(&report.findings);
    let text = b.to_json();
    match write_out(Some(&a.output), &text) {
        Ok(()) => {
            eprintln!(
                "nhilint: wrote {} baseline entries to {}",
                b.entries.len(),
                a.output.display()
            );
            0
        }
        Err(e) => fail(e),
    }
}
