//! Secrets in shell scripts of CI steps (`run:`), found by parsing the script with
//! tree-sitter-bash: echoed to the log, written to files, passed on a command line (visible to
//! every process of the runner), or traced by `set -x`.
//!
//! `${{ … }}` expressions are replaced by same-length filler before parsing (the runner pastes
//! their value into the script); those that read a secret, and `$VAR`s whose `env:` value reads
//! a secret, are the secret references.

use super::Script;
use crate::lang::Span;
use std::collections::HashSet;
use std::ops::Range;
use tree_sitter::{Node as TsNode, Parser};

thread_local! {
    static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_bash::LANGUAGE.into()).expect("bash grammar");
        p
    });
}

/// Longest script parsed (bytes); longer scripts are skipped.
const MAX_SCRIPT: usize = 256 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub enum LeakKind {
    Echoed,
    File(String),
    CommandLine(String),
    Xtrace,
}

#[derive(Clone, Debug)]
pub struct Leak {
    /// File span of the command.
    pub span: Span,
    pub kind: LeakKind,
    /// What secret: `secrets.X` or `$VAR`.
    pub what: String,
}

impl Leak {
    pub fn message(&self) -> String {
        match &self.kind {
            LeakKind::Echoed => format!("secret `{}` is echoed to the job log", self.what),
            LeakKind::File(f) => format!("secret `{}` is written to {}", self.what, f),
            LeakKind::CommandLine(c) => format!(
                "secret `{}` is passed on the command line of `{}`",
                self.what, c
            ),
            LeakKind::Xtrace => format!(
                "`set -x` traces every command of a script that uses secret `{}`",
                self.what
            ),
        }
    }
}

/// Builtins and keywords whose arguments never reach a process list.
const BUILTINS: &[&str] = &[
    "export", "local", "declare", "readonly", "typeset", "test", "[", "[[", "read", "unset", "set",
    "shift", "return", "exit", "cd", "source", ".", "eval", "true", "false", ":", "let", "if",
    "then", "fi", "printf", "echo", "alias", "trap", "wait",
];

struct Cx<'s> {
    src: &'s str,
    /// Ranges in `src` of secret-reading `${{ }}` expressions, with their text, in source order.
    secret_exprs: Vec<(Range<usize>, String)>,
    secret_vars: &'s HashSet<String>,
    /// Node id → the secret `$VAR` its subtree reads (see [`Cx::secret_vars_below`]).
    var_below: std::collections::HashMap<usize, String>,
}

impl Cx<'_> {
    /// The first secret this node carries: `secrets.X` / `$VAR`. Constant time per node (a
    /// binary search and a lookup), so nested substitutions stay linear.
    fn secret_in(&self, n: TsNode) -> Option<String> {
        let r = n.start_byte()..n.end_byte();
        let i = self.secret_exprs.partition_point(|(x, _)| x.end <= r.start);
        if let Some((x, e)) = self.secret_exprs.get(i)
            && x.start < r.end
        {
            return Some(e.clone());
        }
        self.var_below.get(&n.id()).cloned()
    }

    /// The secret `$VAR` of an expansion node itself.
    fn own_secret_var(&self, x: TsNode) -> Option<String> {
        if !matches!(x.kind(), "simple_expansion" | "expansion") {
            return None;
        }
        let mut c = x.walk();
        x.named_children(&mut c)
            .filter(|ch| ch.kind() == "variable_name")
            .map(|ch| self.text(ch))
            .find(|name| self.secret_vars.contains(*name))
            .map(|name| format!("${name}"))
    }

    /// For every node whose subtree reads a secret `$VAR`: the one a depth-first search that
    /// visits the last child first meets first. One post-order pass over the tree.
    fn secret_vars_below(&mut self, root: TsNode) {
        if self.secret_vars.is_empty() {
            return;
        }
        let mut below = std::collections::HashMap::new();
        let mut stack: Vec<(TsNode, bool)> = vec![(root, false)];
        let mut cursor = root.walk();
        while let Some((x, done)) = stack.pop() {
            if !done {
                stack.push((x, true));
                stack.extend(x.named_children(&mut cursor).map(|c| (c, false)));
                continue;
            }
            let found = self.own_secret_var(x).or_else(|| {
                let children: Vec<TsNode> = x.named_children(&mut cursor).collect();
                children
                    .iter()
                    .rev()
                    .find_map(|c| below.get(&c.id()).cloned())
            });
            if let Some(v) = found {
                below.insert(x.id(), v);
            }
        }
        self.var_below = below;
    }

    fn text(&self, n: TsNode) -> &str {
        self.src.get(n.start_byte()..n.end_byte()).unwrap_or("")
    }
}

