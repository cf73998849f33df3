//! Assignments of secret-named keys, read with the grammar of the file's kind, and the value
//! model that decides whether the assigned value is a secret.
//!
//! A detector with `assignment = true` (the catch-alls) does not run a regex over the hit's line:
//! at each keyword hit, [`read`] finds the identifier around the hit and what follows it in the
//! file's assignment grammar ([`Style`]): `name = "…"`, `name: …`, `"name": "…"`, `ENV NAME value`,
//! `export NAME=…`, `--name …`, `<name>…</name>`, `put("name", "…")`, `setName("…")`. In code an
//! unquoted value is an expression (an identifier, a call), never a literal; `,` is an assignment
//! only after a quoted key opening an argument list (`put("password", "…")`), never in import lists
//! or call arguments. [`judge`] then applies the value model: placeholders, references, examples,
//! sequential ids, identifiers, image references, paths and versions are not secrets; a
//! password-named key accepts any other value (spaces included when quoted), other secret names
//! need a value that looks random.

use crate::finding::Confidence;
use crate::source::{FileKind, SourceFile};
use std::ops::Range;

/// How assignments are written in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Programming languages: values must be quoted literals.
    Code,
    /// Terraform / HCL: values must be quoted literals.
    Hcl,
    Yaml,
    Json,
    /// `.env` files and shell scripts: `NAME=value`, `export NAME=value`, `--name value`.
    Shell,
    /// `.properties`, `.ini`, `.cfg`, `.conf`, `.toml`: `name = value` to the end of the line.
    Properties,
    /// Dockerfiles: `ENV NAME=value`, `ENV NAME value`, `ARG NAME=value`, shell in `RUN`.
    Dockerfile,
    /// XML and HTML: `password="…"` attributes, `<password>…</password>` elements.
    Xml,
    /// Documentation and unknown text.
    Doc,
}

const CODE_EXT: &[&str] = &[
    "rb", "php", "cs", "kt", "kts", "scala", "swift", "rs", "c", "h", "cc", "cpp", "hpp", "cxx",
    "m", "mm", "groovy", "gradle", "dart", "lua", "pl", "pm", "ex", "exs", "clj", "vue", "svelte",
    "r", "jl", "fs", "vb", "ps1", "psm1",
];

pub fn style_of(file: &SourceFile) -> Style {
    use FileKind::*;
    match file.kind {
        Python | JavaScript | TypeScript | Go | Java | CSharp | Ruby | Php | Kotlin => {
            return Style::Code;
        }
        Terraform | TfVars => return Style::Hcl,
        Json | TerraformJson | TerraformPlan | TerraformState => return Style::Json,
        Shell | Dotenv => return Style::Shell,
        Text => {}
        _ => return Style::Yaml,
    }
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("dockerfile_")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
    {
        return Style::Dockerfile;
    }
    if lower.ends_with("_history")
        || matches!(
            lower.as_str(),
            ".bashrc" | ".zshrc" | ".profile" | ".bash_profile" | "makefile" | "procfile"
        )
    {
        return Style::Shell;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "properties" | "ini" | "cfg" | "conf" | "toml" | "prop" | "npmrc" | "pypirc"
        | "gitconfig" | "cnf" => Style::Properties,
        "xml" | "config" | "csproj" | "plist" | "html" | "htm" | "xhtml" | "jsp" => Style::Xml,
        "yml" | "yaml" => Style::Yaml,
        "json" => Style::Json,
        "env" | "sh" | "bash" | "zsh" => Style::Shell,
        e if CODE_EXT.contains(&e) => Style::Code,
        _ => Style::Doc,
    }
}

/// A key and the value assigned to it (byte spans in the file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub name: Range<usize>,
    pub value: Range<usize>,
    pub quoted: bool,
    /// On a comment line (`# password: firstpass`): a commented-out example or setting.
    pub commented: bool,
}

fn ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn line_start(b: &[u8], i: usize) -> usize {
    let lo = i.saturating_sub(4096);
    memchr::memrchr(b'\n', &b[lo..i])
        .map(|p| lo + p + 1)
        .unwrap_or(lo)
}

/// The identifier around a keyword hit `[start, end)`.
pub fn key_span(b: &[u8], start: usize, end: usize) -> Range<usize> {
    // A keyword may end with the operator (`_key=`): the identifier ends before it.
    let mut end = end;
    while end > start && !ident(b[end - 1]) {
        end -= 1;
    }
    let mut ks = start;
    let floor = start.saturating_sub(64);
    while ks > floor && ident(b[ks - 1]) {
        ks -= 1;
    }
    let mut ke = end;
    let ceil = (end + 64).min(b.len());
    while ke < ceil && ident(b[ke]) {
        ke += 1;
    }
    while ke > ks && matches!(b[ke - 1], b'.' | b'-') {
        ke -= 1;
    }
    while ks < ke && matches!(b[ks], b'.' | b'-') {
        ks += 1;
    }
    ks..ke
}

/// The assignment whose key contains the keyword hit `[start, end)`, if the file's grammar makes
/// one of it.
pub fn read(b: &[u8], start: usize, end: usize, style: Style) -> Option<Assign> {
    let Range { start: ks, end: ke } = key_span(b, start, end);
    if ke <= ks {
        return None;
    }
    direct(b, ks, ke, style)
        .or_else(|| sibling_value(b, ks, ke, style))
        .or_else(|| injected_value(b, ks, ke, style))
}

/// Spring's `@Value("…") String dbPassword`: the annotation injects its literal into the
/// parameter or field named after it (a `${…}` property reference is judged a placeholder).
fn injected_value(b: &[u8], ks: usize, ke: usize, style: Style) -> Option<Assign> {
    if style != Style::Code || ks == 0 || !blank(b[ks - 1]) {
        return None;
    }
    let mut i = ks;
    while i > 0 && blank(b[i - 1]) {
        i -= 1;
    }
    // The declared type: `String`, `char[]`, `final String`.
    let type_end = i;
    while i > 0
        && (b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'_' | b'[' | b']' | b'.'))
    {
        i -= 1;
    }
    if i == type_end || !b[i].is_ascii_alphabetic() {
        return None;
    }
    while i > 0 && blank(b[i - 1]) {
        i -= 1;
    }
    if i == 0 || b[i - 1] != b')' {
        return None;
    }
    let close = i - 1;
    if close == 0 || b[close - 1] != b'"' {
        return None;
    }
    let ve = close - 1;
    let lo = ve.saturating_sub(512);
    let q = memchr::memrchr(b'"', &b[lo..ve]).map(|p| lo + p)?;
    if !b[..q].ends_with(b"@Value(") {
        return None;
    }
    let value = q + 1..ve;
    if value.is_empty() || b[value.clone()].contains(&b'\n') {
        return None;
    }
    Some(Assign {
        name: ks..ke,
        value,
        quoted: true,
        commented: false,
    })
}

