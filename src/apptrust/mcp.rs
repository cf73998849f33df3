//! AI agents' MCP client configurations (`.vscode/mcp.json`, `.cursor/mcp.json`, `.mcp.json`,
//! `claude_desktop_config.json`, ...): the tool servers an agent starts or calls, how each is
//! fetched (`npx -y pkg`, `uvx pkg`, a container image) and which credentials it is handed
//! (`env`, `headers`, `args`). Values that the client fills in at start (`${input:x}` prompts,
//! `${env:X}`, `${X}`) are references, not literals.

use crate::facts::{Attrs, Call, Credential, Facts, Identity, Loc};
use crate::kube::secrets::{secret_like_key, secret_like_value};
use crate::lang::Parsed;
use crate::lang::{Node, Span};
use crate::redact::redact;
use crate::source::SourceFile;
use serde_json::json;

/// One tool server of a configuration.
pub struct Server<'a> {
    pub name: &'a str,
    /// The key's span (where whole-server findings go).
    pub key_span: Span,
    pub node: &'a Node,
    /// `servers.x` or `mcpServers.x`.
    pub address: String,
}

/// Where a credential handed to a server comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Written in the file.
    Literal(String),
    /// `${input:id}`: the client prompts for it.
    Prompt(String),
    /// `${env:X}`, `${X}`, `$X`: the client's environment.
    Env(String),
}

/// A credential handed to a server: where (`env.GITHUB_TOKEN`, `headers.Authorization`,
/// `args[3]`) and from what.
pub struct Handed<'a> {
    pub place: String,
    pub node: &'a Node,
    /// Byte range of the value inside the file (the literal part for masks).
    pub span: Span,
    pub source: Source,
}

/// Every server of an MCP configuration (`servers`, `mcpServers`, `mcp.servers`).
pub fn servers(parsed: &Parsed) -> Vec<Server<'_>> {
    let mut out = Vec::new();
    let Parsed::Json(d) = parsed else { return out };
    for key in ["servers", "mcpServers", "mcp.servers"] {
        let Some(m) = d.root.path(key).or_else(|| d.root.get(key)) else {
            continue;
        };
        for e in m.entries() {
            if e.value.is_map() {
                out.push(Server {
                    name: &e.key,
                    key_span: e.key_span.clone(),
                    node: &e.value,
                    address: format!("{key}.{}", e.key),
                });
            }
        }
    }
    out
}

/// The reference a value makes, if it is one: `${input:x}`, `${env:X}`, `${X}`, `$X`.
pub fn reference(v: &str) -> Option<Source> {
    let t = strip_scheme(v.trim()).trim();
    if let Some(inner) = t.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if let Some(id) = inner.strip_prefix("input:") {
            return Some(Source::Prompt(id.to_string()));
        }
        let name = inner.strip_prefix("env:").unwrap_or(inner);
        let name = name.split(":-").next().unwrap_or(name);
        return Some(Source::Env(name.to_string()));
    }
    if let Some(name) = t.strip_prefix('$')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Some(Source::Env(name.to_string()));
    }
    if t.contains("${") || t.contains("{{") {
        return Some(Source::Env(t.to_string()));
    }
    None
}

/// Prefixes of tokens whose type is known from the value alone.
const TOKEN_PREFIXES: [&str; 16] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xapp-",
    "sk-",
    "sk_live_",
    "AKIA",
    "ASIA",
    "AIza",
    "hf_",
    "lin_api_",
];

/// Does a literal value look like a credential (known token shape, or a secret-like value)?
pub fn token_like(v: &str) -> bool {
    let t = strip_scheme(v.trim());
    if crate::secrets::is_placeholder(t) {
        return false;
    }
    TOKEN_PREFIXES
        .iter()
        .any(|p| t.starts_with(p) && t.len() >= p.len() + 12)
}

/// Header names that carry credentials.
fn credential_header(k: &str) -> bool {
    let l = k.to_ascii_lowercase();
    l == "authorization"
        || l == "proxy-authorization"
        || l == "cookie"
        || (l.contains("key") || l.contains("token") || l.contains("secret") || l.contains("auth"))
            && !l.ends_with("-id")
}

/// Flags of a command line that take a credential (`--token x`, `--api-key=x`).
fn credential_flag(f: &str) -> bool {
    let n = f.trim_start_matches('-');
    f.starts_with('-') && secret_like_key(n)
}

