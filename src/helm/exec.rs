//! Execution of parsed templates over [`Value`]s, with a step and depth budget, and a source
//! map from every byte of a top-level template's output to the template span that wrote it.

use super::funcs;
use super::template::{Arg, Branch, Cmd, Item, Pipe, Span};
use super::value::{Value, list};
use std::collections::HashMap;
use std::rc::Rc;

/// Steps (items, commands) one chart rendering may take.
pub const STEP_BUDGET: u64 = 5_000_000;
/// Nested `include`/`template`/`tpl` calls (Helm stops at 1000).
pub const MAX_DEPTH: usize = 50;
/// Largest output of one template or include, bytes.
pub const MAX_OUTPUT: usize = 64 << 20;
/// Most iterations of `range` over an integer (as Sprig's `until` caps its list): the list is
/// built before the body runs, so a huge count would otherwise allocate without bound.
pub const MAX_RANGE_INT: i64 = 1_000_000;

/// A template body and the source it was parsed from.
#[derive(Clone)]
pub struct Body {
    pub file: usize,
    pub items: Rc<Vec<Item>>,
}

/// Every template text and named template of a rendering.
#[derive(Default)]
pub struct Set {
    /// Template path (`chart/templates/x.yaml`) and text, by file index.
    pub files: Vec<(String, Rc<str>)>,
    pub defines: HashMap<String, Body>,
}

impl Set {
    pub fn add_file(&mut self, name: String, text: Rc<str>) -> usize {
        self.files.push((name, text));
        self.files.len() - 1
    }
}

/// Where evaluation failed: file index, byte offset, message, function (if one failed).
#[derive(Clone, Debug)]
pub struct EvalError {
    pub file: usize,
    pub offset: usize,
    pub message: String,
    pub function: Option<String>,
}

pub enum Flow {
    Break,
    Continue,
    Err(EvalError),
}

impl From<EvalError> for Flow {
    fn from(e: EvalError) -> Flow {
        Flow::Err(e)
    }
}

/// One segment of the source map: output bytes `out` came from `src` of file `file`.
#[derive(Clone, Debug, PartialEq)]
pub struct Seg {
    pub out: Span,
    pub file: usize,
    pub src: Span,
}

pub struct Out {
    pub text: String,
    pub map: Option<Vec<Seg>>,
    /// With a map: the actions of the top-level template that printed a chart value, as
    /// (action offset, values key path such as `serviceAccount.annotations`).
    pub values: Vec<(usize, Rc<str>)>,
}

impl Out {
    pub fn new(mapped: bool) -> Out {
        Out {
            text: String::new(),
            map: mapped.then(Vec::new),
            values: Vec::new(),
        }
    }
}

/// The maps of a chart's values by address, each with its key path (`""` for the root): a
/// value an action reads out of one of them comes from that key of the values files. The
/// maps are held, so an address is never reused while the index lives.
pub type ValuesIndex = HashMap<usize, (super::value::MapRef, Rc<str>)>;

fn addr(m: &super::value::MapRef) -> usize {
    Rc::as_ptr(m) as *const () as usize
}

/// Index the maps of `values` (until `idx` holds `limit` maps) by address, their key paths
/// below `prefix` (a subchart's values under its key in the parent's: `agent.rbac`).
pub fn index_values(values: &Value, prefix: &str, limit: usize, idx: &mut ValuesIndex) {
    let mut todo: Vec<(Value, Rc<str>)> = vec![(values.clone(), Rc::from(prefix))];
    while let Some((v, path)) = todo.pop() {
        let Value::Map(m) = v else { continue };
        if idx.len() >= limit || idx.contains_key(&addr(&m)) {
            continue;
        }
        for (k, child) in m.borrow().iter() {
            if matches!(child, Value::Map(_)) {
                todo.push((child.clone(), join_key(&path, k)));
            }
        }
        idx.insert(addr(&m), (m, path));
    }
}

fn join_key(path: &str, k: &str) -> Rc<str> {
    if path.is_empty() {
        Rc::from(k)
    } else {
        Rc::from(format!("{path}.{k}"))
    }
}

impl Out {
    fn push(&mut self, s: &str, file: usize, src: Span) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(s);
        if let Some(m) = &mut self.map {
            m.push(Seg {
                out: start..self.text.len(),
                file,
                src,
            });
        }
    }
}