/// `key <operator> value` in the file's grammar.
fn direct(b: &[u8], ks: usize, ke: usize, style: Style) -> Option<Assign> {
    // `$PASSWORD`, `${PASSWORD}`, `%PASSWORD%`: a reference, not an assignment.
    let sigil = |c: u8| matches!(c, b'%' | b'$');
    if ks > 0 && (sigil(b[ks - 1]) || b[ks - 1] == b'{' && ks > 1 && sigil(b[ks - 2])) {
        return None;
    }
    if !operator_follows(b, ks, ke, style) {
        return None;
    }
    let name = ks..ke;
    let ls = line_start(b, ks);
    let before = &b[ls..ks];
    let lead = before
        .iter()
        .position(|c| !blank(*c))
        .map_or(&before[before.len()..], |p| &before[p..]);
    let commented = lead.starts_with(b"#") || lead.starts_with(b"//");
    // In code, a key inside a string literal (`"Password:" + x`) is text, not an assignment.
    if matches!(style, Style::Code | Style::Hcl) && !quoted_key_at(b, ks, ke) {
        // memchr (SIMD): `before` is up to 4 KiB on minified lines, once per keyword hit.
        let dq = memchr::memchr_iter(b'"', before).count();
        let bq = memchr::memchr_iter(b'`', before).count();
        if dq % 2 == 1 || bq % 2 == 1 {
            return None;
        }
    }
    // `?token=…&auth=…`: a URL query parameter, not an assignment (the URL detectors read those).
    if ks > 0 && matches!(b[ks - 1], b'?' | b'&') {
        return None;
    }
    // Documentation: only assignment-looking lines, not prose (`the generated password: …`).
    if style == Style::Doc {
        let t = String::from_utf8_lossy(before);
        let t = t.trim_end();
        let ok = t.is_empty()
            || t.ends_with([
                '`', '"', '\'', '-', '*', '>', '$', '(', '{', ',', ';', '|', '[',
            ])
            || t.ends_with("export")
            || t.ends_with("set")
            || t.ends_with("ENV")
            || t.ends_with("ARG");
        if !ok {
            return None;
        }
    }
    let mut i = ke;
    // A quoted key: `"password": …`, `'password' => …`, `put("password", …)`.
    let open = ks.checked_sub(1).map(|p| b[p]);
    let quoted_key = matches!(open, Some(b'"' | b'\'')) && b.get(ke) == open.as_ref();
    if quoted_key {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1;
    }
    // Dockerfile `ENV NAME value` / `ARG NAME=value`.
    let docker_kw = style == Style::Dockerfile && {
        let t = String::from_utf8_lossy(before).trim().to_ascii_uppercase();
        t == "ENV" || t == "ARG"
    };
    let dashes = !quoted_key && (before.ends_with(b"--") || before.ends_with(b" -"));
    // XML element: `<password>value</password>`.
    if style == Style::Xml && before.ends_with(b"<") && b.get(i) == Some(&b'>') {
        let vs = i + 1;
        let rel = memchr::memchr(b'<', &b[vs..(vs + 256).min(b.len())])?;
        let v = trim_span(b, vs, vs + rel);
        return (!v.is_empty() && !b[v.clone()].contains(&b'\n')).then_some(Assign {
            name,
            value: v,
            quoted: false,
            commented,
        });
    }
    let after_name = i;
    while i < b.len() && blank(b[i]) {
        i += 1;
    }
    let op = *b.get(i)?;
    let next = b.get(i + 1).copied().unwrap_or(b'\n');
    let code_like = matches!(style, Style::Code | Style::Hcl);
    let mut setter = false;
    let mut pair = false;
    let mut legacy_env = false;
    match op {
        b'=' => {
            if next == b'=' || (next == b'>' && !code_like) || next == b'~' {
                return None;
            }
            if style == Style::Json {
                return None;
            }
            // `NAME = value` is a command with arguments in a shell.
            if style == Style::Shell && i != after_name && !quoted_key {
                return None;
            }
            i += if next == b'>' { 2 } else { 1 };
        }
        b'!' | b'<' | b'>' => return None,
        b':' => {
            if next == b':' {
                return None;
            }
            if next == b'=' {
                i += 2;
            } else {
                // `pattern: "pass: custom_pass"`: a mapping written inside a quoted scalar is
                // text (an env-style `"DB_PASSWORD=…"` list item still assigns).
                if style == Style::Yaml
                    && !quoted_key
                    && (memchr::memchr_iter(b'"', before).count() % 2 == 1
                        || memchr::memchr_iter(b'\'', before).count() % 2 == 1)
                {
                    return None;
                }
                match style {
                    Style::Shell | Style::Dockerfile | Style::Xml if !quoted_key => return None,
                    Style::Yaml | Style::Doc
                        if !(blank(next) || next == b'\n' || next == b'\r') =>
                    {
                        return None;
                    }
                    _ => {}
                }
                i += 1;
                // Python/Kotlin/TypeScript annotation: `password: str = "…"`.
                if code_like {
                    let mut j = i;
                    while j < b.len() && blank(b[j]) {
                        j += 1;
                    }
                    let t0 = j;
                    while j < b.len()
                        && (b[j].is_ascii_alphanumeric()
                            || matches!(b[j], b'_' | b'.' | b'[' | b']' | b'?' | b'<' | b'>'))
                    {
                        j += 1;
                    }
                    if j > t0 && b[t0].is_ascii_alphabetic() {
                        while j < b.len() && blank(b[j]) {
                            j += 1;
                        }
                        if b.get(j) == Some(&b'=') && b.get(j + 1) != Some(&b'=') {
                            i = j + 1;
                        }
                    }
                }
            }
        }
        b',' => {
            // `put("password", "…")`, `("password", "…")`, `{"password", "…"}`.
            let pre = before.iter().rev().skip(1).find(|c| !blank(**c));
            if !(quoted_key && code_like && matches!(pre, Some(b'(' | b'[' | b'{'))) {
                return None;
            }
            pair = true;
            i += 1;
        }
        b'(' if code_like && i == after_name => {
            // Setters and builders: `setPassword("…")`, `set_token('…')`, `.password("…")`.
            let n = &b[ks..ke];
            let last = n.rsplit(|c| *c == b'.').next().unwrap_or(n);
            let last = String::from_utf8_lossy(last);
            let l = last.to_ascii_lowercase();
            // `.password("…")` is a builder; `passwordutil.HashPassword("…")` hashes a value.
            let builder = n.contains(&b'.') && word_slices(&last).count() == 1;
            if !(l.starts_with("set") || l.starts_with("with") || builder) {
                return None;
            }
            setter = true;
            i += 1;
        }
        _ if docker_kw && i > after_name => legacy_env = true,
        _ if dashes && i > after_name => {}
        _ => return None,
    }
    while i < b.len() && blank(b[i]) {
        i += 1;
    }
    let (value, quoted) = read_value(b, i, style, legacy_env)?;
    if setter {
        let mut j = value.end + 1;
        while j < b.len() && blank(b[j]) {
            j += 1;
        }
        if !quoted || b.get(j) != Some(&b')') {
            return None;
        }
    }
    // Code style: a keyword argument or a table entry holds an expression unless quoted (read
    // above); documentation is prose around code, so `f(a, password=VAULT_TOKEN)` in a template
    // or a tutorial is a call whose argument is an identifier.
    // YAML too holds such code in templates (`user_data.tpl`): a `=` inside an open parenthesis.
    let in_call = || {
        let opens = memchr::memchr_iter(b'(', before).count();
        opens > memchr::memchr_iter(b')', before).count()
    };
    if !quoted
        && op == b'='
        && (style == Style::Doc
            && matches!(before.iter().rev().find(|c| !blank(**c)), Some(b'(' | b','))
            || style == Style::Yaml && in_call())
    {
        return None;
    }
    if pair {
        // `put("password", "…")`: the pair is the whole argument list; a third argument
        // (`MovedAttribute("HTTPPasswordMgr", "urllib2", "urllib.request")`) is another call.
        let mut j = value.end + 1;
        while j < b.len() && blank(b[j]) {
            j += 1;
        }
        if !quoted || !matches!(b.get(j), Some(b')' | b']' | b'}')) {
            return None;
        }
    }
    Some(Assign {
        name,
        value,
        quoted,
        commented,
    })
}