/// The credentials a server is handed (env, headers, args), referenced or literal.
pub fn handed<'a>(s: &Server<'a>) -> Vec<Handed<'a>> {
    let mut out = Vec::new();
    for e in s.node.get("env").map(|n| n.entries()).unwrap_or(&[]) {
        judge(
            &mut out,
            format!("env.{}", e.key),
            &e.value,
            secret_like_key(&e.key),
        );
    }
    for hk in ["headers", "requestInit.headers"] {
        for e in s.node.path(hk).map(|n| n.entries()).unwrap_or(&[]) {
            judge(
                &mut out,
                format!("headers.{}", e.key),
                &e.value,
                credential_header(&e.key),
            );
        }
    }
    let args = s.node.get("args").and_then(|a| a.as_seq()).unwrap_or(&[]);
    let mut prev_flag = false;
    for (i, a) in args.iter().enumerate() {
        let Some(t) = a.as_str() else {
            prev_flag = false;
            continue;
        };
        let place = format!("args[{i}]");
        let after_env_flag = i > 0 && matches!(args[i - 1].as_str(), Some("-e") | Some("--env"));
        if after_env_flag && !t.contains('=') {
            // `docker run -e GITHUB_TOKEN`: passed through from the client's environment.
            if secret_like_key(t) {
                out.push(Handed {
                    place: format!("{place} (-e {t})"),
                    node: a,
                    span: a.span.clone(),
                    source: Source::Env(t.to_string()),
                });
            }
            prev_flag = false;
            continue;
        }
        if prev_flag {
            judge(&mut out, place.clone(), a, true);
        } else if let Some((flag, _)) = t.split_once('=')
            && credential_flag(flag)
        {
            judge_inline(&mut out, place.clone(), a, flag.len() + 1);
        } else if !t.starts_with('-')
            && let Some((k, _)) = t.split_once('=')
            && secret_like_key(k)
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            // `docker run -e GITHUB_TOKEN=x`
            judge_inline(&mut out, place.clone(), a, k.len() + 1);
        } else if !t.starts_with('-') {
            judge(&mut out, place.clone(), a, false);
        }
        prev_flag = credential_flag(t) && !t.contains('=');
    }
    out
}

/// A whole value handed to a server: a reference (kept when the name is secret-like) or a
/// literal credential.
fn judge<'a>(out: &mut Vec<Handed<'a>>, place: String, node: &'a Node, secret_named: bool) {
    let Some(v) = node.as_str() else { return };
    if v.trim().is_empty() {
        return;
    }
    if let Some(src) = reference(v) {
        if secret_named {
            out.push(Handed {
                place,
                node,
                span: node.span.clone(),
                source: src,
            });
        }
        return;
    }
    if secret_named && secret_like_value(strip_scheme(v)) || token_like(v) {
        out.push(Handed {
            place,
            node,
            span: node.span.clone(),
            source: Source::Literal(v.to_string()),
        });
    }
}

/// `flag=value` in one argument: judge the value part.
fn judge_inline<'a>(out: &mut Vec<Handed<'a>>, place: String, a: &'a Node, cut: usize) {
    let Some(t) = a.as_str() else { return };
    let v = &t[cut.min(t.len())..];
    if v.is_empty() {
        return;
    }
    if let Some(src) = reference(v) {
        out.push(Handed {
            place,
            node: a,
            span: a.span.clone(),
            source: src,
        });
        return;
    }
    if secret_like_value(v) || token_like(v) {
        // The value's bytes in the file (a JSON string: the quote, then the text).
        let start = (a.span.start + 1 + cut).min(a.span.end);
        let end = (start + v.len()).min(a.span.end);
        out.push(Handed {
            place,
            node: a,
            span: start..end,
            source: Source::Literal(v.to_string()),
        });
    }
}

/// The credential part of an `Authorization`-style value (`Bearer x`, `token x`, `Basic x`).
fn strip_scheme(v: &str) -> &str {
    ["Bearer ", "bearer ", "token ", "Basic "]
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v)
}

/// How a server's code is fetched when it starts: `Some((what, pinned))`, `None` for local
/// commands and remote (URL) servers.
pub fn fetched(s: &Server) -> Option<(String, bool)> {
    let cmd = s.node.get("command").and_then(|c| c.as_str())?.trim();
    let args: Vec<&str> = s
        .node
        .get("args")
        .and_then(|a| a.as_seq())
        .unwrap_or(&[])
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    let base = cmd.rsplit('/').next().unwrap_or(cmd);
    let first_pkg = |with_value: &[&str]| first_positional(&args, with_value);
    match base {
        "npx" | "bunx" | "pnpx" => {
            let pkg = first_pkg(&["-p", "--package"])?;
            Some((format!("{base} {pkg}"), npm_pinned(pkg)))
        }
        "pnpm" | "yarn" if args.first() == Some(&"dlx") => {
            let pkg = args.iter().skip(1).find(|a| !a.starts_with('-'))?;
            Some((format!("{base} dlx {pkg}"), npm_pinned(pkg)))
        }
        "uvx" | "pipx" => {
            let args2: Vec<&str> = if base == "pipx" && args.first() == Some(&"run") {
                args[1..].to_vec()
            } else {
                args.clone()
            };
            let from = args2
                .iter()
                .position(|a| *a == "--from")
                .and_then(|i| args2.get(i + 1));
            let pkg = from
                .copied()
                .or_else(|| args2.iter().find(|a| !a.starts_with('-')).copied())?;
            let pinned = pkg.contains("==") || pkg.contains('@') && !pkg.ends_with("@latest");
            Some((format!("{base} {pkg}"), pinned))
        }
        "docker" | "podman" => {
            if args.first() != Some(&"run") {
                return None;
            }
            let with_value = [
                "-e",
                "--env",
                "--name",
                "-v",
                "--volume",
                "--env-file",
                "-p",
                "--network",
                "-u",
                "--user",
                "--mount",
                "-w",
                "--entrypoint",
                "--platform",
            ];
            let image = first_positional(&args[1..], &with_value)?;
            Some((format!("image {image}"), image.contains("@sha256:")))
        }
        _ => None,
    }
}

