//! The values templates compute with: Go's `interface{}` as Helm sees it (YAML and JSON numbers
//! are `float64`, maps are shared and mutable through `set`), with Go's printing rules, and
//! `toYaml`/`toJson` writers.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

pub type MapRef = Rc<RefCell<BTreeMap<String, Value>>>;

/// A template value. Maps are references (Go maps): `set` on a map is seen by every holder.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    Map(MapRef),
    /// `.Files` (or a `.Files.Glob` result): path → content.
    Files(Rc<BTreeMap<String, Vec<u8>>>),
    /// `.Capabilities.APIVersions`.
    ApiVersions(Rc<Vec<String>>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Nil, Nil) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (Int(a), Float(b)) | (Float(b), Int(a)) => (*a as f64) == *b,
            (Str(a), Str(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => Rc::ptr_eq(a, b) || *a.borrow() == *b.borrow(),
            (Files(a), Files(b)) => a == b,
            (ApiVersions(a), ApiVersions(b)) => a == b,
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Rc::from(s))
    }
}

pub fn new_map(m: BTreeMap<String, Value>) -> Value {
    Value::Map(Rc::new(RefCell::new(m)))
}

pub fn list(v: Vec<Value>) -> Value {
    Value::List(Rc::new(v))
}

impl Value {
    /// Go template truth: false, 0, nil, empty string, list or map are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Files(f) => !f.is_empty(),
            Value::ApiVersions(_) => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Go's reflect kind name (`kindIs`).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "slice",
            Value::Map(_) | Value::Files(_) => "map",
            Value::ApiVersions(_) => "struct",
        }
    }

    /// Go's type name (`typeOf`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Files(_) => "chart.Files",
            Value::ApiVersions(_) => "chart.VersionSet",
        }
    }

    /// `fmt.Sprint` of the value (what `{{ x }}` prints).
    pub fn to_go_string(&self) -> String {
        let mut s = String::new();
        self.write_go(&mut s, true);
        s
    }

    fn write_go(&self, out: &mut String, top: bool) {
        match self {
            Value::Nil => out.push_str(if top { "<no value>" } else { "<nil>" }),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float_g(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(l) => write_seq(out, ("[", ' ', ']'), l.iter(), |out, v| {
                v.write_go(out, false)
            }),
            Value::Map(m) => {
                write_seq(out, ("map[", ' ', ']'), m.borrow().iter(), |out, (k, v)| {
                    out.push_str(k);
                    out.push(':');
                    v.write_go(out, false);
                })
            }
            Value::Files(f) => write_seq(out, ("map[", ' ', ']'), f.iter(), |out, (k, v)| {
                let _ = write!(out, "{k}:{v:?}");
            }),
            Value::ApiVersions(a) => {
                out.push('[');
                out.push_str(&a.join(" "));
                out.push(']');
            }
        }
    }

    /// A number as f64 (strings are not numbers here).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// A deep copy (maps are no longer shared).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Map(m) => new_map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
            ),
            Value::List(l) => list(l.iter().map(Value::deep_copy).collect()),
            v => v.clone(),
        }
    }

    /// Member of a map (`None` when not a map or absent).
    pub fn get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Map(m) => m.borrow().get(key).cloned(),
            _ => None,
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` (what `%v` prints for a float64).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Shortest round-trip digits via `{:e}`.
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    // `%v` switches to the exponent form below 1e-04 and from 1e+06 (shortest 'g').
    if !(-4..6).contains(&exp) {
        return go_exp(mant, exp);
    }
    format!("{f}")
}

fn go_exp(mant: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", exp.abs())
}

/// How JSON (and `toYaml`, which goes through JSON) writes a float64.
pub fn format_float_json(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let e = format!("{f:e}");
        let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// Parse YAML text (the first document) into a value; `Err` with the message on a syntax
/// error.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    Ok(parse_yaml_all(text)?
        .into_iter()
        .next()
        .unwrap_or(Value::Nil))
}

/// Most values anchors and aliases of one text may copy (alias bombs stay bounded).
const ALIAS_COPIES: usize = 1 << 20;
/// Deepest nesting of a value (the writers recurse).
pub const MAX_VALUE_DEPTH: usize = 200;
/// Most nodes a value may expand to (shared maps and aliases counted each time they appear).
pub const MAX_VALUE_NODES: usize = 2_000_000;

/// An error when `v` nests deeper than [`MAX_VALUE_DEPTH`] or expands to more than
/// [`MAX_VALUE_NODES`] nodes (alias bombs, maps that contain themselves through `set`).
pub fn check_shape(v: &Value) -> Result<(), String> {
    let mut stack = vec![(v.clone(), 0usize)];
    let mut nodes = 0usize;
    while let Some((v, d)) = stack.pop() {
        nodes += 1;
        if d > MAX_VALUE_DEPTH || nodes > MAX_VALUE_NODES {
            return Err(format!(
                "{}: a value nested deeper than {MAX_VALUE_DEPTH} levels or larger than {MAX_VALUE_NODES} nodes (or containing itself)",
                crate::lang::yaml::BUDGET_EXCEEDED
            ));
        }
        match &v {
            Value::Map(m) => stack.extend(m.borrow().values().map(|x| (x.clone(), d + 1))),
            Value::List(l) => stack.extend(l.iter().map(|x| (x.clone(), d + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Parse every YAML document of `text` as Helm reads values (YAML 1.1 scalars: `yes`/`on`
/// are booleans, `0777` is octal; numbers are float64; keys are strings).
pub fn parse_yaml_all(text: &str) -> Result<Vec<Value>, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    enum Frame {
        Map(BTreeMap<String, Value>, Option<String>, usize, Vec<Value>),
        Seq(Vec<Value>, usize),
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, Value> = std::collections::HashMap::new();
    let mut docs = Vec::new();
    let mut copies = 0usize;
    while let Some(ev) = parser.next_event() {
        let (ev, _) = ev.map_err(|e| e.to_string())?;
        let v = match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => continue,
            Event::DocumentStart(_) => continue,
            Event::MappingStart(id, _) => {
                if stack.len() > MAX_VALUE_DEPTH {
                    return Err(format!("YAML nested deeper than {MAX_VALUE_DEPTH} levels"));
                }
                stack.push(Frame::Map(BTreeMap::new(), None, id, Vec::new()));
                continue;
            }
            Event::SequenceStart(id, _) => {
                if stack.len() > MAX_VALUE_DEPTH {
                    return Err(format!("YAML nested deeper than {MAX_VALUE_DEPTH} levels"));
                }
                stack.push(Frame::Seq(Vec::new(), id));
                continue;
            }
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(mut m, _, id, merges)) => {
                    for src in merges {
                        let srcs = match src {
                            Value::List(l) => l.to_vec(),
                            v => vec![v],
                        };
                        for s in srcs {
                            if let Value::Map(sm) = s {
                                for (k, v) in sm.borrow().iter() {
                                    m.entry(k.clone()).or_insert_with(|| v.clone());
                                }
                            }
                        }
                    }
                    let v = new_map(m);
                    if id != 0 {
                        anchors.insert(id, v.clone());
                    }
                    v
                }
                _ => return Err("unbalanced mapping".into()),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(l, id)) => {
                    let v = list(l);
                    if id != 0 {
                        anchors.insert(id, v.clone());
                    }
                    v
                }
                _ => return Err("unbalanced sequence".into()),
            },
            Event::Alias(id) => {
                let a = anchors.get(&id).ok_or("unknown anchor")?;
                copies += 1;
                if copies > ALIAS_COPIES {
                    return Err(format!(
                        "{}: too many YAML aliases",
                        crate::lang::yaml::BUDGET_EXCEEDED
                    ));
                }
                // Aliases share the anchored value (no copy).
                a.clone()
            }
            Event::Scalar(val, style, id, tag) => {
                let v = match (style, tag.as_ref().map(|t| t.suffix.as_str())) {
                    (_, Some("str")) | (_, Some("binary")) => Value::from(val.as_ref()),
                    (ScalarStyle::Plain, _) => resolve_plain(&val),
                    _ => Value::from(val.as_ref()),
                };
                if id != 0 {
                    anchors.insert(id, v.clone());
                }
                v
            }
        };
        match stack.last_mut() {
            None => docs.push(v),
            Some(Frame::Seq(l, _)) => l.push(v),
            Some(Frame::Map(m, key, _, merges)) => match key.take() {
                None => {
                    *key = Some(match &v {
                        Value::Str(s) => s.to_string(),
                        Value::Nil => "null".to_string(),
                        v => to_json(v),
                    });
                }
                Some(k) if k == "<<" => merges.push(v),
                Some(k) => {
                    m.insert(k, v);
                }
            },
        }
    }
    for d in &docs {
        check_shape(d)?;
    }
    Ok(docs)
}

/// YAML 1.1 resolution of a plain scalar (as yaml.v2 does it).
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Nil,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::from(s);
    }
    let plain = s.replace('_', "");
    let (neg, u) = match plain.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let int = if let Some(h) = u.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(b) = u.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()
    } else if let Some(o) = u.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()
    } else if u.len() > 1 && u.starts_with('0') && u.bytes().all(|c| c.is_ascii_digit()) {
        i64::from_str_radix(&u[1..], 8).ok()
    } else if !u.is_empty() && u.bytes().all(|c| c.is_ascii_digit()) {
        u.parse::<i64>().ok().or(None)
    } else {
        None
    };
    if let Some(i) = int {
        return Value::Float(sign * i as f64);
    }
    if !u.is_empty() && u.bytes().all(|c| c.is_ascii_digit()) {
        // Too large for int64: a float.
        if let Ok(f) = u.parse::<f64>() {
            return Value::Float(sign * f);
        }
    }
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let (mant, exp) = match u.find(['e', 'E']) {
        Some(i) => (&u[..i], Some(&u[i + 1..])),
        None => (u, None),
    };
    let mant_ok = match mant.split_once('.') {
        Some((a, b)) => {
            (a.is_empty() && !b.is_empty() || !a.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mant.is_empty() && mant.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
    });
    if mant_ok
        && exp_ok
        && let Ok(f) = u.parse::<f64>()
    {
        return Value::Float(sign * f);
    }
    Value::from(s)
}

// ---------------------------------------------------------------------------------------------
// toJson

pub fn to_json(v: &Value) -> String {
    let mut s = String::new();
    write_json(v, &mut s);
    s
}

/// `open`, each of `items` written by `each` with `sep` between them, then `close`.
fn write_seq<T>(
    out: &mut String,
    (open, sep, close): (&str, char, char),
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut String, T),
) {
    out.push_str(open);
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        each(out, x);
    }
    out.push(close);
}

/// `null`, `true`/`false` or a number as JSON and YAML write them; false for other values.
fn write_json_scalar(v: &Value, out: &mut String) -> bool {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float_json(*f)),
        _ => return false,
    }
    true
}

fn write_json(v: &Value, out: &mut String) {
    if write_json_scalar(v, out) {
        return;
    }
    match v {
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        Value::Str(s) => json_string(s, out),
        Value::List(l) => write_seq(out, ("[", ',', ']'), l.iter(), |out, x| write_json(x, out)),
        Value::Map(m) => {
            write_seq(out, ("{", ',', '}'), m.borrow().iter(), |out, (k, x)| {
                json_string(k, out);
                out.push(':');
                write_json(x, out);
            });
        }
        Value::Files(_) | Value::ApiVersions(_) => out.push_str("{}"),
    }
}

/// The escapes Go's string quoting, JSON and YAML double quotes share; false for others.
pub fn escape_common(c: char, out: &mut String) -> bool {
    let e = match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => return false,
    };
    out.push_str(e);
    true
}

/// A JSON string as Go's `encoding/json` writes it (HTML characters escaped).
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            c if escape_common(c, out) => {}
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Parse JSON into a value (numbers are float64).
pub fn from_json(text: &str) -> Result<Value, String> {
    let j: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(from_serde(&j))
}

fn from_serde(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => list(a.iter().map(from_serde).collect()),
        serde_json::Value::Object(o) => {
            new_map(o.iter().map(|(k, v)| (k.clone(), from_serde(v))).collect())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// toYaml (yaml.v2 style after a trip through JSON: sorted keys, integral floats as integers)

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Map(m) if !m.borrow().is_empty() => yaml_map(&m.borrow(), 0, &mut out),
        Value::List(l) if !l.is_empty() => yaml_seq(l, 0, &mut out),
        _ => {
            yaml_scalar_inline(v, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Map(m) => !m.borrow().is_empty(),
        Value::List(l) => !l.is_empty(),
        _ => false,
    }
}

fn yaml_map(m: &BTreeMap<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in m {
        pad(out, indent);
        yaml_key(k, out);
        out.push(':');
        match v {
            Value::Map(mm) if is_block(v) => {
                out.push('\n');
                yaml_map(&mm.borrow(), indent + 2, out);
            }
            Value::List(l) if is_block(v) => {
                out.push('\n');
                yaml_seq(l, indent, out);
            }
            _ => {
                out.push(' ');
                yaml_scalar_inline(v, indent + 2, out);
                out.push('\n');
            }
        }
    }
}

fn yaml_seq(l: &[Value], indent: usize, out: &mut String) {
    for v in l {
        pad(out, indent);
        out.push('-');
        match v {
            Value::Map(mm) if is_block(v) => {
                // First entry on the dash line, the others indented under it.
                let mut first = String::new();
                yaml_map(&mm.borrow(), indent + 2, &mut first);
                out.push(' ');
                out.push_str(&first[indent + 2..]);
            }
            Value::List(ll) if is_block(v) => {
                let mut inner = String::new();
                yaml_seq(ll, indent + 2, &mut inner);
                out.push(' ');
                out.push_str(&inner[indent + 2..]);
            }
            _ => {
                out.push(' ');
                yaml_scalar_inline(v, indent + 2, out);
                out.push('\n');
            }
        }
    }
}

fn yaml_key(k: &str, out: &mut String) {
    yaml_inline_string(k, out, None);
}

/// A scalar (or an empty collection) after `key: ` or `- `; block scalars continue on the
/// next lines at `indent`.
fn yaml_scalar_inline(v: &Value, indent: usize, out: &mut String) {
    if write_json_scalar(v, out) {
        return;
    }
    match v {
        Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        Value::Str(s) => yaml_string(s, indent, out),
        Value::List(_) => out.push_str("[]"),
        Value::Map(_) | Value::Files(_) | Value::ApiVersions(_) => out.push_str("{}"),
    }
}

fn yaml_string(s: &str, indent: usize, out: &mut String) {
    if s.contains('\n') && literal_ok(s) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        out.push('|');
        if s.starts_with([' ', '\n']) {
            out.push('2');
        }
        match trailing {
            0 => out.push('-'),
            1 => {}
            _ => out.push('+'),
        }
        let body = if trailing == 1 { &s[..s.len() - 1] } else { s };
        let body = body.strip_suffix('\n').map_or(body, |_| body);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                pad(out, indent);
                out.push_str(line);
            }
        }
        if trailing > 1 {
            // `|+` keeps the final line breaks; the last one is the line's own.
        }
        return;
    }
    yaml_inline_string(s, out, Some(indent));
}

/// A one-line string as yaml.v2 writes it: plain when it reads back as the same string,
/// single-quoted when that is enough, else double-quoted. Values (not keys, `indent` given)
/// are folded at spaces past column 80 onto lines indented by `indent`.
fn yaml_inline_string(s: &str, out: &mut String, indent: Option<usize>) {
    let (plain, single) = if s.contains('\n') {
        (false, false)
    } else {
        scalar_styles(s)
    };
    let typed = resolves_non_string(s) || s.is_empty();
    if plain && !typed {
        fold(s, out, indent, false);
    } else if single && !typed {
        out.push('\'');
        fold(s, out, indent, true);
        out.push('\'');
    } else {
        yaml_double_quoted(s, out);
    }
}

/// Best line width of yaml.v2's emitter.
const YAML_WIDTH: usize = 80;

fn fold(s: &str, out: &mut String, indent: Option<usize>, single: bool) {
    let mut col = out.len() - out.rfind('\n').map_or(0, |i| i + 1);
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            let inner = !single || (i > 0 && i + 1 < chars.len());
            match indent {
                Some(ind) if !spaces && col > YAML_WIDTH && !next_space && inner => {
                    out.push('\n');
                    pad(out, ind);
                    col = ind;
                }
                _ => {
                    out.push(' ');
                    col += 1;
                }
            }
            spaces = true;
        } else {
            if single && c == '\'' {
                out.push('\'');
                col += 1;
            }
            out.push(c);
            col += 1;
            spaces = false;
        }
    }
}

fn literal_ok(s: &str) -> bool {
    !s.chars().any(|c| c != '\n' && !yaml_printable(c)) && !s.split('\n').any(|l| l.ends_with(' '))
}

fn yaml_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || u == 0x85
        || ((0xa0..=0xd7ff).contains(&u) && u != 0xfeff)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
        || (0x10000..=0x10ffff).contains(&u)
}

/// yaml.v2's scalar analysis for one line in block context: (plain allowed, single quotes
/// allowed).
fn scalar_styles(s: &str) -> (bool, bool) {
    if s.is_empty() {
        return (false, true);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_ind = s.starts_with("---") || s.starts_with("...");
    let mut special = false;
    let blank = |c: Option<&char>| c.is_none_or(|c| *c == ' ' || *c == '\t' || *c == '\n');
    for (i, c) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if blank(next) => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if blank(next) => block_ind = true,
                '#' if chars[i - 1] == ' ' || chars[i - 1] == '\t' => block_ind = true,
                _ => {}
            }
        }
        if !yaml_printable(*c) {
            special = true;
        }
    }
    let edge_space = chars[0] == ' ' || chars[chars.len() - 1] == ' ';
    (!block_ind && !special && !edge_space, !special)
}

/// True when a string can be written as a plain scalar and reads back as the same string.
pub fn plain_safe(s: &str) -> bool {
    !s.contains('\n') && !resolves_non_string(s) && scalar_styles(s).0
}

/// Plain scalars YAML 1.1 (yaml.v2) reads as something other than a string.
fn resolves_non_string(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
            | "<<"
            | "="
    ) {
        return true;
    }
    let t = s.replace('_', "");
    let u = t.strip_prefix(['-', '+']).unwrap_or(&t);
    if u.is_empty() {
        return false;
    }
    if u.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if let Some(h) = u.strip_prefix("0x")
        && !h.is_empty()
        && h.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return true;
    }
    let b = u.as_bytes();
    if b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
    {
        // A timestamp (`2024-01-31`, `2024-01-31T10:00:00Z`).
        return true;
    }
    if let Some(o) = u.strip_prefix("0o")
        && !o.is_empty()
        && o.bytes().all(|c| (b'0'..=b'7').contains(&c))
    {
        return true;
    }
    if let Some(b) = u.strip_prefix("0b")
        && !b.is_empty()
        && b.bytes().all(|c| c == b'0' || c == b'1')
    {
        return true;
    }
    // Floats (1.5, .5, 1e3, 1.0e+3) and sexagesimal-looking `1:20`.
    let fl = u.bytes().all(|b| {
        b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+'
    }) && u.bytes().any(|b| b.is_ascii_digit())
        && u.parse::<f64>().is_ok();
    fl || (u.contains(':')
        && u.split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

pub fn yaml_double_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            c if escape_common(c, out) => {}
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        assert_eq!(format_float_g(8080.0), "8080");
        assert_eq!(format_float_g(1_000_000.0), "1e+06");
        assert_eq!(format_float_g(1_500_000.0), "1.5e+06");
        assert_eq!(format_float_g(0.5), "0.5");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_json(1_000_000.0), "1000000");
    }

    #[test]
    fn yaml_round_trips() {
        let v = parse_yaml("a:\n  b: [1, two, 'yes']\n  c: \"x: y\"\nd: |\n  l1\n  l2\ne: {}\n")
            .unwrap();
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "a:\n  b:\n  - 1\n  - two\n  - \"yes\"\n  c: 'x: y'\nd: |\n  l1\n  l2\ne: {}\n"
        );
        assert_eq!(parse_yaml(&y).unwrap(), v);
        let l = parse_yaml("- a: 1\n  b: 2\n- - x\n").unwrap();
        assert_eq!(to_yaml(&l), "- a: 1\n  b: 2\n- - x\n");
        let q = parse_yaml("a: '[$2]:$1'\nb: \"it's\"\nc: \"tab\\there\"\nd: ''\ne: 2024-01-31x\n")
            .unwrap();
        assert_eq!(
            to_yaml(&q),
            "a: '[$2]:$1'\nb: it's\nc: \"tab\\there\"\nd: \"\"\ne: 2024-01-31x\n"
        );
        assert_eq!(to_json(&v).len(), to_json(&parse_yaml(&y).unwrap()).len());
    }
}