/// A key written as the value of a `name`/`key` field whose sibling field holds its value:
/// `- name: DB_PASSWORD` then `value: …` on a following line at the same indentation (Kubernetes
/// and compose env lists, CodeBuild `environment_variable` blocks), or on the same line in a flow
/// mapping or JSON object (`{"name": "DB_PASSWORD", "value": "…"}`, ECS task definitions).
fn sibling_value(b: &[u8], ks: usize, ke: usize, style: Style) -> Option<Assign> {
    if !matches!(style, Style::Yaml | Style::Json | Style::Hcl) {
        return None;
    }
    // The key stands alone as the field's value (quoted or not), up to the end of the field.
    let quote = ks
        .checked_sub(1)
        .map(|p| b[p])
        .filter(|q| matches!(q, b'"' | b'\''));
    let (vs, ve) = match quote {
        Some(q) if b.get(ke) == Some(&q) => (ks - 1, ke + 1),
        Some(_) => return None,
        None => (ks, ke),
    };
    // Cheap test first (most keyword hits): an operator just before the key.
    let mut p = vs;
    while p > 0 && blank(b[p - 1]) {
        p -= 1;
    }
    if p == 0 || !matches!(b[p - 1], b':' | b'=') {
        return None;
    }
    let ls = line_start(b, ks);
    let before = &b[ls..vs];
    let mut t = before.len();
    while t > 0 && blank(before[t - 1]) {
        t -= 1;
    }
    if t == 0 || !matches!(before[t - 1], b':' | b'=') {
        return None;
    }
    t -= 1;
    while t > 0 && blank(before[t - 1]) {
        t -= 1;
    }
    let mut field_end = t;
    if t > 0 && matches!(before[t - 1], b'"' | b'\'') {
        field_end -= 1;
    }
    let mut fs = field_end;
    while fs > 0 && before[fs - 1].is_ascii_alphabetic() {
        fs -= 1;
    }
    let field = &before[fs..field_end];
    if !(field.eq_ignore_ascii_case(b"name") || field.eq_ignore_ascii_case(b"key")) {
        return None;
    }
    if fs > 0 && matches!(before[fs - 1], b'"' | b'\'') {
        fs -= 1;
    }
    // The column of the field: where a block sibling starts (after `- ` of a list item).
    let column = fs;
    let is_value_field = |at: usize| -> Option<usize> {
        let mut i = at;
        let q = matches!(b.get(i), Some(b'"' | b'\''));
        if q {
            i += 1;
        }
        let w = b.get(i..i + 5)?;
        if !w.eq_ignore_ascii_case(b"value") {
            return None;
        }
        i += 5;
        if q {
            if !matches!(b.get(i), Some(b'"' | b'\'')) {
                return None;
            }
            i += 1;
        }
        while i < b.len() && blank(b[i]) {
            i += 1;
        }
        if !matches!(b.get(i), Some(b':' | b'=')) {
            return None;
        }
        i += 1;
        while i < b.len() && blank(b[i]) {
            i += 1;
        }
        Some(i)
    };
    let found = |at: usize| -> Option<Assign> {
        let i = is_value_field(at)?;
        let (mut value, quoted) = read_value(b, i, style, false)?;
        // A flow mapping ends the plain scalar: `{name: X, value: y}`.
        if !quoted
            && let Some(p) = b[value.clone()]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']'))
        {
            value = trim_span(b, value.start, value.start + p);
        }
        if value.is_empty() {
            return None;
        }
        Some(Assign {
            name: ks..ke,
            value,
            quoted,
            commented: false,
        })
    };
    // Same line: `{name: DB_PASSWORD, value: x}`, `{"name": "X", "value": "y"}`.
    let eol = memchr::memchr(b'\n', &b[ve..]).map_or(b.len(), |p| ve + p);
    let mut i = ve;
    while i < eol && blank(b[i]) {
        i += 1;
    }
    if b.get(i) == Some(&b',') {
        i += 1;
        while i < eol && blank(b[i]) {
            i += 1;
        }
        if i < eol && b[i] != b'\r' {
            return found(i);
        }
    }
    if i < eol && !matches!(b[i], b'#' | b'\r') {
        return None;
    }
    // Following lines (at most 3) at the field's column.
    let mut line = eol + 1;
    for _ in 0..3 {
        if line >= b.len() {
            return None;
        }
        let next_eol = memchr::memchr(b'\n', &b[line..]).map_or(b.len(), |p| line + p);
        let mut c = line;
        while c < next_eol && blank(b[c]) {
            c += 1;
        }
        if c - line != column {
            return None;
        }
        if let Some(a) = found(c) {
            return Some(a);
        }
        line = next_eol + 1;
    }
    None
}

/// Is the documentation text at `at` a sample the document itself marks as one: its line holds
/// a `<placeholder>` (`--db-instance-identifier <DbName> --master-user-password x`); it sits in
/// a fenced block (```` ``` ````) holding a placeholder (`<secret-name>`, `[API-ID]` in a URL)
/// or an RFC 2606 example domain (`https://auth.example.com`); or, outside blocks, its paragraph
/// says `example` ("For our example, the following values are used:")?
pub fn template_snippet(b: &[u8], at: usize) -> bool {
    let line_of = |i: usize| {
        let s = memchr::memrchr(b'\n', &b[..i]).map_or(0, |p| p + 1);
        let e = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |p| i + p);
        (s, e)
    };
    let (ls, le) = line_of(at);
    if has_placeholder(&b[ls..le], false) {
        return true;
    }
    let fence = |l: &[u8]| {
        let t = l
            .iter()
            .position(|c| !blank(*c))
            .map_or(&l[l.len()..], |p| &l[p..]);
        t.starts_with(b"```") || t.starts_with(b"~~~")
    };
    // Fences from the top of the file: the last one before `at` opens a block when it is odd.
    let (mut open, mut count, mut i) = (0, 0, 0);
    while i < ls {
        let e = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |q| i + q);
        if fence(&b[i..e]) {
            count += 1;
            open = e;
        }
        i = e + 1;
    }
    if count % 2 == 0 {
        // Outside blocks: the paragraph up to the value's line (at most 8 lines back).
        let mut s = ls;
        for _ in 0..8 {
            if s == 0 {
                break;
            }
            let (ps, pe) = line_of(s - 1);
            if b[ps..pe].iter().all(|c| c.is_ascii_whitespace()) || fence(&b[ps..pe]) {
                break;
            }
            s = ps;
        }
        // The word in prose ("for example", "our example"), not a domain (`auth.example.com`).
        let para = String::from_utf8_lossy(&b[s..le]).to_ascii_lowercase();
        let p = para.as_bytes();
        return para.match_indices("example").any(|(k, w)| {
            let before = k.checked_sub(1).map(|x| p[x]);
            let after = p.get(k + w.len()).copied();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'@' | b'/'))
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.')
        });
    }
    let mut end = b.len();
    let mut i = le + 1;
    while i < b.len() {
        let e = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |q| i + q);
        if fence(&b[i..e]) {
            end = i;
            break;
        }
        i = e + 1;
    }
    let block = &b[open..end.max(open)];
    has_placeholder(block, true)
        || [
            ".example.com",
            ".example.org",
            ".example.net",
            "//example.com",
            "@example.com",
        ]
        .iter()
        .any(|d| memchr::memmem::find(block, d.as_bytes()).is_some())
}