/// The first argument that is not a flag, skipping the values of `with_value` flags.
fn first_positional<'s>(args: &[&'s str], with_value: &[&str]) -> Option<&'s str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if with_value.contains(a) {
            it.next();
            continue;
        }
        if !a.starts_with('-') {
            return Some(a);
        }
    }
    None
}

/// `pkg@1.2.3` / `@scope/pkg@1.2.3` (an exact version, not a range or tag).
fn npm_pinned(pkg: &str) -> bool {
    let body = pkg.strip_prefix('@').unwrap_or(pkg);
    let Some((_, ver)) = body.rsplit_once('@') else {
        return false;
    };
    ver.chars().next().is_some_and(|c| c.is_ascii_digit())
        && ver
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')
}

/// Which agent reads this configuration.
pub fn client_of(path: &str) -> &'static str {
    let l = path.to_ascii_lowercase();
    if l.contains(".vscode/") {
        "vscode"
    } else if l.contains(".cursor/") {
        "cursor"
    } else if l.ends_with("claude_desktop_config.json") {
        "claude-desktop"
    } else if l.ends_with(".mcp.json") || l.contains(".claude/") {
        "claude-code"
    } else if l.contains(".gemini/") {
        "gemini-cli"
    } else if l.contains("windsurf") || l.contains(".codeium/") {
        "windsurf"
    } else {
        "mcp-client"
    }
}

/// Facts: each server is an identity (`mcp_server`), each credential it is handed a
/// credential of it, and the agent → server edge a call.
pub fn facts(file: &SourceFile, parsed: &Parsed) -> Facts {
    let mut f = Facts::default();
    let client = client_of(&file.path);
    for s in servers(parsed) {
        let id = format!("{}#{}", file.path, s.address);
        let mut attrs = Attrs::new();
        attrs.insert("client".into(), json!(client));
        if let Some(u) = s
            .node
            .get("url")
            .or_else(|| s.node.get("httpUrl"))
            .and_then(|u| u.as_str())
        {
            attrs.insert("url".into(), json!(u));
        }
        if let Some((what, pinned)) = fetched(&s) {
            attrs.insert("fetched".into(), json!(what));
            attrs.insert("pinned".into(), json!(pinned));
        } else if let Some(c) = s.node.get("command").and_then(|c| c.as_str()) {
            attrs.insert("command".into(), json!(c));
        }
        f.identities.push(Identity {
            id: id.clone(),
            kind: "mcp_server".into(),
            provider: "mcp".into(),
            name: s.name.to_string(),
            loc: Loc::new(file, s.key_span.clone()),
            owner: None,
            labels: Default::default(),
            attrs,
        });
        let mut creds = Vec::new();
        for h in handed(&s) {
            let cid = format!("{id}/{}", h.place);
            let mut a = Attrs::new();
            let (storage, redacted) = match &h.source {
                Source::Literal(v) => ("literal", Some(redact(v))),
                Source::Prompt(p) => {
                    a.insert("input".into(), json!(p));
                    ("prompt", None)
                }
                Source::Env(e) => {
                    a.insert("env".into(), json!(e));
                    ("environment", None)
                }
            };
            a.insert("handed_as".into(), json!(h.place));
            f.credentials.push(Credential {
                id: cid.clone(),
                kind: "token".into(),
                identity: Some(id.clone()),
                lifetime: None,
                storage: storage.into(),
                redacted,
                loc: Loc::new(file, h.node.span.clone()),
                attrs: a,
            });
            creds.push(cid);
        }
        let mut a = Attrs::new();
        a.insert("client".into(), json!(client));
        a.insert("credentials".into(), json!(creds));
        f.calls.push(Call {
            id: format!("{id}/call"),
            kind: "mcp-server".into(),
            from: format!("{client} ({})", file.path),
            to: id.clone(),
            loc: Loc::new(file, s.key_span.clone()),
            attrs: a,
        });
    }
    f
}