/// Where a redirect destination goes: None when it is not a leak (runner env files, null).
fn destination(d: &str) -> Option<LeakKind> {
    let d = d.trim_matches(|c| c == '"' || c == '\'');
    if d.contains("GITHUB_ENV")
        || d.contains("GITHUB_OUTPUT")
        || d.contains("GITHUB_PATH")
        || d.contains("GITHUB_STATE")
        || d == "/dev/null"
    {
        return None;
    }
    if d.contains("GITHUB_STEP_SUMMARY") {
        return Some(LeakKind::File("the job summary".into()));
    }
    if d.starts_with('&')
        || d == "/dev/stdout"
        || d == "/dev/stderr"
        || d.chars().all(|c| c.is_ascii_digit())
    {
        return Some(LeakKind::Echoed);
    }
    Some(LeakKind::File(format!("file `{d}`")))
}

/// Analyse one script. `is_secret_expr` says whether a `${{ }}` expression reads a secret;
/// `secret_vars` are environment variable names that hold secrets.
pub fn analyze(
    script: &Script,
    is_secret_expr: &dyn Fn(&str) -> bool,
    secret_vars: &HashSet<String>,
) -> Vec<Leak> {
    if script.text.len() > MAX_SCRIPT {
        return Vec::new();
    }
    let mut src = script.text.clone().into_bytes();
    let mut secret_exprs = Vec::new();
    for (r, e) in super::expressions(&script.text) {
        if is_secret_expr(e) {
            secret_exprs.push((r.clone(), short_expr(e)));
        }
        for b in &mut src[r] {
            if *b != b'\n' {
                *b = b'_';
            }
        }
    }
    let src = String::from_utf8(src).unwrap_or_default();
    let mentions_var = secret_vars
        .iter()
        .any(|v| src.contains(&format!("${v}")) || src.contains(&format!("${{{v}")));
    if secret_exprs.is_empty() && !mentions_var {
        return Vec::new();
    }
    let Some(tree) = PARSER.with(|p| p.borrow_mut().parse(&src, None)) else {
        return Vec::new();
    };
    secret_exprs.sort_by_key(|(r, _)| r.start);
    let derived = derived_secret_vars(&src, tree.root_node(), &secret_exprs, secret_vars);
    let mut cx = Cx {
        src: &src,
        secret_exprs,
        secret_vars: &derived,
        var_below: std::collections::HashMap::new(),
    };
    cx.secret_vars_below(tree.root_node());
    let mut raw: Vec<(Range<usize>, LeakKind, String)> = Vec::new();
    // The first secret of the script in source order (named by `set -x` findings).
    let mut any_secret: Option<(usize, String)> =
        cx.secret_exprs.first().map(|(r, e)| (r.start, e.clone()));
    let mut xtrace: Vec<Range<usize>> = Vec::new();
    // Nodes with their parent's kind (`TsNode::parent` walks down from the root: quadratic
    // on deeply nested scripts).
    let mut stack: Vec<(TsNode, &str)> = vec![(tree.root_node(), "")];
    let mut cursor = tree.walk();
    let mut depth_guard = 0usize;
    while let Some((n, parent)) = stack.pop() {
        depth_guard += 1;
        if depth_guard > 200_000 {
            break;
        }
        match n.kind() {
            "command" => command(&cx, n, parent, &mut raw, &mut xtrace),
            "redirected_statement" => redirected(&cx, n, &mut raw),
            "pipeline" => pipeline(&cx, n, &mut raw),
            _ => {}
        }
        if matches!(n.kind(), "simple_expansion" | "expansion")
            && any_secret
                .as_ref()
                .is_none_or(|(at, _)| n.start_byte() < *at)
            && let Some(s) = cx.secret_in(n)
        {
            any_secret = Some((n.start_byte(), s));
        }
        stack.extend(n.named_children(&mut cursor).map(|c| (c, n.kind())));
    }
    if let Some((_, s)) = &any_secret {
        for r in xtrace {
            raw.push((r, LeakKind::Xtrace, s.clone()));
        }
    }
    raw.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(a.0.end.cmp(&b.0.end)));
    raw.dedup_by(|a, b| a.0.start == b.0.start);
    raw.into_iter()
        .map(|(r, kind, what)| Leak {
            span: script.span(r),
            kind,
            what,
        })
        .collect()
}

