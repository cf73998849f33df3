//! Go template built-ins, Sprig and Helm functions (those charts use; measured on real charts,
//! see README). `include`, `tpl`, `and`, `or` live in the executor.

use super::value::{MapRef, Value, from_json, list, new_map, parse_yaml, to_json, to_yaml};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

type R = Result<Value, String>;

/// Longest string a function builds (the executor's output limit): functions whose result can
/// outgrow their input (`repeat`, `indent`, `replace`, `join`, padding) check before building.
const MAX_STRING: usize = super::exec::MAX_OUTPUT;

fn fits(name: &str, len: Option<usize>) -> Result<(), String> {
    match len {
        Some(n) if n <= MAX_STRING => Ok(()),
        _ => Err(format!(
            "{name}: result longer than {} MiB",
            MAX_STRING >> 20
        )),
    }
}

/// Sprig's `strval`: strings as they are, everything else as `fmt.Sprint`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Nil => "<nil>".into(),
        v => v.to_go_string(),
    }
}

/// Sprig's `toInt64` (cast): numbers truncated, strings parsed, bools 0/1.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| t.parse::<f64>().ok().map(|f| f as i64))
                .unwrap_or(0)
        }
        _ => 0,
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`.
pub fn empty(v: &Value) -> bool {
    !v.truthy()
}

/// Most arguments a variadic function takes (no limit).
const ANY: usize = usize::MAX;

/// How many arguments each function takes, `(name, least, most)`, as its Go signature says.
/// Checked before any function runs, so a function body only reads the arguments its signature
/// guarantees (optional ones through `get`). A name not listed is not a function.
pub const ARITY: &[(&str, usize, usize)] = &[
    ("uuidv4", 0, 0),
    ("now", 0, 0),
    ("print", 0, ANY),
    ("println", 0, ANY),
    ("html", 0, ANY),
    ("urlquery", 0, ANY),
    ("js", 0, ANY),
    ("coalesce", 0, ANY),
    ("all", 0, ANY),
    ("any", 0, ANY),
    ("quote", 0, ANY),
    ("squote", 0, ANY),
    ("cat", 0, ANY),
    ("add", 0, ANY),
    ("addf", 0, ANY),
    ("seq", 0, ANY),
    ("list", 0, ANY),
    ("tuple", 0, ANY),
    ("concat", 0, ANY),
    ("dict", 0, ANY),
    ("keys", 0, ANY),
    ("not", 1, 1),
    ("len", 1, 1),
    ("toYaml", 1, 1),
    ("toYamlPretty", 1, 1),
    ("fromYaml", 1, 1),
    ("fromYamlArray", 1, 1),
    ("toJson", 1, 1),
    ("toRawJson", 1, 1),
    ("toPrettyJson", 1, 1),
    ("fromJson", 1, 1),
    ("fromJsonArray", 1, 1),
    ("fail", 1, 1),
    ("toToml", 1, 1),
    ("empty", 1, 1),
    ("kindOf", 1, 1),
    ("typeOf", 1, 1),
    ("deepCopy", 1, 1),
    ("toString", 1, 1),
    ("toStrings", 1, 1),
    ("trim", 1, 1),
    ("upper", 1, 1),
    ("lower", 1, 1),
    ("title", 1, 1),
    ("untitle", 1, 1),
    ("nospace", 1, 1),
    ("sortAlpha", 1, 1),
    ("snakecase", 1, 1),
    ("kebabcase", 1, 1),
    ("camelcase", 1, 1),
    ("b64enc", 1, 1),
    ("b64dec", 1, 1),
    ("sha256sum", 1, 1),
    ("adler32sum", 1, 1),
    ("randAlphaNum", 1, 1),
    ("randAlpha", 1, 1),
    ("randNumeric", 1, 1),
    ("randAscii", 1, 1),
    ("htmlDate", 1, 1),
    ("base", 1, 1),
    ("dir", 1, 1),
    ("ext", 1, 1),
    ("int", 1, 1),
    ("int64", 1, 1),
    ("atoi", 1, 1),
    ("float64", 1, 1),
    ("add1", 1, 1),
    ("floor", 1, 1),
    ("ceil", 1, 1),
    ("until", 1, 1),
    ("first", 1, 1),
    ("last", 1, 1),
    ("rest", 1, 1),
    ("initial", 1, 1),
    ("reverse", 1, 1),
    ("uniq", 1, 1),
    ("compact", 1, 1),
    ("values", 1, 1),
    ("eq", 1, ANY),
    ("index", 1, ANY),
    ("slice", 1, ANY),
    ("printf", 1, ANY),
    ("default", 1, ANY),
    ("mul", 1, ANY),
    ("max", 1, ANY),
    ("biggest", 1, ANY),
    ("min", 1, ANY),
    ("subf", 1, ANY),
    ("mulf", 1, ANY),
    ("divf", 1, ANY),
    ("maxf", 1, ANY),
    ("minf", 1, ANY),
    ("without", 1, ANY),
    ("pluck", 1, ANY),
    ("pick", 1, ANY),
    ("omit", 1, ANY),
    ("merge", 1, ANY),
    ("mergeOverwrite", 1, ANY),
    ("ne", 2, 2),
    ("lt", 2, 2),
    ("le", 2, 2),
    ("gt", 2, 2),
    ("ge", 2, 2),
    ("required", 2, 2),
    ("kindIs", 2, 2),
    ("typeIs", 2, 2),
    ("typeIsLike", 2, 2),
    ("deepEqual", 2, 2),
    ("indent", 2, 2),
    ("nindent", 2, 2),
    ("trunc", 2, 2),
    ("trimAll", 2, 2),
    ("trimSuffix", 2, 2),
    ("trimPrefix", 2, 2),
    ("contains", 2, 2),
    ("hasPrefix", 2, 2),
    ("hasSuffix", 2, 2),
    ("repeat", 2, 2),
    ("split", 2, 2),
    ("splitList", 2, 2),
    ("join", 2, 2),
    ("abbrev", 2, 2),
    ("wrap", 2, 2),
    ("date", 2, 2),
    ("regexMatch", 2, 2),
    ("regexFind", 2, 2),
    ("semverCompare", 2, 2),
    ("sub", 2, 2),
    ("div", 2, 2),
    ("mod", 2, 2),
    ("append", 2, 2),
    ("push", 2, 2),
    ("prepend", 2, 2),
    ("has", 2, 2),
    ("hasKey", 2, 2),
    ("get", 2, 2),
    ("unset", 2, 2),
    ("include", 2, 2),
    ("tpl", 2, 2),
    ("round", 2, 3),
    ("ternary", 3, 3),
    ("replace", 3, 3),
    ("substr", 3, 3),
    ("splitn", 3, 3),
    ("wrapWith", 3, 3),
    ("plural", 3, 3),
    ("dateInZone", 3, 3),
    ("regexFindAll", 3, 3),
    ("regexReplaceAll", 3, 3),
    ("regexReplaceAllLiteral", 3, 3),
    ("regexSplit", 3, 3),
    ("untilStep", 3, 3),
    ("set", 3, 3),
    ("dig", 3, ANY),
    ("lookup", 4, 4),
    ("and", 1, ANY),
    ("or", 1, ANY),
];

fn arity(name: &str) -> Option<(usize, usize)> {
    static TABLE: std::sync::LazyLock<std::collections::HashMap<&str, (usize, usize)>> =
        std::sync::LazyLock::new(|| ARITY.iter().map(|&(n, l, m)| (n, (l, m))).collect());
    TABLE.get(name).copied()
}

/// The name a function is known by: `mustX` is `X` (errors are returned either way).
fn base_name(name: &str) -> std::borrow::Cow<'_, str> {
    match name.strip_prefix("must") {
        Some(n) if n.starts_with(|c: char| c.is_ascii_uppercase()) => {
            let mut c = n.chars();
            let f = c.next().map(|f| f.to_ascii_lowercase()).unwrap_or_default();
            format!("{f}{}", c.as_str()).into()
        }
        _ => name.into(),
    }
}

/// Go's check of a call against its function's signature: an unknown name or a wrong number
/// of arguments is an error naming the function.
pub fn check_arity(name: &str, got: usize) -> Result<(), String> {
    let Some((least, most)) = arity(&base_name(name)) else {
        return Err(format!("function {name:?} not defined"));
    };
    if got < least || got > most {
        let want = if most == ANY {
            format!("at least {least}")
        } else if least == most {
            least.to_string()
        } else {
            format!("{least} to {most}")
        };
        return Err(format!(
            "wrong number of args for {name}: want {want} got {got}"
        ));
    }
    Ok(())
}

/// A call's arguments. Indexing past the end reads nil and slicing past it reads nothing, so
/// no function body can panic on a short argument list (the arity table rejects those first).
struct Args {
    v: Vec<Value>,
    nil: Value,
}

impl std::ops::Deref for Args {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.v
    }
}

impl std::ops::Index<usize> for Args {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.v.get(i).unwrap_or(&self.nil)
    }
}

impl std::ops::Index<std::ops::RangeFrom<usize>> for Args {
    type Output = [Value];
    fn index(&self, r: std::ops::RangeFrom<usize>) -> &[Value] {
        self.v.get(r).unwrap_or(&[])
    }
}

fn s(args: &[Value], i: usize) -> String {
    args.get(i).map(strval).unwrap_or_default()
}

fn map_of(v: &Value, f: &str) -> Result<MapRef, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Nil => Ok(Rc::new(std::cell::RefCell::new(BTreeMap::new()))),
        other => Err(format!("{f}: expected a map, got {}", other.type_name())),
    }
}

fn list_of(v: &Value, f: &str) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Nil => Ok(Vec::new()),
        other => Err(format!("{f}: cannot find slice in {}", other.type_name())),
    }
}

/// Sprig's `strslice`.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(strval)
            .collect(),
        Value::Nil => Vec::new(),
        v => vec![strval(v)],
    }
}

/// Call a function by name; `mustX` is `X` (errors are returned either way).
pub fn call(name: &str, a: Vec<Value>) -> R {
    check_arity(name, a.len())?;
    func(
        &base_name(name),
        Args {
            v: a,
            nil: Value::Nil,
        },
    )
}

fn func(name: &str, a: Args) -> R {
    Ok(match name {
        // Go template built-ins.
        "not" => Value::Bool(!a[0].truthy()),
        "eq" => {
            if a.len() < 2 {
                return Err("missing argument for comparison".into());
            }
            Value::Bool(a[1..].iter().any(|x| eq(&a[0], x)))
        }
        "ne" => Value::Bool(!eq(&a[0], &a[1])),
        "lt" | "le" | "gt" | "ge" => {
            let o = cmp(&a[0], &a[1])?;
            Value::Bool(match name {
                "lt" => o.is_lt(),
                "le" => o.is_le(),
                "gt" => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        "len" => Value::Int(match &a[0] {
            Value::Str(s) => s.len(),
            Value::List(l) => l.len(),
            Value::Map(m) => m.borrow().len(),
            Value::Files(f) => f.len(),
            other => return Err(format!("len of type {}", other.type_name())),
        } as i64),
        "index" => {
            let mut v = a.first().cloned().unwrap_or_default();
            for k in a.iter().skip(1) {
                v = match &v {
                    Value::Map(m) => m.borrow().get(&strval(k)).cloned().unwrap_or(Value::Nil),
                    Value::List(l) => {
                        let i = to_i64(k);
                        if i < 0 || i as usize >= l.len() {
                            return Err(format!("error calling index: index out of range: {i}"));
                        }
                        l[i as usize].clone()
                    }
                    Value::Str(s) => {
                        let i = to_i64(k);
                        Value::Int(i64::from(
                            *s.as_bytes()
                                .get(i as usize)
                                .ok_or("error calling index: index out of range")?,
                        ))
                    }
                    Value::Nil => return Err("error calling index: index of untyped nil".into()),
                    other => {
                        return Err(format!(
                            "error calling index: can't index item of type {}",
                            other.type_name()
                        ));
                    }
                };
            }
            v
        }
        "slice" => {
            let v = a.first().cloned().unwrap_or_default();
            let i = a.get(1).map(to_i64).unwrap_or(0).max(0) as usize;
            match &v {
                Value::List(l) => {
                    let j = a
                        .get(2)
                        .map_or(l.len(), |x| to_i64(x).max(0) as usize)
                        .min(l.len());
                    list(l.get(i.min(j)..j).unwrap_or(&[]).to_vec())
                }
                Value::Str(st) => {
                    let j = a
                        .get(2)
                        .map_or(st.len(), |x| to_i64(x).max(0) as usize)
                        .min(st.len());
                    Value::from(st.get(i.min(j)..j).unwrap_or(""))
                }
                _ => return Err("can't slice item".into()),
            }
        }
        "print" => Value::from(sprint(&a)),
        "println" => {
            let mut s: Vec<String> = a
                .iter()
                .map(|v| v.to_go_string().replace("<no value>", "<nil>"))
                .collect();
            let mut out = s.join(" ");
            s.clear();
            out.push('\n');
            Value::from(out)
        }
        "printf" => {
            let f = s(&a, 0);
            Value::from(sprintf(&f, &a[1..]))
        }
        "html" => Value::from(
            sprint(&a)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&#34;")
                .replace('\'', "&#39;"),
        ),
        "urlquery" => Value::from(urlencode(&sprint(&a))),
        "js" => Value::from(
            sprint(&a)
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('"', "\\\""),
        ),

        // Helm.
        "toYaml" | "toYamlPretty" => Value::from(to_yaml(&a[0]).trim_end_matches('\n').to_string()),
        "fromYaml" => match parse_yaml(&s(&a, 0)) {
            Ok(Value::Map(m)) => Value::Map(m),
            Ok(Value::Nil) => new_map(BTreeMap::new()),
            Ok(_) => err_map(
                "error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}",
            ),
            Err(e) => err_map(&e),
        },
        "fromYamlArray" => match parse_yaml(&s(&a, 0)) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => list(Vec::new()),
            Ok(_) => list(vec![Value::from(
                "error unmarshaling JSON: json: cannot unmarshal object into Go value of type []interface {}",
            )]),
            Err(e) => list(vec![Value::from(e)]),
        },
        "toJson" | "toRawJson" => Value::from(to_json(a.first().unwrap_or(&Value::Nil))),
        "toPrettyJson" => {
            let j: serde_json::Value =
                serde_json::from_str(&to_json(a.first().unwrap_or(&Value::Nil)))
                    .unwrap_or_default();
            Value::from(serde_json::to_string_pretty(&j).unwrap_or_default())
        }
        "fromJson" => match from_json(&s(&a, 0)) {
            Ok(Value::Map(m)) => Value::Map(m),
            Ok(_) => new_map(BTreeMap::new()),
            Err(e) => err_map(&e),
        },
        "fromJsonArray" => match from_json(&s(&a, 0)) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(_) => list(Vec::new()),
            Err(e) => list(vec![Value::from(e)]),
        },
        "required" => match &a[1] {
            Value::Nil => return Err(s(&a, 0)),
            Value::Str(x) if x.is_empty() => return Err(s(&a, 0)),
            v => v.clone(),
        },
        "fail" => return Err(s(&a, 0)),
        "lookup" => new_map(BTreeMap::new()),
        "toToml" => return Err("toToml is not supported".into()),

        // Sprig: defaults and flow.
        "default" => {
            if a.is_empty() {
                return Err("wrong number of args for default: want 2 got 0".into());
            }
            match a.get(1) {
                Some(v) if !empty(v) => v.clone(),
                _ => a[0].clone(),
            }
        }
        "empty" => Value::Bool(a.first().is_none_or(empty)),
        "coalesce" => a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil),
        "all" => Value::Bool(a.iter().all(|v| !empty(v))),
        "any" => Value::Bool(a.iter().any(|v| !empty(v))),
        "ternary" => {
            if a[2].truthy() {
                a[0].clone()
            } else {
                a[1].clone()
            }
        }
        "kindIs" => Value::Bool(s(&a, 0) == a.get(1).map_or("invalid", Value::kind)),
        "kindOf" => Value::from(a.first().map_or("invalid", Value::kind)),
        "typeOf" => Value::from(a.first().map_or("<nil>", Value::type_name)),
        "typeIs" => Value::Bool(s(&a, 0) == a.get(1).map_or("<nil>", Value::type_name)),
        "typeIsLike" => {
            let t = s(&a, 0);
            let ty = a.get(1).map_or("<nil>", Value::type_name);
            Value::Bool(t == ty || t == format!("*{ty}"))
        }
        "deepEqual" => Value::Bool(a.first() == a.get(1)),
        "deepCopy" => a.first().map(Value::deep_copy).unwrap_or_default(),

        // Sprig: strings.
        "toString" => Value::from(s(&a, 0)),
        "toStrings" => list(
            strslice(a.first().unwrap_or(&Value::Nil))
                .into_iter()
                .map(Value::from)
                .collect(),
        ),
        "quote" => Value::from(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| go_quote(&strval(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Value::from(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(|v| format!("'{}'", strval(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "indent" => Value::from(indent(to_i64(&a[0]), &s(&a, 1))?),
        "nindent" => Value::from(format!("\n{}", indent(to_i64(&a[0]), &s(&a, 1))?)),
        "trunc" => {
            let c = to_i64(&a[0]);
            let st = s(&a, 1);
            let n = st.len() as i64;
            Value::from(if c < 0 && c > -n {
                byte_slice(&st, (n + c) as usize, n as usize)
            } else if c >= 0 && n > c {
                byte_slice(&st, 0, c as usize)
            } else {
                st
            })
        }
        "trim" => Value::from(s(&a, 0).trim().to_string()),
        "trimAll" => {
            let cut: Vec<char> = s(&a, 0).chars().collect();
            Value::from(s(&a, 1).trim_matches(|c| cut.contains(&c)).to_string())
        }
        "trimSuffix" => {
            let (x, st) = (s(&a, 0), s(&a, 1));
            Value::from(st.strip_suffix(x.as_str()).unwrap_or(&st).to_string())
        }
        "trimPrefix" => {
            let (x, st) = (s(&a, 0), s(&a, 1));
            Value::from(st.strip_prefix(x.as_str()).unwrap_or(&st).to_string())
        }
        "upper" => Value::from(s(&a, 0).to_uppercase()),
        "lower" => Value::from(s(&a, 0).to_lowercase()),
        "title" => Value::from(title(&s(&a, 0))),
        "untitle" => Value::from(
            s(&a, 0)
                .split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "replace" => {
            let (old, new, st) = (s(&a, 0), s(&a, 1), s(&a, 2));
            let hits = if old.is_empty() {
                st.chars().count() + 1
            } else {
                st.matches(old.as_str()).count()
            };
            fits(name, hits.checked_mul(new.len()).map(|n| n + st.len()))?;
            Value::from(st.replace(&old, &new))
        }
        "contains" => Value::Bool(s(&a, 1).contains(&s(&a, 0))),
        "hasPrefix" => Value::Bool(s(&a, 1).starts_with(&s(&a, 0))),
        "hasSuffix" => Value::Bool(s(&a, 1).ends_with(&s(&a, 0))),
        "repeat" => {
            let (st, n) = (s(&a, 1), to_i64(&a[0]).max(0) as usize);
            fits(name, st.len().checked_mul(n))?;
            Value::from(st.repeat(n))
        }
        "substr" => {
            let st = s(&a, 2);
            let n = st.len() as i64;
            let (mut i, mut j) = (to_i64(&a[0]), to_i64(&a[1]));
            if i < 0 {
                i = 0;
            }
            if j < 0 || j > n {
                j = n;
            }
            Value::from(if i > j {
                String::new()
            } else {
                byte_slice(&st, i as usize, j as usize)
            })
        }
        "nospace" => Value::from(
            s(&a, 0)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>(),
        ),
        "cat" => Value::from(
            a.iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(strval)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "split" => indexed(s(&a, 1).split(s(&a, 0).as_str())),
        "splitList" => list(s(&a, 1).split(s(&a, 0).as_str()).map(Value::from).collect()),
        "splitn" => indexed(s(&a, 2).splitn(to_i64(&a[1]).max(0) as usize, s(&a, 0).as_str())),
        "join" => {
            let sep = s(&a, 0);
            if let Value::List(l) = &a[1] {
                let strs: usize = l
                    .iter()
                    .map(|x| match x {
                        Value::Str(t) => t.len(),
                        _ => 0,
                    })
                    .sum();
                fits(name, l.len().checked_mul(sep.len()).map(|n| n + strs))?;
            }
            Value::from(strslice(&a[1]).join(&sep))
        }
        "sortAlpha" => {
            let mut v = strslice(a.first().unwrap_or(&Value::Nil));
            v.sort();
            list(v.into_iter().map(Value::from).collect())
        }
        "abbrev" => {
            let w = to_i64(&a[0]);
            let st = s(&a, 1);
            Value::from(if w < 4 || st.len() as i64 <= w {
                st
            } else {
                format!("{}...", byte_slice(&st, 0, (w - 3) as usize))
            })
        }
        "wrap" | "wrapWith" => Value::from(s(&a, a.len().saturating_sub(1))),
        "plural" => Value::from(if to_i64(&a[2]) == 1 {
            s(&a, 0)
        } else {
            s(&a, 1)
        }),
        "snakecase" => Value::from(case_words(&s(&a, 0)).join("_")),
        "kebabcase" => Value::from(case_words(&s(&a, 0)).join("-")),
        "camelcase" => Value::from(
            s(&a, 0)
                .split(['_', '-', ' '])
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<String>(),
        ),
        "b64enc" => Value::from(b64(s(&a, 0).as_bytes())),
        "b64dec" => Value::from(String::from_utf8_lossy(&b64dec(&s(&a, 0))).into_owned()),
        "sha256sum" => Value::from(hex(&sha256(s(&a, 0).as_bytes()))),
        "adler32sum" => Value::from(adler32(s(&a, 0).as_bytes()).to_string()),
        "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
            Value::from("x".repeat(to_i64(&a[0]).clamp(0, 1024) as usize))
        }
        "uuidv4" => Value::from("00000000-0000-4000-8000-000000000000"),
        "now" => Value::from("1970-01-01 00:00:00 +0000 UTC"),
        "date" | "dateInZone" | "htmlDate" => Value::from("1970-01-01"),
        "base" => Value::from(s(&a, 0).rsplit('/').next().unwrap_or("").to_string()),
        "dir" => {
            let st = s(&a, 0);
            Value::from(match st.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => st[..i].to_string(),
                None => ".".to_string(),
            })
        }
        "ext" => {
            let st = s(&a, 0);
            let b = st.rsplit('/').next().unwrap_or("");
            Value::from(b.rfind('.').map(|i| b[i..].to_string()).unwrap_or_default())
        }
        "regexMatch" => Value::Bool(re(&s(&a, 0))?.is_match(&s(&a, 1))),
        "regexFind" => Value::from(
            re(&s(&a, 0))?
                .find(&s(&a, 1))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        ),
        "regexFindAll" => {
            let r = re(&s(&a, 0))?;
            let st = s(&a, 1);
            let n = to_i64(&a[2]);
            let it = r.find_iter(&st).map(|m| Value::from(m.as_str()));
            list(if n < 0 {
                it.collect()
            } else {
                it.take(n as usize).collect()
            })
        }
        "regexReplaceAll" | "regexReplaceAllLiteral" => {
            let r = re(&s(&a, 0))?;
            let (st, rep) = (s(&a, 1), s(&a, 2));
            let (mut total, mut over) = (st.len(), false);
            let out = r
                .replace_all(&st, |c: &regex::Captures| {
                    let mut piece = String::new();
                    if name == "regexReplaceAll" {
                        c.expand(&rep, &mut piece);
                    } else {
                        piece.push_str(&rep);
                    }
                    total = total.saturating_add(piece.len());
                    over |= total > MAX_STRING;
                    if over {
                        piece.clear();
                    }
                    piece
                })
                .into_owned();
            if over {
                fits(name, None)?;
            }
            Value::from(out)
        }
        "regexSplit" => {
            let r = re(&s(&a, 0))?;
            let st = s(&a, 1);
            let n = to_i64(&a[2]);
            let it = r.split(&st).map(Value::from);
            list(if n < 0 {
                it.collect()
            } else {
                it.take(n as usize).collect()
            })
        }
        "semverCompare" => Value::Bool(super::semver::matches(&s(&a, 0), &s(&a, 1))?),

        // Sprig: numbers.
        "int" | "int64" | "atoi" => Value::Int(to_i64(a.first().unwrap_or(&Value::Nil))),
        "float64" => Value::Float(to_f64(a.first().unwrap_or(&Value::Nil))),
        "add" => Value::Int(a.iter().map(to_i64).fold(0i64, i64::wrapping_add)),
        "add1" => Value::Int(to_i64(&a[0]).wrapping_add(1)),
        "sub" => Value::Int(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))),
        "mul" => Value::Int(a.iter().map(to_i64).fold(1i64, i64::wrapping_mul)),
        "div" => {
            let d = to_i64(&a[1]);
            if d == 0 {
                return Err("integer divide by zero".into());
            }
            Value::Int(to_i64(&a[0]).wrapping_div(d))
        }
        "mod" => {
            let d = to_i64(&a[1]);
            if d == 0 {
                return Err("integer divide by zero".into());
            }
            Value::Int(to_i64(&a[0]).wrapping_rem(d))
        }
        "max" | "biggest" => Value::Int(a.iter().map(to_i64).max().unwrap_or(0)),
        "min" => Value::Int(a.iter().map(to_i64).min().unwrap_or(0)),
        "addf" => Value::Float(a.iter().map(to_f64).sum()),
        "subf" => Value::Float(
            a.iter()
                .skip(1)
                .fold(a.first().map_or(0.0, to_f64), |x, y| x - to_f64(y)),
        ),
        "mulf" => Value::Float(a.iter().map(to_f64).product()),
        "divf" => Value::Float(
            a.iter()
                .skip(1)
                .fold(a.first().map_or(0.0, to_f64), |x, y| x / to_f64(y)),
        ),
        "maxf" => Value::Float(a.iter().map(to_f64).fold(f64::MIN, f64::max)),
        "minf" => Value::Float(a.iter().map(to_f64).fold(f64::MAX, f64::min)),
        "floor" => Value::Float(to_f64(&a[0]).floor()),
        "ceil" => Value::Float(to_f64(&a[0]).ceil()),
        "round" => {
            let p = 10f64.powi(to_i64(&a[1]) as i32);
            Value::Float((to_f64(&a[0]) * p).round() / p)
        }
        "until" => list(
            (0..to_i64(&a[0]).clamp(0, 1_000_000))
                .map(Value::Int)
                .collect(),
        ),
        "untilStep" => {
            let (st, en, step) = (to_i64(&a[0]), to_i64(&a[1]), to_i64(&a[2]));
            let mut v = Vec::new();
            let mut i = st;
            while step != 0 && ((step > 0 && i < en) || (step < 0 && i > en)) && v.len() < 1_000_000
            {
                v.push(Value::Int(i));
                let Some(next) = i.checked_add(step) else {
                    break;
                };
                i = next;
            }
            list(v)
        }
        "seq" => {
            let n: Vec<i64> = a.iter().map(to_i64).collect();
            let (st, step, en) = match n.as_slice() {
                [e] => (1, 1, *e),
                [s0, e] => (*s0, if s0 <= e { 1 } else { -1 }, *e),
                [s0, st, e] => (*s0, *st, *e),
                _ => return Ok(Value::from("")),
            };
            let mut v = Vec::new();
            let mut i = st;
            while step != 0
                && ((step > 0 && i <= en) || (step < 0 && i >= en))
                && v.len() < 1_000_000
            {
                v.push(i.to_string());
                let Some(next) = i.checked_add(step) else {
                    break;
                };
                i = next;
            }
            Value::from(v.join(" "))
        }

        // Sprig: lists.
        "list" | "tuple" => list(a.v),
        "first" => list_of(&a[0], name)?.first().cloned().unwrap_or_default(),
        "last" => list_of(&a[0], name)?.last().cloned().unwrap_or_default(),
        "rest" => list(list_of(&a[0], name)?.into_iter().skip(1).collect()),
        "initial" => {
            let mut l = list_of(&a[0], name)?;
            l.pop();
            list(l)
        }
        "append" | "push" => {
            let mut l = list_of(&a[0], name)?;
            l.push(a[1].clone());
            list(l)
        }
        "prepend" => {
            let mut l = list_of(&a[0], name)?;
            l.insert(0, a[1].clone());
            list(l)
        }
        "concat" => {
            let mut l = Vec::new();
            for x in a.iter() {
                l.extend(list_of(x, name)?);
            }
            list(l)
        }
        "reverse" => {
            let mut l = list_of(&a[0], name)?;
            l.reverse();
            list(l)
        }
        "uniq" => {
            let mut out: Vec<Value> = Vec::new();
            for x in list_of(&a[0], name)? {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            list(out)
        }
        "compact" => list(
            list_of(&a[0], name)?
                .into_iter()
                .filter(|x| !empty(x))
                .collect(),
        ),
        "has" => Value::Bool(list_of(&a[1], name)?.contains(&a[0])),
        "without" => {
            let l = list_of(&a[0], name)?;
            list(l.into_iter().filter(|x| !a[1..].contains(x)).collect())
        }

        // Sprig: dicts.
        "dict" => {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(strval(&pair[0]), pair.get(1).cloned().unwrap_or_default());
            }
            new_map(m)
        }
        "hasKey" => Value::Bool(map_of(&a[0], name)?.borrow().contains_key(&s(&a, 1))),
        "get" => map_of(&a[0], name)?
            .borrow()
            .get(&s(&a, 1))
            .cloned()
            .unwrap_or_else(|| Value::from("")),
        "set" => {
            let (m, k) = (map_of(&a[0], name)?, s(&a, 1));
            m.borrow_mut().insert(k, a[2].clone());
            Value::Map(m)
        }
        "unset" => {
            let (m, k) = (map_of(&a[0], name)?, s(&a, 1));
            m.borrow_mut().remove(&k);
            Value::Map(m)
        }
        "keys" => {
            let mut k = Vec::new();
            for x in a.iter() {
                k.extend(
                    map_of(x, name)?
                        .borrow()
                        .keys()
                        .map(|s| Value::from(s.as_str())),
                );
            }
            list(k)
        }
        "values" => list(map_of(&a[0], name)?.borrow().values().cloned().collect()),
        "pluck" => {
            let k = s(&a, 0);
            list(a[1..].iter().filter_map(|d| d.get(&k)).collect())
        }
        "pick" => {
            let m = map_of(&a[0], name)?;
            let keys: Vec<String> = a[1..].iter().map(strval).collect();
            new_map(
                m.borrow()
                    .iter()
                    .filter(|(k, _)| keys.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        "omit" => {
            let m = map_of(&a[0], name)?;
            let keys: Vec<String> = a[1..].iter().map(strval).collect();
            new_map(
                m.borrow()
                    .iter()
                    .filter(|(k, _)| !keys.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        "dig" => {
            if a.len() < 3 {
                return Err("dig: needs at least three arguments".into());
            }
            let d = &a[a.len() - 1];
            let def = &a[a.len() - 2];
            let mut cur = d.clone();
            for k in a.v.get(..a.len().saturating_sub(2)).unwrap_or(&[]) {
                match cur.get(&strval(k)) {
                    Some(v) => cur = v,
                    None => return Ok(def.clone()),
                }
            }
            cur
        }
        "merge" | "mergeOverwrite" => {
            let dst = map_of(a.first().unwrap_or(&Value::Nil), name)?;
            for src in &a[1..] {
                let src = map_of(src, name)?;
                if Rc::ptr_eq(&dst, &src) {
                    continue;
                }
                // A copy of the source's entries: the destination may hold the source (or be
                // held by it), and merging borrows every map it writes to.
                let entries = src.borrow().clone();
                merge_into(&dst, &entries, name == "mergeOverwrite", 0);
            }
            Value::Map(dst)
        }
        _ => return Err(format!("function {name:?} not defined")),
    })
}

/// Sprig's `split` result: `{_0: first, _1: second, ...}`.
fn indexed<'a>(parts: impl Iterator<Item = &'a str>) -> Value {
    new_map(
        parts
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), Value::from(p)))
            .collect(),
    )
}

fn err_map(e: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("Error".to_string(), Value::from(e));
    new_map(m)
}

/// mergo's map merge as Sprig calls it (`merge`: fill missing or empty; `mergeOverwrite`:
/// replace), nested maps merged in place.
fn merge_into(dst: &MapRef, src: &BTreeMap<String, Value>, overwrite: bool, depth: usize) {
    if depth > 64 {
        return;
    }
    for (k, sv) in src {
        let dv = dst.borrow().get(k).cloned();
        match (sv, &dv) {
            (Value::Nil, _) => {
                if overwrite {
                    dst.borrow_mut().insert(k.clone(), Value::Nil);
                }
            }
            (Value::Map(sm), Some(Value::Map(dm))) => {
                if !Rc::ptr_eq(sm, dm) {
                    let sm = sm.borrow().clone();
                    merge_into(dm, &sm, overwrite, depth + 1);
                }
            }
            _ => {
                if overwrite || dv.as_ref().is_none_or(empty) {
                    dst.borrow_mut().insert(k.clone(), sv.clone());
                }
            }
        }
    }
}

fn eq(a: &Value, b: &Value) -> bool {
    a == b
}

fn cmp(a: &Value, b: &Value) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.partial_cmp(&y).ok_or_else(|| "incomparable".to_string()),
            _ => Err(format!(
                "incompatible types for comparison: {} and {}",
                a.type_name(),
                b.type_name()
            )),
        },
    }
}

fn byte_slice(s: &str, i: usize, j: usize) -> String {
    let j = j.min(s.len());
    String::from_utf8_lossy(&s.as_bytes()[i.min(j)..j]).into_owned()
}

fn indent(n: i64, s: &str) -> Result<String, String> {
    let n = n.max(0) as usize;
    let lines = s.bytes().filter(|&b| b == b'\n').count() + 1;
    fits("indent", lines.checked_mul(n).map(|p| p + s.len()))?;
    let pad = " ".repeat(n);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn case_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c == '_' || c == '-' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn re(p: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(p)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("invalid regex {p:?}: {e}"))
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `fmt.Sprint`: spaces between operands when neither side is a string.
pub fn sprint(a: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 && !matches!(v, Value::Str(_)) && !matches!(a[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        out.push_str(&match v {
            Value::Nil => "<nil>".to_string(),
            v => v.to_go_string(),
        });
    }
    out
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            c if super::value::escape_common(c, &mut out) => {}
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Largest width or precision `fmt` accepts (larger ones print `%!(BADWIDTH)`/`%!(BADPREC)`).
const GO_FMT_MAX: usize = 1_000_000;

/// `fmt.Sprintf` for the verbs templates use.
pub fn sprintf(f: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = f.chars().peekable();
    let mut ai = 0;
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&fl) = it.peek() {
            if "+-# 0".contains(fl) {
                flags.push(fl);
                it.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = it.peek() {
            if d.is_ascii_digit() {
                width.push(d);
                it.next();
            } else {
                break;
            }
        }
        let mut w: usize = if width.is_empty() {
            0
        } else {
            width.parse().unwrap_or(usize::MAX)
        };
        if w > GO_FMT_MAX {
            out.push_str("%!(BADWIDTH)");
            w = 0;
        }
        let mut prec: Option<usize> = None;
        if it.peek() == Some(&'.') {
            it.next();
            let mut p = String::new();
            while let Some(&d) = it.peek() {
                if d.is_ascii_digit() {
                    p.push(d);
                    it.next();
                } else {
                    break;
                }
            }
            prec = Some(if p.is_empty() {
                0
            } else {
                p.parse().unwrap_or(usize::MAX)
            });
            if prec.is_some_and(|p| p > GO_FMT_MAX) {
                out.push_str("%!(BADPREC)");
                prec = None;
            }
        }
        let Some(verb) = it.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(ai) else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        ai += 1;
        let body = fmt_verb(verb, arg, &flags, prec);
        let len = body.chars().count();
        if len < w {
            let padn = w - len;
            if flags.contains('-') {
                out.push_str(&body);
                out.push_str(&" ".repeat(padn));
            } else if flags.contains('0')
                && matches!(verb, 'd' | 'f' | 'x' | 'X' | 'o' | 'b' | 'e' | 'g')
            {
                let (sign, digits) = match body.strip_prefix('-') {
                    Some(r) => ("-", r.to_string()),
                    None => ("", body.clone()),
                };
                out.push_str(sign);
                out.push_str(&"0".repeat(padn));
                out.push_str(&digits);
            } else {
                out.push_str(&" ".repeat(padn));
                out.push_str(&body);
            }
        } else {
            out.push_str(&body);
        }
    }
    if ai < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[ai..]
            .iter()
            .map(|v| format!("{}={}", v.type_name(), strval(v)))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn bad(verb: char, v: &Value) -> String {
    match v {
        Value::Nil => format!("%!{verb}(<nil>)"),
        v => format!("%!{verb}({}={})", v.type_name(), v.to_go_string()),
    }
}

fn fmt_verb(verb: char, v: &Value, flags: &str, prec: Option<usize>) -> String {
    let plus = flags.contains('+');
    match verb {
        'v' => match v {
            Value::Nil => "<nil>".into(),
            Value::Str(s) if flags.contains('#') => go_quote(s),
            v => v.to_go_string(),
        },
        's' => match v {
            Value::Str(s) => match prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.to_string(),
            },
            Value::List(_) | Value::Map(_) => v.to_go_string(),
            _ => bad(verb, v),
        },
        'q' => match v {
            Value::Str(s) => go_quote(s),
            Value::Int(i) => format!("'{}'", char::from_u32(*i as u32).unwrap_or('?')),
            _ => bad(verb, v),
        },
        'd' => match v {
            Value::Int(i) => {
                if plus && *i >= 0 {
                    format!("+{i}")
                } else {
                    i.to_string()
                }
            }
            _ => bad(verb, v),
        },
        't' => match v {
            Value::Bool(b) => b.to_string(),
            _ => bad(verb, v),
        },
        'x' | 'X' => {
            let s = match v {
                Value::Int(i) => format!("{i:x}"),
                Value::Str(s) => s.bytes().map(|b| format!("{b:02x}")).collect(),
                _ => return bad(verb, v),
            };
            if verb == 'X' { s.to_uppercase() } else { s }
        }
        'o' => match v {
            Value::Int(i) => format!("{i:o}"),
            _ => bad(verb, v),
        },
        'b' => match v {
            Value::Int(i) => format!("{i:b}"),
            _ => bad(verb, v),
        },
        'c' => match v {
            Value::Int(i) => char::from_u32(*i as u32)
                .map(String::from)
                .unwrap_or_default(),
            _ => bad(verb, v),
        },
        'f' | 'F' => match v {
            Value::Float(f) => format!("{:.*}", prec.unwrap_or(6), f),
            _ => bad(verb, v),
        },
        'e' => match v {
            Value::Float(f) => {
                let s = format!("{:.*e}", prec.unwrap_or(6), f);
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let e: i32 = e.parse().unwrap_or(0);
                format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
            }
            _ => bad(verb, v),
        },
        'g' => match v {
            Value::Float(f) => super::value::format_float_g(*f),
            _ => bad(verb, v),
        },
        _ => format!("%!{verb}({}={})", v.type_name(), v.to_go_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Encodings and hashes.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            B64[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            B64[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn b64dec(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match B64.iter().position(|&x| x == c) {
            Some(v) => v as u32,
            None => continue,
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

/// SHA-256 (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bitlen = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bitlen.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v[7] = v[6];
            v[6] = v[5];
            v[5] = v[4];
            v[4] = v[3].wrapping_add(t1);
            v[3] = v[2];
            v[2] = v[1];
            v[1] = v[0];
            v[0] = t1.wrapping_add(t2);
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    let mut out = [0u8; 32];
    for i in 0..8 {
        out[4 * i..4 * i + 4].copy_from_slice(&h[i].to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_checks_its_arity_and_never_panics() {
        let kinds = || {
            vec![
                Value::Nil,
                Value::Int(-1),
                Value::Int(i64::MIN),
                Value::Float(-1e300),
                Value::from("%*9999999d\n$0"),
                list(vec![Value::Int(1), Value::from("a")]),
                new_map(BTreeMap::from([("k".to_string(), Value::Int(2))])),
            ]
        };
        for &(name, least, most) in ARITY {
            if least > 0 {
                let e = call(name, vec![Value::Nil; least - 1]).unwrap_err();
                assert!(
                    e.contains(name) && e.contains("wrong number of args"),
                    "{e}"
                );
                let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
                assert!(call(&must, vec![]).unwrap_err().contains(&must));
            }
            if most != ANY {
                let e = call(name, vec![Value::Nil; most + 1]).unwrap_err();
                assert!(e.contains(name), "{e}");
            }
            if matches!(name, "and" | "or" | "include" | "tpl") {
                continue; // evaluated by the executor
            }
            for n in least..=most.min(least + 3) {
                for (i, k) in kinds().into_iter().enumerate() {
                    let _ = call(name, vec![k; n]);
                    let mixed: Vec<Value> = (0..n).map(|j| kinds()[(i + j) % 7].clone()).collect();
                    let _ = call(name, mixed);
                }
            }
            // Every combination of boundary values for the first three arguments.
            let edges = || {
                vec![
                    Value::Int(i64::MIN),
                    Value::Int(i64::MAX),
                    Value::Int(0),
                    Value::Int(-3),
                    Value::Float(f64::NAN),
                    Value::Float(1e300),
                    Value::from(""),
                    Value::from("9223372036854775807"),
                    Value::from("-9223372036854775808"),
                    Value::from("é1"),
                ]
            };
            let n = least.clamp(1, 3).min(most);
            let e = edges().len();
            for code in 0..e.pow(n as u32) {
                let args: Vec<Value> = (0..n)
                    .map(|j| edges()[(code / e.pow(j as u32)) % e].clone())
                    .collect();
                let _ = call(name, args);
            }
        }
        assert_eq!(
            call("has", vec![]).unwrap_err(),
            "wrong number of args for has: want 2 got 0"
        );
        assert_eq!(call("dict", vec![Value::Nil]).map(|v| v.kind()), Ok("map"));
        assert!(
            call("nosuch", vec![])
                .unwrap_err()
                .contains("\"nosuch\" not defined")
        );
        assert!(
            call("repeat", vec![Value::Int(1 << 40), Value::from("ab")])
                .unwrap_err()
                .contains("longer than")
        );
    }

    #[test]
    fn hashes_and_encodings() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(b64(b"hello"), "aGVsbG8=");
        assert_eq!(b64dec("aGVsbG8="), b"hello");
    }

    #[test]
    fn printf_like_go() {
        let a = [Value::Int(3), Value::from("a"), Value::Float(1e6)];
        assert_eq!(sprintf("%d-%s-%v", &a), "3-a-1e+06");
        assert_eq!(sprintf("%d", &[Value::Float(2.0)]), "%!d(float64=2)");
        assert_eq!(
            sprintf(
                "%05d|%-3s|%q",
                &[Value::Int(42), Value::from("x"), Value::from("q\"")]
            ),
            "00042|x  |\"q\\\"\""
        );
        assert_eq!(
            sprint(&[
                Value::Int(1),
                Value::Int(2),
                Value::from("a"),
                Value::Int(3)
            ]),
            "1 2a3"
        );
    }
}