/// A `<placeholder>` in `text`: a name with a separator or a capital (`<secret-name>`,
/// `<DbName>`, `<your token>`; HTML tags are lower-case words); in a code block also a bracketed
/// one in a URL path (`/[stageName]/`).
fn has_placeholder(text: &[u8], brackets: bool) -> bool {
    let mut i = 0;
    while let Some(o) = memchr::memchr2(b'<', b'[', &text[i..]) {
        let at = i + o;
        let close = if text[at] == b'<' { b'>' } else { b']' };
        let s = at + 1;
        i = s;
        if close == b']' && !(brackets && at > 0 && matches!(text[at - 1], b'/' | b'.')) {
            continue;
        }
        let mut j = s;
        let (mut marks, mut upper) = (0, false);
        while j < text.len()
            && (text[j].is_ascii_alphanumeric() || matches!(text[j], b'-' | b'_' | b' '))
        {
            marks += usize::from(matches!(text[j], b'-' | b'_' | b' '));
            upper |= text[j].is_ascii_uppercase();
            j += 1;
        }
        if j > s
            && text[s].is_ascii_alphabetic()
            && text.get(j) == Some(&close)
            && (marks > 0 || upper)
        {
            return true;
        }
    }
    false
}

/// Cheap necessary condition for [`read`], checked before it looks back over the line: the key
/// is followed (after a closing quote or `]` and blanks) by an assignment operator of some
/// grammar, or the key may start an argument-style assignment (Dockerfile `ENV K v`, `--key v`).
/// Most keyword hits (`token_count||3`, `password_policy)`) stop here.
fn operator_follows(b: &[u8], ks: usize, ke: usize, style: Style) -> bool {
    let mut i = ke;
    if quoted_key_at(b, ks, ke) {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1;
    }
    if style == Style::Xml && b.get(i) == Some(&b'>') {
        return true;
    }
    while i < b.len() && blank(b[i]) {
        i += 1;
    }
    match b.get(i) {
        Some(b'=' | b':' | b',' | b'(') => true,
        Some(_) if style == Style::Dockerfile => true,
        Some(_) => ks >= 2 && (b[ks - 1] == b'-' && matches!(b[ks - 2], b'-' | b' ')),
        None => false,
    }
}

fn quoted_key_at(b: &[u8], ks: usize, ke: usize) -> bool {
    let open = ks.checked_sub(1).map(|p| b[p]);
    matches!(open, Some(b'"' | b'\'' | b'`')) && b.get(ke) == open.as_ref()
}

fn trim_span(b: &[u8], mut s: usize, mut e: usize) -> Range<usize> {
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    s..e
}

/// The value starting at `i`: a quoted literal (on one line) or, where the grammar has them, an
/// unquoted scalar.
fn read_value(
    b: &[u8],
    mut i: usize,
    style: Style,
    rest_of_line: bool,
) -> Option<(Range<usize>, bool)> {
    let code_like = matches!(style, Style::Code | Style::Hcl);
    // String prefixes: r"…", b'…', u"…", @"…" (C#); f"…" / $"…" with `{` are expressions.
    let mut fstring = false;
    if code_like && i + 1 < b.len() && matches!(b[i + 1], b'"' | b'\'') {
        match b[i] {
            b'r' | b'b' | b'u' | b'R' | b'B' | b'U' | b'@' => i += 1,
            b'f' | b'F' | b'$' => {
                fstring = true;
                i += 1;
            }
            _ => {}
        }
    }
    let q = *b.get(i)?;
    if matches!(q, b'"' | b'\'' | b'`') {
        if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
            return None; // triple-quoted block
        }
        let vs = i + 1;
        let lim = (vs + 512).min(b.len());
        let mut j = vs;
        while j < lim && b[j] != q && b[j] != b'\n' {
            if b[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        if j >= lim || b[j] != q {
            return None;
        }
        let inner = &b[vs..j];
        if (fstring || q == b'`') && inner.contains(&b'{') {
            return None;
        }
        if code_like {
            // `"Bearer " + token`, `"%s" % x`: a part of an expression.
            let mut k = j + 1;
            while k < b.len() && blank(b[k]) {
                k += 1;
            }
            if matches!(b.get(k), Some(b'+' | b'%')) {
                return None;
            }
        }
        return Some((vs..j, true));
    }
    if code_like || style == Style::Json {
        return None; // an identifier, a call, a number: not a literal
    }
    let lim = (i + 512).min(b.len());
    let mut j = i;
    let to_eol = rest_of_line || matches!(style, Style::Properties | Style::Yaml);
    while j < lim && b[j] != b'\n' && b[j] != b'\r' {
        let c = b[j];
        if to_eol {
            if c == b'#' && j > i && blank(b[j - 1]) && style != Style::Properties {
                break;
            }
        } else if c.is_ascii_whitespace()
            || matches!(c, b';' | b'|' | b'&' | b'<' | b'>' | b')' | b'`')
            || (matches!(c, b',' | b']' | b'}' | b'"' | b'\'') && style != Style::Shell)
        {
            break;
        }
        j += 1;
    }
    if j >= lim && lim < b.len() {
        return None;
    }
    let v = trim_span(b, i, j);
    if v.is_empty() {
        return None;
    }
    // Prose and markup hold code: `user_dict["password"]`, `PasswordField('Password', …)`,
    // `document.getElementById('password').value` are expressions (the value stops at a quote).
    if matches!(style, Style::Doc | Style::Xml)
        && b[v.clone()]
            .windows(2)
            .any(|w| (w[0].is_ascii_alphanumeric() || w[0] == b'_') && matches!(w[1], b'(' | b'['))
    {
        return None;
    }
    // An unquoted value in prose or a config line that calls or indexes: an expression.
    if matches!(style, Style::Doc | Style::Yaml | Style::Properties)
        && b[v.clone()].iter().any(|c| matches!(c, b'(' | b'['))
        && b[v.clone()].ends_with(b")")
    {
        return None;
    }
    // YAML block scalars, flow collections, anchors and tags are not plain scalars.
    if style == Style::Yaml && matches!(b[v.start], b'|' | b'>' | b'[' | b'{' | b'&' | b'*' | b'!')
    {
        return None;
    }
    Some((v, false))
}

/// What kind of secret a key name announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameClass {
    /// password, passwd, passphrase, pwd, `pass` as a word: any chosen value.
    Password,
    /// secret, token, api key, private/signing/encryption key…: a random-looking value.
    Secret,
}

const KEY_WORDS: &[&str] = &[
    "signingkey",
    "encryptionkey",
    "encryptkey",
    "decryptkey",
    "cryptkey",
    "cipherkey",
    "ctfkey",
    "hmackey",
    "aeskey",
    "jwtkey",
    "masterkey",
    "sessionkey",
    "sharedkey",
    "licensekey",
    "appkey",
    "secretkey",
    "consumerkey",
    "passkey",
    "apikey",
    "accesskey",
    "privatekey",
    "authkey",
    "clientkey",
];