/// Variables assigned from a secret (`T=$S`, `export T="x$S"`, `K=$(echo "$S" | jq -r .key)`,
/// `T=${{ secrets.X }}`) are secrets too, transitively. Passes are bounded: each one walks the
/// assignments once, and there are at most as many useful passes as assignments (capped at 16).
fn derived_secret_vars(
    src: &str,
    root: TsNode,
    secret_exprs: &[(Range<usize>, String)],
    secret_vars: &HashSet<String>,
) -> HashSet<String> {
    let mut vars = secret_vars.clone();
    let mut assigns: Vec<(String, TsNode)> = Vec::new();
    let mut stack = vec![root];
    let mut cursor = root.walk();
    let mut budget = 200_000usize;
    while let Some(n) = stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        if n.kind() == "variable_assignment"
            && let (Some(name), Some(value)) = (
                n.child_by_field_name("name"),
                n.child_by_field_name("value"),
            )
        {
            assigns.push((src[name.start_byte()..name.end_byte()].to_string(), value));
        }
        stack.extend(n.named_children(&mut cursor));
    }
    // Long values (nested substitutions, whole scripts) are not followed: walking them once per
    // assignment would be quadratic in the nesting depth.
    assigns.retain(|(_, v)| v.end_byte() - v.start_byte() <= 4096);
    for _ in 0..assigns.len().min(16) {
        let mut cx = Cx {
            src,
            secret_exprs: secret_exprs.to_vec(),
            secret_vars: &vars,
            var_below: std::collections::HashMap::new(),
        };
        cx.secret_vars_below(root);
        let found: Vec<String> = assigns
            .iter()
            .filter(|(name, value)| !vars.contains(name) && cx.secret_in(*value).is_some())
            .map(|(name, _)| name.clone())
            .collect();
        if found.is_empty() {
            break;
        }
        vars.extend(found);
    }
    vars
}

fn short_expr(e: &str) -> String {
    let e = e.trim();
    let mut s: String = e.chars().take(60).collect();
    if e.chars().count() > 60 {
        s.push('…');
    }
    s
}

fn cmd_name<'a>(cx: &'a Cx, n: TsNode) -> &'a str {
    n.child_by_field_name("name")
        .map(|c| cx.text(c))
        .unwrap_or("")
        .trim_start_matches('\\')
}

fn args_secret(cx: &Cx, n: TsNode) -> Option<String> {
    let mut cursor = n.walk();
    for a in n.children_by_field_name("argument", &mut cursor) {
        if let Some(s) = cx.secret_in(a) {
            return Some(s);
        }
    }
    None
}

fn is_mask_echo(cx: &Cx, n: TsNode) -> bool {
    let t = cx.text(n);
    t.contains("::add-mask::") || t.contains("::set-output") || t.contains("::save-state")
}

/// A plain command: echo/printf outside pipes and redirects, command-line secrets, `set -x`.
fn command(
    cx: &Cx,
    n: TsNode,
    parent: &str,
    out: &mut Vec<(Range<usize>, LeakKind, String)>,
    xtrace: &mut Vec<Range<usize>>,
) {
    let name = cmd_name(cx, n);
    let base = name.rsplit('/').next().unwrap_or(name);
    let in_pipe_or_redirect = matches!(
        parent,
        "pipeline" | "redirected_statement" | "command_substitution" | "process_substitution"
    );
    let r = n.start_byte()..n.end_byte();
    if base == "set" {
        let mut cursor = n.walk();
        let args: Vec<String> = n
            .children_by_field_name("argument", &mut cursor)
            .map(|a| cx.text(a).to_string())
            .collect();
        let x = args
            .iter()
            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('x'))
            || args.windows(2).any(|w| w[0] == "-o" && w[1] == "xtrace");
        if x {
            xtrace.push(r);
        }
        return;
    }
    let Some(secret) = args_secret(cx, n) else {
        return;
    };
    if base == "echo" || base == "printf" {
        if in_pipe_or_redirect || is_mask_echo(cx, n) {
            return;
        }
        out.push((r, LeakKind::Echoed, secret));
        return;
    }
    if BUILTINS.contains(&base) || base.is_empty() {
        return;
    }
    // Inside `$( … )` the value flows on as text; still a command line.
    out.push((r, LeakKind::CommandLine(base.to_string()), secret));
}