pub struct Exec<'a> {
    pub set: &'a mut Set,
    pub steps: u64,
    pub depth: usize,
    vars: Vec<(String, Value)>,
    /// Current file and action offset (for errors).
    file: usize,
    at: usize,
    /// The chart's values maps (see [`ValuesIndex`]); empty: no values source map.
    pub values: Rc<ValuesIndex>,
    /// The last values key the current top-level action read.
    touched: Option<Rc<str>>,
    /// The values key of dot when dot is a list or scalar of the values (the body of
    /// `with .Values.rules` or `range .Values.rules` in the top-level template).
    dot_key: Option<Rc<str>>,
}

type R<T> = Result<T, EvalError>;

impl<'a> Exec<'a> {
    pub fn new(set: &'a mut Set) -> Exec<'a> {
        Exec {
            set,
            steps: 0,
            depth: 0,
            vars: Vec::new(),
            file: 0,
            at: 0,
            values: Rc::default(),
            touched: None,
            dot_key: None,
        }
    }

    pub fn fail(&self, message: impl Into<String>, function: Option<&str>) -> EvalError {
        EvalError {
            file: self.file,
            offset: self.at,
            message: message.into(),
            function: function.map(str::to_string),
        }
    }

    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return Err(self.fail(
                format!(
                    "{}: template evaluation took more than {STEP_BUDGET} steps",
                    crate::lang::yaml::BUDGET_EXCEEDED
                ),
                None,
            ));
        }
        Ok(())
    }

    /// Execute a body with `dot` (and `$` = dot) into `out`.
    pub fn run(&mut self, body: &Body, dot: &Value, out: &mut Out) -> R<()> {
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".to_string(), dot.clone())]);
        let saved = (self.file, self.at);
        self.file = body.file;
        let items = body.items.clone();
        let r = self.list(&items, dot, out);
        self.vars = saved_vars;
        let r = match r {
            Ok(()) => Ok(()),
            Err(Flow::Err(e)) => Err(e),
            Err(_) => Err(self.fail("break or continue outside range", None)),
        };
        (self.file, self.at) = saved;
        r
    }

    fn list(&mut self, items: &[Item], dot: &Value, out: &mut Out) -> Result<(), Flow> {
        for it in items {
            self.step()?;
            if out.text.len() > MAX_OUTPUT {
                return Err(self
                    .fail(
                        format!(
                            "{}: template output larger than {} MiB",
                            crate::lang::yaml::BUDGET_EXCEEDED,
                            MAX_OUTPUT >> 20
                        ),
                        None,
                    )
                    .into());
            }
            match it {
                Item::Text(span) => {
                    let text = self.set.files[self.file].1.clone();
                    out.push(&text[span.clone()], self.file, span.clone());
                }
                Item::Action(span, pipe) => {
                    self.at = span.start;
                    let top = out.map.is_some();
                    if top {
                        self.touched = None;
                    }
                    let v = self.pipe(pipe, dot)?;
                    if pipe.decl.is_empty() {
                        let s = print_value(&v);
                        out.push(&s, self.file, span.clone());
                        if top
                            && !s.is_empty()
                            && let Some(t) = self.touched.take()
                        {
                            out.values.push((span.start, t));
                        }
                    }
                }
                Item::If(b) | Item::With(b) => {
                    self.at = b.span.start;
                    let mark = self.vars.len();
                    let with = matches!(it, Item::With(_));
                    let key = self.keyed(with && out.map.is_some());
                    let v = self.pipe(&b.pipe, dot)?;
                    // `with` runs its body with the value as dot.
                    let inner = if with { &v } else { dot };
                    let r = if v.truthy() {
                        let outer = self.dot_key.clone();
                        if with {
                            self.dot_key = key.then(|| self.touched.take()).flatten();
                        }
                        let r = self.list(&b.list, inner, out);
                        self.dot_key = outer;
                        r
                    } else if let Some(el) = &b.else_list {
                        self.list(el, dot, out)
                    } else {
                        Ok(())
                    };
                    self.vars.truncate(mark);
                    r?;
                }
                Item::Range(b) => self.range(b, dot, out)?,
                Item::Template(span, name, pipe) => {
                    self.at = span.start;
                    let data = match pipe {
                        Some(p) => self.pipe(p, dot)?,
                        None => Value::Nil,
                    };
                    let s = self.include(name, &data)?;
                    out.push(&s, self.file, span.clone());
                }
                Item::Break(_) => return Err(Flow::Break),
                Item::Continue(_) => return Err(Flow::Continue),
            }
        }
        Ok(())
    }

    fn range(&mut self, b: &Branch, dot: &Value, out: &mut Out) -> Result<(), Flow> {
        self.at = b.span.start;
        let mark = self.vars.len();
        // The declared variables are set per element, not to the pipeline's value.
        let mut pipe = b.pipe.clone();
        let decl = std::mem::take(&mut pipe.decl);
        let key = self.keyed(out.map.is_some());
        let v = self.pipe(&pipe, dot)?;
        let key = key.then(|| self.touched.take()).flatten();
        let elems: Vec<(Value, Value)> = match &v {
            Value::List(l) => l
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::Int(i as i64), x.clone()))
                .collect(),
            Value::Map(m) => m
                .borrow()
                .iter()
                .map(|(k, x)| (Value::from(k.as_str()), x.clone()))
                .collect(),
            Value::Files(f) => f
                .iter()
                .map(|(k, x)| {
                    (
                        Value::from(k.as_str()),
                        Value::from(String::from_utf8_lossy(x).into_owned()),
                    )
                })
                .collect(),
            Value::Int(n) if *n > MAX_RANGE_INT => {
                return Err(self
                    .fail(
                        format!("range over {n}: more than {MAX_RANGE_INT} iterations"),
                        None,
                    )
                    .into());
            }
            Value::Int(n) => (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect(),
            Value::Nil => Vec::new(),
            other => {
                return Err(self
                    .fail(
                        format!("range can't iterate over {}", other.to_go_string()),
                        None,
                    )
                    .into());
            }
        };
        if elems.is_empty() {
            if let Some(el) = &b.else_list {
                let r = self.list(el, dot, out);
                self.vars.truncate(mark);
                r?;
            }
            return Ok(());
        }
        for (k, x) in elems {
            self.vars.truncate(mark);
            match decl.len() {
                0 => {}
                1 => self.vars.push((decl[0].clone(), x.clone())),
                _ => {
                    self.vars.push((decl[0].clone(), k));
                    self.vars.push((decl[1].clone(), x.clone()));
                }
            }
            let outer = std::mem::replace(&mut self.dot_key, key.clone());
            let r = self.list(&b.list, &x, out);
            self.dot_key = outer;
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => {
                    self.vars.truncate(mark);
                    return Err(e);
                }
            }
        }
        self.vars.truncate(mark);
        Ok(())
    }

    /// `include`/`template`: the named template's output.
    pub fn include(&mut self, name: &str, data: &Value) -> R<String> {
        let body = match self.set.defines.get(name) {
            Some(b) => b.clone(),
            None => {
                return Err(self.fail(
                    format!("template: no template {name:?} associated with template"),
                    Some("include"),
                ));
            }
        };
        self.nested(
            &body,
            data,
            "include",
            &format!("recursive include of {name:?}"),
        )
    }

    /// Run a named template or `tpl` text one level deeper, into a string.
    fn nested(&mut self, body: &Body, data: &Value, func: &str, what: &str) -> R<String> {
        if self.depth >= MAX_DEPTH {
            return Err(self.fail(
                format!(
                    "{}: templates nested deeper than {MAX_DEPTH} ({what})",
                    crate::lang::yaml::BUDGET_EXCEEDED
                ),
                Some(func),
            ));
        }
        self.depth += 1;
        // Dot is another value in there.
        let outer_key = self.dot_key.take();
        let mut out = Out::new(false);
        let r = self.run(body, data, &mut out);
        self.depth -= 1;
        self.dot_key = outer_key;
        r?;
        Ok(out.text)
    }

    /// `tpl`: parse and execute a string as a template, with the current named templates.
    pub fn tpl(&mut self, text: &str, data: &Value) -> R<String> {
        let parsed = super::template::parse(text)
            .map_err(|e| self.fail(format!("tpl: parse error: {}", e.message), Some("tpl")))?;
        let name = self.set.files[self.file].0.clone();
        let file = self.set.add_file(name, Rc::from(text));
        for (n, items) in parsed.defines {
            self.set.defines.insert(
                n,
                Body {
                    file,
                    items: Rc::new(items),
                },
            );
        }
        let body = Body {
            file,
            items: Rc::new(parsed.body),
        };
        self.nested(&body, data, "tpl", "tpl")
    }

    fn var(&self, name: &str) -> R<Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.fail(format!("undefined variable: {name}"), None))
    }

    pub fn pipe(&mut self, p: &Pipe, dot: &Value) -> R<Value> {
        let mut v: Option<Value> = None;
        for c in &p.cmds {
            self.step()?;
            v = Some(self.cmd(c, dot, v)?);
        }
        let v = v.unwrap_or_default();
        if p.assign {
            for name in &p.decl {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(self.fail(format!("undefined variable: {name}"), None)),
                }
            }
        } else {
            for name in &p.decl {
                self.vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn cmd(&mut self, c: &Cmd, dot: &Value, piped: Option<Value>) -> R<Value> {
        let head = &c.args[0];
        match head {
            Arg::Ident(name) => self.call(name, &c.args[1..], dot, piped),
            Arg::Field(path) if c.args.len() > 1 || piped.is_some() => {
                // A method call with arguments (`.Files.Get "x"`).
                let recv = self.walk(dot.clone(), &path[..path.len() - 1])?;
                let mut args = Vec::new();
                for a in &c.args[1..] {
                    args.push(self.arg(a, dot)?);
                }
                args.extend(piped);
                self.method(&recv, &path[path.len() - 1], args)
            }
            Arg::Nil => Err(self.fail("nil is not a command", None)),
            _ => {
                if c.args.len() > 1 || piped.is_some() {
                    return Err(self.fail("can't give argument to non-function", None));
                }
                self.arg(head, dot)
            }
        }
    }

    /// Before the pipeline of a `with` or `range` (`top`: in the top-level template, with a
    /// values source map): forget the last key read, so that the one the pipeline reads is
    /// the body's dot's.
    fn keyed(&mut self, top: bool) -> bool {
        let keyed = top && !self.values.is_empty();
        if keyed {
            self.touched = None;
        }
        keyed
    }

    /// Note that a value was read from key `k` of map `m` (`None`: `m` itself).
    fn touch(&mut self, m: &super::value::MapRef, k: Option<&str>) {
        if let Some((_, path)) = self.values.get(&addr(m)) {
            match k {
                Some(k) => self.touched = Some(join_key(path, k)),
                None if !path.is_empty() => self.touched = Some(path.clone()),
                None => {}
            }
        }
    }

    fn arg(&mut self, a: &Arg, dot: &Value) -> R<Value> {
        match a {
            Arg::Dot => {
                if !self.values.is_empty() && dot.truthy() {
                    match dot {
                        Value::Map(m) if self.values.contains_key(&addr(m)) => self.touch(m, None),
                        _ => {
                            if let Some(k) = &self.dot_key {
                                self.touched = Some(k.clone());
                            }
                        }
                    }
                }
                Ok(dot.clone())
            }
            Arg::Field(path) => self.walk(dot.clone(), path),
            Arg::Var(name, path) => {
                let v = self.var(name)?;
                self.walk(v, path)
            }
            Arg::Ident(name) => self.call(name, &[], dot, None),
            Arg::Str(s) => Ok(Value::from(s.as_str())),
            Arg::Int(i) => Ok(Value::Int(*i)),
            Arg::Float(f) => Ok(Value::Float(*f)),
            Arg::Bool(b) => Ok(Value::Bool(*b)),
            Arg::Nil => Ok(Value::Nil),
            Arg::Sub(p, path) => {
                let v = self.pipe(p, dot)?;
                self.walk(v, path)
            }
        }
    }

    /// Field access along `path`. As in Go, a nil reached by a map lookup cannot be walked
    /// further (an error), while a nil that a pipeline, variable or dot produced walks to nil.
    fn walk(&mut self, mut v: Value, path: &[String]) -> R<Value> {
        let mut looked_up = false;
        for f in path {
            v = match &v {
                Value::Map(m) => {
                    let x = match m.borrow().get(f.as_str()) {
                        Some(x) => x.clone(),
                        // `.Values.AsMap` (a method of Helm's values type).
                        None if f == "AsMap" => v.clone(),
                        None => Value::Nil,
                    };
                    // Only a value that can print something says where the output came
                    // from (an empty `nameOverride` a helper reads does not).
                    if !self.values.is_empty() && x.truthy() {
                        self.touch(m, Some(f));
                    }
                    x
                }
                Value::Nil if !looked_up => return Ok(Value::Nil),
                Value::Nil => {
                    return Err(
                        self.fail(format!("nil pointer evaluating interface {{}}.{f}"), None)
                    );
                }
                Value::Files(_) | Value::ApiVersions(_) => self.method(&v, f, Vec::new())?,
                other => {
                    return Err(self.fail(
                        format!("can't evaluate field {f} in type {}", other.type_name()),
                        None,
                    ));
                }
            };
            looked_up = true;
        }
        Ok(v)
    }

    fn method(&mut self, recv: &Value, name: &str, args: Vec<Value>) -> R<Value> {
        let s0 = args.first().map(funcs::strval).unwrap_or_default();
        match (recv, name) {
            (Value::Files(f), "Get") => Ok(Value::from(
                f.get(&s0)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            )),
            (Value::Files(f), "GetBytes") => Ok(Value::from(
                f.get(&s0)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default(),
            )),
            (Value::Files(f), "Lines") => Ok(list(
                f.get(&s0)
                    .map(|b| {
                        String::from_utf8_lossy(b)
                            .split('\n')
                            .map(Value::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            )),
            (Value::Files(f), "Glob") => {
                let g = globset::GlobBuilder::new(&s0)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| self.fail(format!("bad glob {s0:?}: {e}"), Some("Glob")))?
                    .compile_matcher();
                Ok(Value::Files(Rc::new(
                    f.iter()
                        .filter(|(k, _)| g.is_match(k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )))
            }
            // The files by base name, as text (a ConfigMap's data) or base64 (a Secret's).
            (Value::Files(f), "AsConfig" | "AsSecrets") => {
                let m: std::collections::BTreeMap<String, Value> = f
                    .iter()
                    .map(|(k, v)| {
                        let base = k.rsplit('/').next().unwrap_or(k).to_string();
                        let v = if name == "AsConfig" {
                            String::from_utf8_lossy(v).into_owned()
                        } else {
                            funcs::b64(v)
                        };
                        (base, Value::from(v))
                    })
                    .collect();
                Ok(Value::from(
                    super::value::to_yaml(&super::value::new_map(m))
                        .trim_end_matches('\n')
                        .to_string(),
                ))
            }
            (Value::ApiVersions(a), "Has") => Ok(Value::Bool(a.contains(&s0))),
            (Value::Map(_), _) if args.is_empty() => self.walk(recv.clone(), &[name.to_string()]),
            _ => Err(self.fail(
                format!("can't evaluate field {name} in type {}", recv.type_name()),
                None,
            )),
        }
    }

    fn call(&mut self, name: &str, args: &[Arg], dot: &Value, piped: Option<Value>) -> R<Value> {
        // Short-circuit logic evaluates lazily.
        if name == "and" || name == "or" {
            let mut last = Value::Nil;
            let n = args.len() + usize::from(piped.is_some());
            if n == 0 {
                return Err(self.fail(
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                    Some(name),
                ));
            }
            for a in args {
                last = self.arg(a, dot)?;
                if (name == "and") != last.truthy() {
                    return Ok(last);
                }
            }
            if let Some(p) = piped {
                last = p;
            }
            return Ok(last);
        }
        let mut vals = Vec::with_capacity(args.len() + 1);
        for a in args {
            vals.push(self.arg(a, dot)?);
        }
        vals.extend(piped);
        if matches!(name, "include" | "tpl") {
            funcs::check_arity(name, vals.len()).map_err(|m| self.fail(m, Some(name)))?;
        }
        match name {
            "include" => {
                let n = vals.first().map(funcs::strval).unwrap_or_default();
                let data = vals.get(1).cloned().unwrap_or_default();
                self.include(&n, &data).map(Value::from)
            }
            "tpl" => {
                let t = vals.first().map(funcs::strval).unwrap_or_default();
                let data = vals.get(1).cloned().unwrap_or_default();
                self.tpl(&t, &data).map(Value::from)
            }
            _ => {
                let v = funcs::call(name, vals).map_err(|m| self.fail(m, Some(name)))?;
                // Functions that build or nest values keep them within the writers' limits.
                if matches!(
                    name,
                    "set"
                        | "dict"
                        | "list"
                        | "tuple"
                        | "append"
                        | "push"
                        | "prepend"
                        | "concat"
                        | "merge"
                        | "mergeOverwrite"
                        | "mustMerge"
                        | "mustMergeOverwrite"
                        | "mustAppend"
                        | "mustPush"
                        | "mustPrepend"
                ) {
                    super::value::check_shape(&v).map_err(|m| self.fail(m, Some(name)))?;
                }
                Ok(v)
            }
        }
    }
}

/// What an action prints (`<no value>` becomes empty, as Helm does).
pub fn print_value(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Str(s) => s.to_string(),
        v => v.to_go_string(),
    }
}