/// Words of an identifier: split on `_`, `-`, `.`, and lower→upper case changes.
pub fn words(name: &str) -> Vec<String> {
    word_slices(name).map(str::to_ascii_lowercase).collect()
}

/// The words of [`words`] as slices of `name` (original case), without allocating.
pub fn word_slices(name: &str) -> impl Iterator<Item = &str> {
    let b = name.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let s = i;
        let mut prev_lower = false;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            if b[i].is_ascii_uppercase() && prev_lower {
                break;
            }
            prev_lower = b[i].is_ascii_lowercase() || b[i].is_ascii_digit();
            i += 1;
        }
        Some(&name[s..i])
    })
}

/// `norm(s)` (letters and digits, lower case) into a stack buffer; `None` when longer than it.
fn norm_bytes<'a>(s: &str, buf: &'a mut [u8; 256]) -> Option<&'a [u8]> {
    let mut n = 0;
    for c in s.bytes().filter(u8::is_ascii_alphanumeric) {
        *buf.get_mut(n)? = c.to_ascii_lowercase();
        n += 1;
    }
    Some(&buf[..n])
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The class of a key name. `loose` (files that hold only settings, such as `.env`) also takes
/// names whose last word is `key` or `auth` (`STRIPE_KEY`).
pub fn name_class(name: &str, loose: bool) -> Option<NameClass> {
    let last = name.rsplit('.').next().unwrap_or(name);
    let mut buf = [0u8; 256];
    let owned;
    let n: &[u8] = match norm_bytes(last, &mut buf) {
        Some(n) => n,
        None => {
            owned = norm(last);
            owned.as_bytes()
        }
    };
    if n == b"pwd" || n == b"oldpwd" {
        return None; // the shell's working directory
    }
    let has = |w: &str| memchr::memmem::find(n, w.as_bytes()).is_some();
    let ends_pwd =
        |w: &str| w.len() >= 3 && w.as_bytes()[w.len() - 3..].eq_ignore_ascii_case(b"pwd");
    if ["password", "passwd", "passphrase", "passwort"]
        .iter()
        .any(|w| has(w))
        || word_slices(last).any(|w| w.eq_ignore_ascii_case("pass") || ends_pwd(w))
    {
        return Some(NameClass::Password);
    }
    if ["secret", "token", "credential"].iter().any(|w| has(w))
        || KEY_WORDS.iter().any(|w| has(w))
        || loose
            && word_slices(last)
                .last()
                .is_some_and(|w| w.eq_ignore_ascii_case("key") || w.eq_ignore_ascii_case("auth"))
    {
        return Some(NameClass::Secret);
    }
    None
}

/// Self-describing placeholders and documentation values (on top of [`super::is_placeholder`]).
const PLACEHOLDER_PARTS: &[&str] = &[
    "if_you_see",
    "ifyousee",
    "please",
    "actual_answer",
    "not_set",
    "notset",
    "not-set",
    "todo",
    "fixme",
    "tbd",
    "replace",
    "overrid",
    "provide",
    "fill_in",
    "fill-in",
    "fillme",
    "set_me",
    "setme",
    "set-me",
    "_here",
    "-here",
    "goes_here",
    "secret_value",
    "secretvalue",
    "some_secret",
    "some_",
    "some-",
    "somesecret",
    "mysecret",
    "my_secret",
    "my-secret",
    "mypassword",
    "my_password",
    "my-password",
    "secret-value",
    "password-value",
    "token-value",
    "fake",
    "mock",
    "lorem",
    "foobar",
    "hello world",
    "hello, world",
    "helloworld",
    "aabbccdd",
    "abcdefgh",
    "1a2b3c4d",
    "a1b2c3d4",
    "xxx",
    "***",
    "...",
    "…",
];

/// Exact values that are test fixtures or defaults, not chosen secrets.
pub const TEST_VALUES: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "passw0rd",
    "secret",
    "token",
    "test",
    "testing",
    "tester",
    "test123",
    "foo",
    "bar",
    "baz",
    "qux",
    "foobar",
    "dummy",
    "fake",
    "mock",
    "admin",
    "root",
    "user",
    "guest",
    "none",
    "null",
    "nil",
    "empty",
    "string",
    "value",
    "abc",
    "abc123",
    "changeit",
    "default",
    "hidden",
    "masked",
    "unset",
    "undefined",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "required",
    "optional",
    "random",
    "generated",
    "auto",
    "private",
    "public",
    "secretkey",
    "apikey",
    "s3cr3t",
    "p4ssw0rd",
    "example",
    "demo",
];

fn has_any(l: &str, parts: &[&str]) -> bool {
    parts.iter().any(|p| l.contains(p))
}

/// `n` digits counting up somewhere in `v` (`key-1234567890-x`).
fn counting_run(v: &str, n: usize) -> bool {
    let b = v.as_bytes();
    let mut run = 1;
    for w in b.windows(2) {
        if w[0].is_ascii_digit() && w[1].is_ascii_digit() && w[1] == w[0] + 1 {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// `123456`, `abcdef`, `12345678-1234-1234-1234-123456789012`: counting up (or down).
pub fn sequential(v: &str) -> bool {
    let b: Vec<u8> = v
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if b.len() < 6 {
        return false;
    }
    let steps = b
        .windows(2)
        .filter(|w| (w[1] as i16 - w[0] as i16).abs() == 1)
        .count();
    steps * 10 >= (b.len() - 1) * 7
}

/// `ghcr.io/external-secrets/external-secrets:v0.9.11`, `jeroenwillemsen/wrongsecrets:1.13.5`,
/// `repo/image@sha256:…`: a container image reference.
pub fn image_ref(v: &str) -> bool {
    if !v.contains('/') || v.contains(' ') || v.contains("://") {
        return false;
    }
    let (repo, tag) = match v.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => match v.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r, Some(t)),
            _ => (v, None),
        },
    };
    let repo_ok = repo.split('/').all(|p| {
        !p.is_empty()
            && p.bytes().all(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_digit()
                    || matches!(c, b'.' | b'-' | b'_' | b':')
            })
    });
    let tag_ok = tag.is_none_or(|t| {
        t.starts_with("sha256:")
            || t.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
                && t.bytes().any(|c| c.is_ascii_digit())
            || matches!(
                t,
                "latest" | "stable" | "main" | "master" | "edge" | "nightly"
            )
    });
    repo_ok && tag_ok && (tag.is_some() || repo.split('/').count() >= 2)
}

/// `settings.api_token`, `config.Secret`, `process.env.X`: a dotted identifier path.
fn ident_path(v: &str) -> bool {
    v.split('.').count() > 1
        && v.split('.').all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !p.as_bytes()[0].is_ascii_digit()
        })
}