/// File redirects of a redirected statement (`echo $S > f`, `cat <<EOF > f … $S … EOF`).
fn redirected(cx: &Cx, n: TsNode, out: &mut Vec<(Range<usize>, LeakKind, String)>) {
    let Some(body) = n.child_by_field_name("body") else {
        return;
    };
    let mut dests = Vec::new();
    let mut heredoc_secret = None;
    // `cat <<EOF | prog`: the heredoc goes to the stdin of the pipeline, not to the log.
    let mut piped = false;
    let mut stack: Vec<TsNode> = Vec::new();
    let mut cursor = n.walk();
    for c in n.named_children(&mut cursor) {
        if c.id() != body.id() {
            stack.push(c);
        }
    }
    let mut c2 = n.walk();
    while let Some(x) = stack.pop() {
        match x.kind() {
            "file_redirect" => {
                if let Some(d) = x.child_by_field_name("destination") {
                    let op = cx.text(x);
                    if op.trim_start().starts_with('<') {
                        continue;
                    }
                    dests.push(cx.text(d).to_string());
                }
            }
            "heredoc_body" => {
                if heredoc_secret.is_none() {
                    heredoc_secret = cx.secret_in(x);
                }
            }
            "pipeline" => {
                piped = true;
                stack.extend(x.named_children(&mut c2));
            }
            "command" if piped && cmd_name(cx, x) == "tee" => {
                let mut c3 = x.walk();
                dests.extend(
                    x.children_by_field_name("argument", &mut c3)
                        .map(|a| cx.text(a).to_string())
                        .filter(|a| !a.starts_with('-')),
                );
            }
            _ => stack.extend(x.named_children(&mut c2)),
        }
    }
    let r = n.start_byte()..n.end_byte();
    let secret = match body.kind() {
        "command" => {
            let name = cmd_name(cx, body);
            if (name == "echo" || name == "printf") && !is_mask_echo(cx, body) {
                args_secret(cx, body)
            } else if name == "cat" || name == "tee" {
                heredoc_secret.clone()
            } else {
                None
            }
        }
        "pipeline" => {
            let mut c = body.walk();
            let first = body.named_children(&mut c).next();
            match first {
                Some(f)
                    if f.kind() == "command"
                        && matches!(cmd_name(cx, f), "echo" | "printf")
                        && !is_mask_echo(cx, f) =>
                {
                    args_secret(cx, f)
                }
                _ => None,
            }
        }
        _ => None,
    };
    let Some(secret) = secret else { return };
    if dests.is_empty() && body.kind() == "command" && cmd_name(cx, body) == "tee" {
        let mut cursor = body.walk();
        let files: Vec<String> = body
            .children_by_field_name("argument", &mut cursor)
            .map(|a| cx.text(a).to_string())
            .filter(|a| !a.starts_with('-'))
            .collect();
        dests = files;
    }
    for d in &dests {
        if let Some(k) = destination(d) {
            out.push((r.clone(), k, secret.clone()));
            return;
        }
    }
    if dests.is_empty() && !piped && heredoc_secret.is_some() && cmd_name(cx, body) == "cat" {
        // `cat <<EOF` to stdout: echoed.
        out.push((r, LeakKind::Echoed, secret));
    }
}