fn has_vowel(w: &str) -> bool {
    w.bytes()
        .any(|c| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
}

/// Only words (`mySecretValue`, `db_password_secret`, `vault-token`, `argocd-secret-v2`,
/// `ThisEnvironmentIsAnotherPlaceToHide`): an identifier or resource name, not random material.
/// Every `_`/`-`/`.` part is camel-case words with vowels (acronyms of 2-5 capitals allowed) and
/// an optional short trailing number, or a short tag such as `v2`, `k8s`, `ec2`.
pub fn wordy(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 120
        && v.split(['_', '-', '.'])
            .all(|p| p.is_empty() || wordy_part(p))
        && v.bytes().any(|c| c.is_ascii_alphabetic())
}

fn wordy_part(p: &str) -> bool {
    let b = p.as_bytes();
    // `v2`, `k8s`, `ec2`, `ipv6`
    let letters_a = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    let digits = b[letters_a..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let rest = b.len() - letters_a - digits;
    if (1..=4).contains(&letters_a) && (1..=2).contains(&digits) && rest <= 2 {
        return b[letters_a + digits..]
            .iter()
            .all(|c| c.is_ascii_lowercase());
    }
    if p.len() <= 4 && p.bytes().all(|c| c.is_ascii_lowercase()) {
        return true; // `db`, `pg`, `tls`, `cfg`
    }
    let body = p.trim_end_matches(|c: char| c.is_ascii_digit());
    if p.len() - body.len() > 4 || body.is_empty() {
        return body.is_empty() && p.len() <= 4;
    }
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let s = i;
        if b[i].is_ascii_uppercase() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_uppercase() {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_lowercase() && j - i > 1 {
                j -= 1; // `HTTPServer`: the acronym ends before `Server`
            }
            if j - i >= 2 || j == b.len() {
                if j - i > 5 && !has_vowel(&body[i..j].to_ascii_lowercase()) {
                    return false;
                }
                i = j;
                continue;
            }
            i = j;
        }
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        if i == s || i < b.len() && !b[i].is_ascii_uppercase() {
            return false;
        }
        let w = body[s..i].to_ascii_lowercase();
        if w.len() < 2 || !has_vowel(&w) {
            return false;
        }
    }
    true
}

/// `ACTUAL_ANSWER_CHALLENGE7`, `DB_PASSWORD`: an upper-case constant or environment variable.
fn upper_snake(v: &str) -> bool {
    v.contains('_')
        && v.as_bytes()[0].is_ascii_uppercase()
        && v.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
}

/// A reference to something else: variables, templates, lookups, file paths, URLs.
fn reference(l: &str) -> bool {
    if has_any(
        l,
        &[
            "{{",
            "${",
            "$(",
            "#{",
            "%(",
            "<%",
            "{%",
            "os.environ",
            "getenv",
            "process.env",
            "env(",
            "secrets.",
            "vars.",
            "://",
            "arn:aws",
            "vault:",
        ],
    ) {
        return true;
    }
    if l.starts_with('$')
        || l.starts_with("your")
        || l.starts_with('%') && l.ends_with('%')
        || l.starts_with('@') && l.ends_with('@')
        || l.starts_with('/')
        || l.starts_with("./")
        || l.starts_with("../")
        || l.starts_with("~/")
        || l.starts_with("file:")
        || l.starts_with("classpath:")
        || (l.len() > 2 && l.as_bytes()[1] == b':' && l.as_bytes()[2] == b'\\')
    {
        return true;
    }
    const EXT: &[&str] = &[
        ".pem",
        ".key",
        ".crt",
        ".cer",
        ".p12",
        ".pfx",
        ".jks",
        ".json",
        ".txt",
        ".yaml",
        ".yml",
        ".env",
        ".kdbx",
        ".gpg",
        ".asc",
        ".pub",
        ".xml",
        ".conf",
        ".cfg",
        ".ini",
        ".sh",
        ".py",
        ".js",
        ".html",
        ".md",
        ".mdc",
        ".keystore",
        ".der",
        ".csv",
    ];
    EXT.iter().any(|e| l.ends_with(e))
}

fn version(v: &str) -> bool {
    // Jenkins plugin versions: `267.vcdaea6462991` (build number, `v`, commit id).
    if let Some((build, rest)) = v.split_once(".v")
        && !build.is_empty()
        && build.bytes().all(|c| c.is_ascii_digit())
        && rest.len() >= 6
        && rest
            .bytes()
            .all(|c| c.is_ascii_hexdigit() || c == b'_' || c == b'.')
    {
        return true;
    }
    let t = v.trim_start_matches(['v', 'V', '^', '~', '=', '>', '<', ' ']);
    t.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+'))
        && t.matches('.').count() >= 1
        && t.split(['-', '+']).next().is_some_and(|core| {
            core.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        })
}

fn classes(v: &str) -> usize {
    let mut c = [false; 4];
    for b in v.bytes() {
        if b.is_ascii_lowercase() {
            c[0] = true;
        } else if b.is_ascii_uppercase() {
            c[1] = true;
        } else if b.is_ascii_digit() {
            c[2] = true;
        } else {
            c[3] = true;
        }
    }
    c.iter().filter(|x| **x).count()
}

/// A test fixture or placeholder whatever the key: `test-secret`, `my-secret`, `changeme`,
/// `foo:bar`, sequential ids (used for literals passed as keys, where no name is known).
pub fn fixture_value(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    let nv = norm(v);
    super::is_placeholder(v)
        || named_placeholder(v)
        || has_any(&l, PLACEHOLDER_PARTS)
        || TEST_VALUES.contains(&l.as_str())
        || sequential(v)
        || words(v)
            .iter()
            .all(|w| TEST_VALUES.contains(&w.as_str()) || w == "hello" || w == "world" || w == "my")
        || wordy(v)
            && [
                "test", "dummy", "example", "sample", "demo", "fake", "mock", "invalid", "wrong",
            ]
            .iter()
            .any(|w| nv.contains(w))
}

/// A value that names what it stands for (`another_pw`, `secret_pw`, `admin-password`):
/// two or three lowercase words joined by `_` or `-`, the last a password word (a phrase such
/// as `key_to_decrypt_the_secret` is a chosen password, not a label).
pub fn named_placeholder(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['_', '-']).collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| {
            matches!(
                *p,
                "pw" | "pwd" | "pass" | "passwd" | "password" | "secret" | "token"
            )
        })
}

/// A value that a test file uses as a stand-in: digest-shaped (only hex digits and dashes:
/// commit ids, digests, UUIDs) or naming itself as a secret in plain or leetspeak spelling
/// (`vErrYS3c3tReFRe$hToken`, `s3cr3t-leaked`, `p4ssw0rd_for_tests`).
pub fn test_value(v: &str) -> bool {
    let hex = v.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-')
        && (v.bytes().all(|c| !c.is_ascii_uppercase())
            || v.bytes().all(|c| !c.is_ascii_lowercase()));
    let plain: String = v
        .bytes()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            match c {
                b'0' => Some('o'),
                b'1' => Some('i'),
                b'3' => Some('e'),
                b'4' | b'@' => Some('a'),
                b'5' | b'$' => Some('s'),
                b'7' => Some('t'),
                c if c.is_ascii_lowercase() => Some(c as char),
                _ => None,
            }
        })
        .collect();
    hex || ["secret", "token", "passw", "apikey", "credential"]
        .iter()
        .any(|w| plain.contains(w))
}

/// Is `value`, assigned to a key named `name` of class `class`, a secret? Returns the
/// confidence of the finding, or `None` for placeholders, references and identifiers.
pub fn judge(class: NameClass, name: &str, value: &str, quoted: bool) -> Option<Confidence> {
    let v = value.trim();
    // A base64 value is judged by what it encodes: `dGVzdC1wYXNzd29yZA==` is `test-password`.
    if v.len() >= 12
        && let Some(d) = super::decode::printable(v)
        && d.len() >= 4
        && !d.contains('\n')
    {
        return judge(class, name, &d, true);
    }
    // Every test below rejects, so their order does not change the verdict: the shape tests
    // come first and allocate nothing; most candidates stop there.
    let n = v.chars().count();
    if !(6..=200).contains(&n)
        || v.starts_with([';', ',', ')', '(', '-', '\'', '"', ':', '=', '<', '#', '/'])
    {
        return None;
    }
    // Dates and times: `2019-03-20T17:54:53Z`.
    if v.len() >= 10 && v.as_bytes()[..4].iter().all(u8::is_ascii_digit) && v.as_bytes()[4] == b'-'
    {
        return None;
    }
    let spaces = v.bytes().filter(|c| *c == b' ').count();
    let entropy = super::shannon_entropy(v);
    match class {
        NameClass::Password => {
            if spaces > 0
                && (!quoted
                    || spaces > 3
                    || v.contains("  ")
                    || v.split(' ').any(|w| name_class(w, false).is_some()))
                || v.ends_with(':')
            {
                return None;
            }
        }
        NameClass::Secret => {
            let mixed = v.bytes().any(|c| c.is_ascii_digit())
                && v.bytes().any(|c| c.is_ascii_alphabetic())
                || classes(v) >= 3;
            if n < 8
                || spaces > 0
                || entropy < 3.0
                || v.contains(['[', ']', '{', '}', '(', ')', '<', '>'])
                || !mixed
            {
                return None;
            }
        }
    }
    if super::is_placeholder(v)
        || super::with_lower(v, |l| {
            has_any(l, PLACEHOLDER_PARTS) || TEST_VALUES.contains(&l) || reference(l)
        })
        || sequential(v)
        || image_ref(v)
        || version(v)
        || ident_path(v)
        || upper_snake(v)
        || named_placeholder(v)
    {
        return None;
    }
    let wordy_v = wordy(v);
    if class == NameClass::Secret && wordy_v {
        return None;
    }
    let nv = norm(v);
    let nn = norm(name.rsplit('.').next().unwrap_or(name));
    if nv.is_empty() || nv == nn {
        return None;
    }
    // `password: db-password`, `token = "access_token"`: the name of another key or resource.
    let secret_word = [
        "password",
        "passwd",
        "secret",
        "token",
        "credential",
        "apikey",
    ]
    .iter()
    .any(|w| nv.contains(w));
    if secret_word && wordy_v && words(v).len() <= 3 {
        return None;
    }
    // `another_pw`, `root-pass`: lowercase letter words naming a password by a short word
    // (whole words only: `compass` is not `pass`; `tundra_pw_9` has a digit and counts).
    let parts: Vec<&str> = v.split(['_', '-']).collect();
    if (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase()))
        && parts
            .iter()
            .any(|p| matches!(*p, "pw" | "pwd" | "pass" | "passwd"))
    {
        return None;
    }
    // `testvalue`, `dummy-token`, `example_secret`: a fixture value.
    if wordy_v
        && [
            "test", "dummy", "example", "sample", "demo", "fake", "mock", "invalid", "wrong",
        ]
        .iter()
        .any(|w| nv.contains(w))
    {
        return None;
    }
    // `argocd-git-ask-pass` for `CommandGitAskPass`: a name built from the key's own words.
    let vw = words(v);
    if wordy_v {
        let nw = words(name.rsplit('.').next().unwrap_or(name));
        if vw.iter().any(|w| w.len() >= 3 && nw.contains(w)) {
            return None;
        }
    }
    // `foo:bar`, `user:password`, `hello-world`: every word a test value; `my-username`,
    // `my_app_key`: a label someone wrote for "mine".
    if vw
        .iter()
        .all(|w| TEST_VALUES.contains(&w.as_str()) || w == "hello" || w == "world" || w == "my")
        || wordy_v && vw.first().is_some_and(|w| w == "my")
    {
        return None;
    }
    // `key-1234567890-file-config`: a random secret does not count up for six digits.
    if class == NameClass::Secret && counting_run(v, 6) {
        return None;
    }
    Some(match class {
        NameClass::Password if entropy >= 3.5 && n >= 12 && classes(v) >= 3 => Confidence::Medium,
        NameClass::Secret if entropy >= 3.7 && n >= 16 => Confidence::Medium,
        _ => Confidence::Low,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(style: Style, line: &str, kw: &str) -> Option<(String, String)> {
        let b = line.as_bytes();
        let s = line.find(kw)?;
        let a = read(b, s, s + kw.len(), style)?;
        Some((line[a.name].to_string(), line[a.value].to_string()))
    }

    #[test]
    fn grammar() {
        let ok = |style, line: &str, kw: &str, v: &str| {
            assert_eq!(
                one(style, line, kw).map(|x| x.1),
                Some(v.to_string()),
                "{style:?} {line}"
            )
        };
        let no = |style, line: &str, kw: &str| {
            assert_eq!(one(style, line, kw), None, "{style:?} {line}");
        };
        ok(Style::Code, "DB_PASSWORD = \"a b c\"", "PASSWORD", "a b c");
        ok(Style::Code, "  password: str = 'x1'", "password", "x1");
        ok(Style::Code, "String password = \"x\";", "password", "x");
        ok(Style::Code, "p := Config{Password: \"x\"}", "Password", "x");
        ok(
            Style::Code,
            "props.put(\"db.password\", \"x\");",
            "password",
            "x",
        );
        ok(Style::Code, "c.setPassword(\"x\");", "Password", "x");
        ok(Style::Code, "client.set_token('x')", "token", "x");
        ok(Style::Code, "'password' => 'x',", "password", "x");
        no(Style::Code, "from x import password, other", "password");
        no(Style::Code, "f(token, \"abc\")", "token");
        no(Style::Code, "password = os.environ['X']", "password");
        no(Style::Code, "password = f\"{a}\"", "password");
        no(Style::Code, "if password == \"x\":", "password");
        no(Style::Code, "auth = \"Bearer \" + token", "token");
        no(Style::Code, "print(password)", "password");
        no(Style::Code, "password != \"x\"", "password");
        ok(
            Style::Yaml,
            "  password: thealice # the user",
            "password",
            "thealice",
        );
        ok(Style::Yaml, "  - DB_PASSWORD=abc", "PASSWORD", "abc");
        no(Style::Yaml, "  password:", "password");
        no(Style::Yaml, "  password: |", "password");
        ok(
            Style::Properties,
            "keepasxpassword=welcome123",
            "password",
            "welcome123",
        );
        ok(
            Style::Properties,
            "a.password = This is it",
            "password",
            "This is it",
        );
        ok(
            Style::Shell,
            "export tempPassword=\"x=y\"",
            "Password",
            "x=y",
        );
        ok(Style::Shell, "DB_PASS=abc def", "PASS", "abc");
        ok(Style::Shell, "mysql --password abc", "password", "abc");
        no(Style::Shell, "echo $PASSWORD", "PASSWORD");
        ok(
            Style::Dockerfile,
            "ENV DOCKER_ENV_PASSWORD=\"This is it\"",
            "PASSWORD",
            "This is it",
        );
        ok(
            Style::Dockerfile,
            "ENV DB_PASSWORD hunter22 now",
            "PASSWORD",
            "hunter22 now",
        );
        ok(Style::Json, "{\"password\": \"x\"}", "password", "x");
        no(Style::Json, "{\"password\": 12}", "password");
        ok(Style::Xml, "<password>x</password>", "password", "x");
        ok(Style::Xml, "<user password=\"x\"/>", "password", "x");
        ok(Style::Hcl, "password = \"x\"", "password", "x");
        ok(
            Style::Yaml,
            "env:\n  - name: DB_PASSWORD\n    value: hunter22x\n",
            "PASSWORD",
            "hunter22x",
        );
        ok(
            Style::Yaml,
            "  - name: \"DB_PASSWORD\" # db\n    value: \"hunter22x\"",
            "PASSWORD",
            "hunter22x",
        );
        ok(
            Style::Json,
            "[{\"name\": \"DB_PASSWORD\", \"value\": \"hunter22x\"}]",
            "PASSWORD",
            "hunter22x",
        );
        ok(
            Style::Json,
            "{\n  \"name\": \"API_TOKEN\",\n  \"value\": \"x\"\n}",
            "TOKEN",
            "x",
        );
        ok(
            Style::Hcl,
            "environment_variable {\n  name  = \"DB_PASSWORD\"\n  value = \"x\"\n}",
            "PASSWORD",
            "x",
        );
        ok(
            Style::Yaml,
            "- {name: DB_PASSWORD, value: x}",
            "PASSWORD",
            "x",
        );
        no(
            Style::Yaml,
            "  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {}",
            "PASSWORD",
        );
        no(
            Style::Yaml,
            "  - name: DB_PASSWORD\n  - name: OTHER\n    value: x",
            "PASSWORD",
        );
        no(
            Style::Yaml,
            "  secretName: db-password\n  value: x",
            "password",
        );
        no(
            Style::Code,
            "name = \"DB_PASSWORD\"\nvalue = \"x\"",
            "PASSWORD",
        );
        no(Style::Hcl, "password = var.password", "password");
        no(
            Style::Doc,
            "    password = user_dict[\"password\"],",
            "password",
        );
        no(
            Style::Doc,
            "password = PasswordField('Password', validators=[x])",
            "password",
        );
        no(
            Style::Xml,
            "var password = document.getElementById('password').value;",
            "password",
        );
        no(
            Style::Doc,
            "return jsonify(success=True, password=VAULT_TOKEN)",
            "password",
        );
        no(
            Style::Code,
            "MovedAttribute(\"HTTPPasswordMgr\", \"urllib2\", \"urllib.request\"),",
            "Password",
        );
        ok(
            Style::Code,
            "props.put(\"db.password\", \"x\" );",
            "password",
            "x",
        );
        no(
            Style::Code,
            "_, _ = passwordutil.HashPassword(\"for_response_time\")",
            "Password",
        );
        ok(Style::Code, "b.Password(\"x\")", "Password", "x");
        no(Style::Yaml, "  pattern: \"pass: custom_pass\"", "pass:");
        ok(
            Style::Code,
            "  public Challenge(@Value(\"aHVudGVyMg==\") String hashPassword) {",
            "Password",
            "aHVudGVyMg==",
        );
        no(
            Style::Code,
            "  public C(@Named(\"x\") String hashPassword) {",
            "Password",
        );
        let c = read(b"  #   password: firstpass", 6, 14, Style::Yaml).unwrap();
        assert!(c.commented);
        assert!(template_snippet(
            b"x\n```yaml\nname: <secret-name>\ntoken: abc\n```\n",
            35
        ));
        let doc = "For our example, the following values are used:\n- Secret: `k9`\n\nReal:\n- Secret: `k8`\n";
        assert!(template_snippet(doc.as_bytes(), doc.find("k9").unwrap()));
        assert!(!template_snippet(doc.as_bytes(), doc.find("k8").unwrap()));
        let doc = "```yaml\nissuer: https://auth.example.com\nclientSecret: k9\n```\n`aws rds modify --id <DbName> --password k7`\n<br> password: k6\n";
        assert!(template_snippet(doc.as_bytes(), doc.find("k9").unwrap()));
        assert!(template_snippet(doc.as_bytes(), doc.find("k7").unwrap()));
        assert!(!template_snippet(doc.as_bytes(), doc.find("k6").unwrap()));
        assert!(!template_snippet(
            b"```\n<secret-name>\n```\ntoken: abc\n```\nx\n```\n",
            30
        ));
    }

    #[test]
    fn values() {
        use NameClass::*;
        let yes = |c, v: &str, q| assert!(judge(c, "password", v, q).is_some(), "{v}");
        let no = |c, v: &str, q| assert!(judge(c, "password", v, q).is_none(), "{v}");
        yes(Password, "welcome123", false);
        yes(Password, "thealice", false);
        yes(Password, "This is it", true);
        yes(Password, "DefaultLoginPasswordDoNotChange!", true);
        yes(Password, "ThisEnvironmentIsAnotherPlaceToHide", false);
        yes(Password, "key_to_decrypt_the_secret", true);
        no(Password, "if_you_see_this_please_use_k8s", false);
        no(Password, "ACTUAL_ANSWER_CHALLENGE7", false);
        no(Password, "changeme", false);
        no(Password, "another_pw", true);
        no(Password, "backup-password", true);
        no(Password, "<your-password>", false);
        no(Password, "${DB_PASSWORD}", false);
        no(Password, "123456789", false);
        no(Password, "db-password", false);
        no(Password, "another_pw", true);
        no(Password, "root-pass", true);
        yes(Password, "tundra_pw_9", true);
        no(Password, "password", false);
        no(Password, "This is it", false);
        no(Password, "Enter the password for the database", true);
        no(
            Secret,
            "ghcr.io/external-secrets/external-secrets:v0.9.11",
            false,
        );
        no(
            Secret,
            "jeroenwillemsen/wrongsecrets:1.13.5-no-vault",
            false,
        );
        no(Secret, "my-app-secret", false);
        no(Secret, "mySecretValue", false);
        no(Secret, "argocd-secret-v2", false);
        no(Secret, "settings.api_token", false);
        no(Secret, "/etc/app/key.pem", false);
        no(Secret, "v2.10.3-rc1", false);
        no(Secret, "267.vcdaea6462991", false);
        no(Secret, "key-1234567890-file-config", true);
        no(Password, "my-username", true);
        for w in [
            "mySecretValue",
            "argocd-secret-v2",
            "ThisEnvironmentIsAnotherPlaceToHide",
            "HTTPServerKey",
            "k8s-token",
        ] {
            assert!(wordy(w), "{w}");
        }
        for w in [
            "m96ILKEIDMyN1hoVWZINesNvkEQklOMQ",
            "q8Wv2LmZ7rT4nB6y",
            "RLnROV3NqBvsuUbIwYOwgaQgbI6uG9Uj",
            "a3f9e2c1d4b5",
            "VvNJq5ggFPUm4",
        ] {
            assert!(!wordy(w), "{w}");
        }
        yes(Secret, "TRwzkRJnHOTckssAeyJbysWgP!Qc2T", false);
        yes(Secret, "MCPStolenSecret42!", false);
        yes(Secret, "q8Wv2LmZ7rT4nB6y", true);
        yes(Secret, "RLnROV3NqBvsuUbIwYOwgaQgbI6uG9Uj", true);
        assert!(sequential("12345678-1234-1234-1234-123456789012"));
        assert!(!sequential("q8Wv2LmZ7rT4"));
        assert_eq!(name_class("ctf_key", false), Some(Secret));
        assert_eq!(name_class("passphrase", false), Some(Password));
        assert_eq!(name_class("DB_PASS", false), Some(Password));
        assert_eq!(name_class("compass", false), None);
        assert_eq!(name_class("PWD", false), None);
        assert_eq!(name_class("signingKey", false), Some(Secret));
    }
}