/// `echo $S | …`: piping to stdin is the safe pattern, unless the pipe ends in a file.
fn pipeline(cx: &Cx, n: TsNode, out: &mut Vec<(Range<usize>, LeakKind, String)>) {
    let mut cursor = n.walk();
    let stages: Vec<TsNode> = n.named_children(&mut cursor).collect();
    let Some(first) = stages.first() else { return };
    if first.kind() != "command" {
        return;
    }
    let name = cmd_name(cx, *first);
    if name != "echo" && name != "printf" || is_mask_echo(cx, *first) {
        return;
    }
    let Some(secret) = args_secret(cx, *first) else {
        return;
    };
    let r = n.start_byte()..n.end_byte();
    for s in &stages[1..] {
        let (cmd, redirs) = match s.kind() {
            "redirected_statement" => (s.child_by_field_name("body"), Some(*s)),
            "command" => (Some(*s), None),
            _ => (None, None),
        };
        if let Some(c) = cmd
            && cmd_name(cx, c) == "tee"
        {
            let mut c2 = c.walk();
            for a in c.children_by_field_name("argument", &mut c2) {
                let t = cx.text(a);
                if !t.starts_with('-')
                    && let Some(k) = destination(t)
                {
                    out.push((r.clone(), k, secret.clone()));
                    return;
                }
            }
        }
        if let Some(rs) = redirs {
            let mut c3 = rs.walk();
            for x in rs.named_children(&mut c3) {
                if x.kind() == "file_redirect"
                    && !cx.text(x).trim_start().starts_with('<')
                    && let Some(d) = x.child_by_field_name("destination")
                    && let Some(k) = destination(cx.text(d))
                {
                    out.push((r.clone(), k, secret.clone()));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str, vars: &[&str]) -> Vec<LeakKind> {
        let sc = Script {
            text: s.to_string(),
            ..Default::default()
        };
        let vars: HashSet<String> = vars.iter().map(|v| v.to_string()).collect();
        analyze(&sc, &|e| super::super::expr_reads_secret(e), &vars)
            .into_iter()
            .map(|l| l.kind)
            .collect()
    }

    #[test]
    fn leaks() {
        assert_eq!(run("echo ${{ secrets.T }}\n", &[]), vec![LeakKind::Echoed]);
        assert_eq!(run("echo \"$TOKEN\"\n", &["TOKEN"]), vec![LeakKind::Echoed]);
        assert!(
            run(
                "echo \"$TOKEN\" | docker login --password-stdin\n",
                &["TOKEN"]
            )
            .is_empty()
        );
        assert!(run("echo \"::add-mask::$TOKEN\"\n", &["TOKEN"]).is_empty());
        assert!(run("echo \"T=$TOKEN\" >> \"$GITHUB_ENV\"\n", &["TOKEN"]).is_empty());
        assert_eq!(
            run("echo \"$TOKEN\" > key.txt\n", &["TOKEN"]),
            vec![LeakKind::File("file `key.txt`".into())]
        );
        assert_eq!(
            run("echo \"$K\" | base64 -d > key.json\n", &["K"]),
            vec![LeakKind::File("file `key.json`".into())]
        );
        assert_eq!(
            run(
                "curl -H \"Authorization: Bearer ${{ secrets.API }}\" https://x\n",
                &[]
            ),
            vec![LeakKind::CommandLine("curl".into())]
        );
        assert_eq!(
            run(
                "cat <<EOF > ~/.npmrc\n//r/:_authToken=${NPM}\nEOF\n",
                &["NPM"]
            ),
            vec![LeakKind::File("file `~/.npmrc`".into())]
        );
        assert_eq!(run("set -x\nmake deploy\n", &["X"]), Vec::<LeakKind>::new());
        assert_eq!(run("set -ex\n./d.sh \"$X\"\n", &["X"]).len(), 2);
        assert!(
            run(
                "if [ -z \"$X\" ]; then exit 1; fi\nexport Y=\"$X\"\n",
                &["X"]
            )
            .is_empty()
        );
        assert!(run("echo $OTHER\n", &["X"]).is_empty());
        // Values derived from a secret are secrets.
        assert_eq!(run("T=$S\necho $T\n", &["S"]), vec![LeakKind::Echoed]);
        assert_eq!(
            run(
                "K=$(echo $S | jq -r .private_key)\necho \"key: $K\"\n",
                &["S"]
            ),
            vec![LeakKind::Echoed]
        );
        assert_eq!(
            run("export A=\"x$S\"\nB=$A\ndocker login -p $B\n", &["S"]),
            vec![LeakKind::CommandLine("docker".into())]
        );
        assert!(run("T=$OTHER\necho $T\n", &["S"]).is_empty());
        assert!(run("cat <<EOF >> \"$GITHUB_ENV\"\nT=$X\nEOF\n", &["X"]).is_empty());
        assert_eq!(run("cat <<EOF\n$X\nEOF\n", &["X"]), vec![LeakKind::Echoed]);
        // A heredoc piped into a program goes to its stdin, not to the log.
        assert!(run("cat <<EOF | kubectl apply -f -\ntoken: $X\nEOF\n", &["X"]).is_empty());
        assert!(
            run(
                "cat <<-EOF | docker login -u u --password-stdin\n$X\nEOF\n",
                &["X"]
            )
            .is_empty()
        );
        assert_eq!(
            run("cat <<EOF | tee cfg.yml\ntoken: $X\nEOF\n", &["X"]),
            vec![LeakKind::File("file `cfg.yml`".into())]
        );
    }
}
