//! Module-local evaluation of Terraform expressions over the located value tree.
//!
//! Values remember where they were written (`at`), the uses they flowed through (`via`, e.g. the
//! `var.x` reference) and, for strings built by templates, which byte ranges came from other
//! values (`pieces`), so a wildcard can be reported where it is written.

use crate::lang::{Node, Span, V};
use hcl::edit::Span as _;
use hcl::edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl::edit::template::{Element, Template};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

const MAX_DEPTH: usize = 48;

/// Estimated bytes one analysis (a project, or a file on its own) may spend on evaluation: a
/// step per expression evaluated plus every value copied or string built. Past it the values
/// still to evaluate are unknown and the analysis reports where it ran out.
pub const EVAL_BUDGET: usize = 128 << 20;
/// Share of the budget one value (a local, an attribute, a block with its `dynamic` blocks)
/// may spend: a bomb in one value does not starve the others.
pub const VALUE_BUDGET_SHARE: usize = 8;
/// The evaluation budget: [`EVAL_BUDGET`], or `NHILINT_EVAL_BUDGET` bytes (tests use a small
/// one to reach it quickly; a huge repository may need a bigger one).
pub fn eval_budget() -> usize {
    static B: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *B.get_or_init(|| crate::guard::budget_from_env("NHILINT_EVAL_BUDGET", EVAL_BUDGET))
}

/// Cost of one evaluation step (about the size of a value).
const STEP: usize = std::mem::size_of::<Val>();
/// What an exhausted budget leaves in a value.
pub const BUDGET_UNKNOWN: &str = "evaluation budget exceeded";

/// `128 MiB`, `512 KiB`, `900 bytes`.
fn size(b: usize) -> String {
    match b {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The evaluation budget of one analysis, shared by the scopes of all its module instances.
/// Values evaluate inside windows ([`Budget::window`]): a window ends early, as unknown, when
/// it spent its share or the whole budget is gone.
#[derive(Debug)]
pub struct Budget {
    total: usize,
    spent: Cell<usize>,
    /// Limits of the open windows (innermost last), and whether the limit is the window's own
    /// share (else an enclosing window's limit or the whole budget bounds it).
    limits: RefCell<Vec<(usize, bool)>>,
    /// Where the budget ran out: the first place per file, what ran out there.
    exceeded: RefCell<Vec<(At, String)>>,
    /// Files `file()` and `templatefile()` read (indexes in the analysis), and whether one was
    /// read from disk: what an evaluation depends on besides its modules' own files.
    read: RefCell<Vec<usize>>,
    read_disk: Cell<bool>,
}

impl Budget {
    pub fn new(total: usize) -> Rc<Budget> {
        Rc::new(Budget {
            total,
            spent: Cell::new(0),
            limits: RefCell::new(Vec::new()),
            exceeded: RefCell::new(Vec::new()),
            read: RefCell::new(Vec::new()),
            read_disk: Cell::new(false),
        })
    }

    /// A budget of `total` with nothing left (what is evaluated with it records that the
    /// budget is used up).
    pub fn used_up(total: usize) -> Rc<Budget> {
        let b = Budget::new(total);
        b.spent.set(total.saturating_add(1));
        b
    }

    fn limit(&self) -> usize {
        self.limits.borrow().last().map_or(self.total, |l| l.0)
    }

    /// Spend `units`; false once the innermost window (or the whole budget) is exhausted. What
    /// does not fit exhausts the innermost window only: a huge request (a string that would
    /// grow to gigabytes) costs the rest of its window, not the budget of everything else.
    pub fn charge(&self, units: usize) -> bool {
        let limit = self.limit();
        let s = self.spent.get().saturating_add(units);
        if s <= limit {
            self.spent.set(s);
            return true;
        }
        self.spent
            .set(self.spent.get().max(limit.saturating_add(1)));
        false
    }

    pub fn exhausted(&self) -> bool {
        self.spent.get() > self.limit()
    }

    /// The scanned files read by `file()`/`templatefile()`, and whether a file was read from
    /// disk.
    pub fn reads(&self) -> (Vec<usize>, bool) {
        (self.read.borrow().clone(), self.read_disk.get())
    }

    /// What has been spent so far.
    pub fn spent(&self) -> usize {
        self.spent.get()
    }

    /// The whole budget is gone (no window can run).
    pub fn spent_all(&self) -> bool {
        self.spent.get() > self.total
    }

    /// Run `f` (the evaluation of `what`) with a share of what is left; `None` (and `at`
    /// recorded) when it ran out.
    /// The window that ran out records where: its own share (or, outermost, the whole budget)
    /// was the limit; inner windows bounded by it do not.
    pub fn window<T>(&self, at: &At, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        if self.exhausted() {
            if self.spent_all() {
                self.record(at, None);
            }
            return None;
        }
        let share = self
            .spent
            .get()
            .saturating_add(self.total / VALUE_BUDGET_SHARE);
        let outer = self.limit();
        let outermost = self.limits.borrow().is_empty();
        let (limit, own) = if share <= outer {
            (share, true)
        } else {
            (outer, outermost)
        };
        self.limits.borrow_mut().push((limit, own));
        let v = f();
        self.limits.borrow_mut().pop();
        if self.spent.get() > limit {
            if own {
                self.record(at, Some(what));
            }
            return None;
        }
        Some(v)
    }

    /// [`Budget::window`] outside the enclosing windows: a value evaluated once and shared (a
    /// local) has its own share, whoever uses it first, and its cost is not theirs.
    pub fn window_detached<T>(&self, at: &At, what: &str, f: impl FnOnce() -> T) -> Option<T> {
        let saved = std::mem::take(&mut *self.limits.borrow_mut());
        let before = self.spent.get();
        let v = self.window(at, what, f);
        let cost = self.spent.get().saturating_sub(before);
        *self.limits.borrow_mut() = saved
            .into_iter()
            .map(|(l, own)| (l.saturating_add(cost).min(self.total), own))
            .collect();
        v
    }

    /// Record that the budget ran out at `at`, evaluating `what` (`None`: whatever comes
    /// next). Once per file: the first place is the cause.
    pub fn record(&self, at: &At, what: Option<&str>) {
        let mut ex = self.exceeded.borrow_mut();
        if ex.iter().any(|(a, _)| a.file == at.file) {
            return;
        }
        let msg = match what {
            Some(w) if !self.spent_all() => format!(
                "{w} needs more than its share ({}) of the Terraform evaluation budget; it is left unknown",
                size(self.total / VALUE_BUDGET_SHARE)
            ),
            _ => format!(
                "the Terraform evaluation budget ({}) is used up; values and module instances from here on are left unknown",
                size(self.total)
            ),
        };
        ex.push((at.clone(), msg));
    }

    /// Where the budget ran out, first place per file.
    pub fn exceeded(&self) -> Vec<(At, String)> {
        self.exceeded.borrow().clone()
    }

    /// Estimated size of a copy of `v`, walked up to `cap + 1`.
    pub fn weight(v: &Val, cap: usize) -> usize {
        let mut total = 0usize;
        let mut stack = vec![v];
        while let Some(v) = stack.pop() {
            total += STEP
                + v.via.len() * std::mem::size_of::<At>()
                + v.pieces.len() * std::mem::size_of::<(Span, At, Vec<At>)>();
            match &v.k {
                K::Unknown(s) | K::Num(s) | K::Str(s, _) | K::DocRef(s) => total += s.len(),
                K::List(items) => stack.extend(items.iter()),
                K::Obj(es) => {
                    for (k, v) in es {
                        total += k.len();
                        stack.push(v);
                    }
                }
                K::Null | K::Bool(_) => {}
            }
            if total > cap {
                return total;
            }
        }
        total
    }

    /// Charge a copy of `v`; false when it does not fit.
    fn charge_copy(&self, v: &Val) -> bool {
        let room = self.limit().saturating_sub(self.spent.get());
        self.charge(Budget::weight(v, room))
    }
}

/// A location: index of the file in the analysis and a byte span in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct At {
    pub file: usize,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Val {
    pub k: K,
    pub at: At,
    /// Uses the value flowed through (`var.x`, `local.y`), outermost last.
    pub via: Vec<At>,
    /// For template strings: byte ranges of the string that came from another value.
    pub pieces: Vec<(Span, At, Vec<At>)>,
}

#[derive(Clone, Debug)]
pub enum K {
    /// Not known statically; holds the expression text or a reason.
    Unknown(String),
    Null,
    Bool(bool),
    Num(String),
    /// A string; `true` when part of it is unevaluated `${…}` text.
    Str(String, bool),
    List(Vec<Val>),
    Obj(Vec<(String, Val)>),
    /// `data.aws_iam_policy_document.<name>.json`.
    DocRef(String),
}

impl Val {
    pub fn new(k: K, at: At) -> Val {
        Val {
            k,
            at,
            via: Vec::new(),
            pieces: Vec::new(),
        }
    }

    pub fn unknown(why: impl Into<String>, at: At) -> Val {
        Val::new(K::Unknown(why.into()), at)
    }

    /// The string, when known (partial strings included).
    pub fn str(&self) -> Option<&str> {
        match &self.k {
            K::Str(s, _) => Some(s),
            _ => None,
        }
    }

    /// A fully known string.
    pub fn known_str(&self) -> Option<&str> {
        match &self.k {
            K::Str(s, false) => Some(s),
            _ => None,
        }
    }

    /// Scalar rendered as text (fully known only).
    pub fn scalar(&self) -> Option<String> {
        match &self.k {
            K::Str(s, false) => Some(s.clone()),
            K::Num(n) => Some(n.clone()),
            K::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.k, K::Unknown(_)) || matches!(self.k, K::Str(_, true))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.k, K::Null)
    }

    pub fn unknown_text(&self) -> Option<&str> {
        match &self.k {
            K::Unknown(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.k {
            K::Bool(b) => Some(*b),
            K::Str(s, false) => match s.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.k {
            K::Num(n) => n.parse().ok(),
            K::Str(s, false) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Object entry (first match).
    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.k {
            K::Obj(es) => es.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Case-insensitive object entry.
    pub fn get_ci(&self, key: &str) -> Option<&Val> {
        match &self.k {
            K::Obj(es) => es
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Every entry with this key (repeated nested blocks).
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Val> + 'a {
        let es: &[(String, Val)] = match &self.k {
            K::Obj(es) => es,
            _ => &[],
        };
        es.iter().filter(move |(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn entries(&self) -> &[(String, Val)] {
        match &self.k {
            K::Obj(es) => es,
            _ => &[],
        }
    }

    /// A list's items, or the value itself as a one-item list (IAM allows either).
    pub fn items(&self) -> Vec<&Val> {
        match &self.k {
            K::List(items) => items.iter().collect(),
            K::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// Where the byte `i` of this string was written (template pieces resolve to their source).
    pub fn origin_of(&self, i: usize) -> (At, Vec<At>) {
        for (r, at, via) in &self.pieces {
            if r.start <= i && i < r.end {
                let mut v = via.clone();
                v.extend(self.via.iter().cloned());
                return (at.clone(), v);
            }
        }
        (self.at.clone(), self.via.clone())
    }

    /// Record a use the value flowed through, on the value and everything inside it.
    fn with_via(mut self, use_at: At) -> Val {
        self.add_via(&use_at, 0);
        self
    }

    /// Record a place the value (and everything inside it) is used through: an instance's
    /// `for_each`/`count` for every value of its body.
    pub fn add_use(&mut self, use_at: &At) {
        self.add_via(use_at, 0);
    }

    fn add_via(&mut self, use_at: &At, depth: usize) {
        self.via.push(use_at.clone());
        if depth > 8 {
            return;
        }
        match &mut self.k {
            K::List(items) => items.iter_mut().for_each(|i| i.add_via(use_at, depth + 1)),
            K::Obj(es) => es
                .iter_mut()
                .for_each(|(_, v)| v.add_via(use_at, depth + 1)),
            _ => {}
        }
    }

    /// Render for messages (short, no secrets: callers only render non-secret fields).
    pub fn display(&self) -> String {
        match &self.k {
            K::Unknown(t) => format!("${{{t}}}"),
            K::Null => "null".into(),
            K::Bool(b) => b.to_string(),
            K::Num(n) => n.clone(),
            K::Str(s, _) => s.clone(),
            K::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|v| v.display())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            K::Obj(_) => "{…}".into(),
            K::DocRef(n) => format!("data.aws_iam_policy_document.{n}.json"),
        }
    }
}

/// The entry of a block instance's body (in [`Scope::blocks`]) holding its address: an
/// attribute the body does not set (`arn`, `id`) reads as the reference
/// `aws_iam_role.ci["publish"].arn`. No HCL key can be written with it.
pub const ADDRESS_KEY: &str = "\u{0}address";

/// A file of the analysis: its path and text, and the Terraform body when it is one.
pub struct FileRef<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub root: Option<&'a Node>,
    /// `.tf.json` / plan: strings with `${` are templates.
    pub json_strings_are_templates: bool,
}

/// The evaluation scope of one module instance.
pub struct Scope<'a> {
    pub files: &'a [FileRef<'a>],
    /// Module directory (forward slashes, `""` for the root).
    pub dir: String,
    pub vars: HashMap<String, Val>,
    pub locals: HashMap<String, (usize, &'a Node)>,
    /// Scan root on disk, for `file()` of files that are not part of the scan.
    pub disk_root: Option<PathBuf>,
    /// Extra names (iterators of `dynamic` blocks): name → value.
    pub iters: RefCell<Vec<(String, Val)>>,
    /// Blocks of the instance a `for_each` may iterate over (`aws_iam_role.ci`,
    /// `data.x.y`): their instances as a map (for_each), list (count) or object, each
    /// instance's body with its address under [`ADDRESS_KEY`].
    pub blocks: RefCell<HashMap<String, Val>>,
    /// Resolve references to [`Scope::blocks`] (while evaluating a `for_each`/`count`).
    pub resolve_blocks: std::cell::Cell<bool>,
    cache: RefCell<HashMap<String, Val>>,
    busy: RefCell<HashSet<String>>,
    /// Shared by every scope of one analysis.
    pub budget: Rc<Budget>,
}

impl<'a> Scope<'a> {
    pub fn new(files: &'a [FileRef<'a>], dir: String) -> Scope<'a> {
        Scope {
            files,
            dir,
            vars: HashMap::new(),
            locals: HashMap::new(),
            disk_root: None,
            iters: RefCell::new(Vec::new()),
            blocks: RefCell::new(HashMap::new()),
            resolve_blocks: std::cell::Cell::new(false),
            cache: RefCell::new(HashMap::new()),
            busy: RefCell::new(HashSet::new()),
            budget: Budget::new(eval_budget()),
        }
    }

    /// Evaluate a value-tree node of file `file` (one value: a window of the budget).
    pub fn eval(&self, file: usize, n: &Node) -> Val {
        let at = Self::at(file, n.span.clone());
        self.budget
            .window(&at, "this value", || self.eval_node(file, n, 0))
            .unwrap_or_else(|| Val::unknown(BUDGET_UNKNOWN, at))
    }

    /// A copy of `v` for a use of it (a variable, a local, an iterator), charged to the budget.
    fn copy(&self, v: &Val, at: &At) -> Val {
        if self.budget.charge_copy(v) {
            v.clone()
        } else {
            Val::unknown(BUDGET_UNKNOWN, at.clone())
        }
    }

    /// A string built by a function or template, charged to the budget.
    fn built(&self, s: String, partial: bool, at: At) -> Val {
        if self.budget.charge(s.len()) {
            Val::new(K::Str(s, partial), at)
        } else {
            Val::unknown(BUDGET_UNKNOWN, at)
        }
    }

    fn at(file: usize, span: Span) -> At {
        At { file, span }
    }

    fn eval_node(&self, file: usize, n: &Node, depth: usize) -> Val {
        let at = Self::at(file, n.span.clone());
        if depth > MAX_DEPTH {
            return Val::unknown("expression too deep", at);
        }
        if !self.budget.charge(STEP) {
            return Val::unknown(BUDGET_UNKNOWN, at);
        }
        match &n.v {
            V::Null => Val::new(K::Null, at),
            V::Bool(b) => Val::new(K::Bool(*b), at),
            V::Num(s) => Val::new(K::Num(s.clone()), at),
            V::Str(s) => {
                let templ = self
                    .files
                    .get(file)
                    .is_some_and(|f| f.json_strings_are_templates);
                if templ && s.contains("${") {
                    match hcl::edit::parser::parse_template(s) {
                        Ok(t) => {
                            // Spans inside the JSON string: +1 for the opening quote (escapes
                            // make this approximate, which only affects columns).
                            self.template(&t, file, n.span.start + 1, at, depth)
                        }
                        Err(_) => Val::new(K::Str(s.clone(), false), at),
                    }
                } else {
                    Val::new(K::Str(s.clone(), false), at)
                }
            }
            V::Seq(items) => Val::new(
                K::List(
                    items
                        .iter()
                        .map(|i| self.eval_node(file, i, depth + 1))
                        .collect(),
                ),
                at,
            ),
            V::Map(es) => {
                // A key written twice keeps its last value, as Terraform does.
                let out = es
                    .iter()
                    .map(|e| (e.key.clone(), self.eval_node(file, &e.value, depth + 1)))
                    .collect();
                Val::new(K::Obj(last_wins(out)), at)
            }
            V::Block(b) => Val::new(
                K::Obj(
                    b.body
                        .iter()
                        .map(|e| (e.key.clone(), self.eval_node(file, &e.value, depth + 1)))
                        .collect(),
                ),
                at,
            ),
            V::Call(name, args) => {
                let vals: Vec<Val> = args
                    .iter()
                    .map(|a| self.eval_node(file, a, depth + 1))
                    .collect();
                self.call(name, vals, file, at, depth)
            }
            V::Expr(text) => match hcl::edit::parser::parse_expr(text) {
                Ok(e) => self.eval_expr(&e, file, n.span.start, depth + 1),
                Err(_) => Val::unknown(text.trim().to_string(), at),
            },
        }
    }

    fn span_of(e: &Expression, base: usize) -> Span {
        match e.span() {
            Some(s) => s.start + base..s.end + base,
            None => base..base,
        }
    }

    fn src_text(&self, at: &At) -> String {
        self.files
            .get(at.file)
            .and_then(|f| f.text.get(at.span.clone()))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    pub fn eval_expr(&self, e: &Expression, file: usize, base: usize, depth: usize) -> Val {
        let at = Self::at(file, Self::span_of(e, base));
        if depth > MAX_DEPTH {
            return Val::unknown("expression too deep", at);
        }
        if !self.budget.charge(STEP) {
            return Val::unknown(BUDGET_UNKNOWN, at);
        }
        match e {
            Expression::Null(_) => Val::new(K::Null, at),
            Expression::Bool(b) => Val::new(K::Bool(*b.value()), at),
            Expression::Number(n) => Val::new(K::Num(n.value().to_string()), at),
            Expression::String(s) => Val::new(K::Str(s.value().to_string(), false), at),
            Expression::Array(a) => Val::new(
                K::List(
                    a.iter()
                        .map(|x| self.eval_expr(x, file, base, depth + 1))
                        .collect(),
                ),
                at,
            ),
            Expression::Object(o) => {
                let mut es = Vec::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(x) => {
                            let kv = self.eval_expr(x, file, base, depth + 1);
                            match kv.scalar() {
                                Some(s) => s,
                                None => kv.display(),
                            }
                        }
                    };
                    es.push((key, self.eval_expr(v.expr(), file, base, depth + 1)));
                }
                Val::new(K::Obj(last_wins(es)), at)
            }
            Expression::StringTemplate(t) => {
                // Template elements carry spans relative to the expression text.
                let els: Vec<&Element> = t.iter().collect();
                self.elements(&els, file, base, at, depth)
            }
            Expression::HeredocTemplate(h) => {
                let mut h2 = (**h).clone();
                if h2.indent().is_some() {
                    h2.dedent();
                }
                let els: Vec<&Element> = h2.template.iter().collect();
                self.elements(&els, file, base, at, depth)
            }
            Expression::Parenthesis(p) => self.eval_expr(p.inner(), file, base, depth + 1),
            Expression::Variable(v) => {
                let name = v.as_str();
                if let Some((_, val)) = self.iters.borrow().iter().rev().find(|(n, _)| n == name) {
                    return self.copy(val, &at).with_via(at);
                }
                Val::unknown(name.to_string(), at)
            }
            Expression::Conditional(c) => {
                let cond = self.eval_expr(&c.cond_expr, file, base, depth + 1);
                match cond.as_bool() {
                    Some(true) => self.eval_expr(&c.true_expr, file, base, depth + 1),
                    Some(false) => self.eval_expr(&c.false_expr, file, base, depth + 1),
                    None => Val::unknown(self.src_text(&at), at),
                }
            }
            Expression::FuncCall(f) => {
                let mut name = String::new();
                for ns in &f.name.namespace {
                    name.push_str(ns.as_str());
                    name.push_str("::");
                }
                name.push_str(f.name.name.as_str());
                let args: Vec<Val> = f
                    .args
                    .iter()
                    .map(|a| self.eval_expr(a, file, base, depth + 1))
                    .collect();
                self.call(&name, args, file, at, depth)
            }
            Expression::Traversal(t) => self.traversal(t, file, base, at, depth),
            Expression::UnaryOp(u) => {
                let v = self.eval_expr(&u.expr, file, base, depth + 1);
                match (u.operator.value(), &v.k) {
                    (UnaryOperator::Not, _) if v.as_bool().is_some() => {
                        Val::new(K::Bool(!v.as_bool().unwrap_or(false)), at)
                    }
                    (UnaryOperator::Neg, K::Num(n)) => Val::new(K::Num(format!("-{n}")), at),
                    _ => Val::unknown(self.src_text(&at), at),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.eval_expr(&b.lhs_expr, file, base, depth + 1);
                let r = self.eval_expr(&b.rhs_expr, file, base, depth + 1);
                let op = b.operator.value();
                let known = |v: &Val| {
                    v.scalar().or(if v.is_null() {
                        Some("null".into())
                    } else {
                        None
                    })
                };
                match op {
                    BinaryOperator::Eq | BinaryOperator::NotEq => match (known(&l), known(&r)) {
                        (Some(a), Some(bb)) => {
                            Val::new(K::Bool((a == bb) == matches!(op, BinaryOperator::Eq)), at)
                        }
                        _ => Val::unknown(self.src_text(&at), at),
                    },
                    BinaryOperator::And | BinaryOperator::Or => match (l.as_bool(), r.as_bool()) {
                        (Some(a), Some(bb)) => Val::new(
                            K::Bool(if matches!(op, BinaryOperator::And) {
                                a && bb
                            } else {
                                a || bb
                            }),
                            at,
                        ),
                        _ => Val::unknown(self.src_text(&at), at),
                    },
                    _ => match (l.as_f64(), r.as_f64()) {
                        (Some(a), Some(bb)) => {
                            let v = match op {
                                BinaryOperator::Plus => Some(a + bb),
                                BinaryOperator::Minus => Some(a - bb),
                                BinaryOperator::Mul => Some(a * bb),
                                BinaryOperator::Div if bb != 0.0 => Some(a / bb),
                                _ => None,
                            };
                            match v {
                                Some(x) => Val::new(K::Num(fmt_num(x)), at),
                                None => Val::unknown(self.src_text(&at), at),
                            }
                        }
                        _ => Val::unknown(self.src_text(&at), at),
                    },
                }
            }
            Expression::ForExpr(f) => self.for_expr(f, file, base, at, depth),
        }
    }

    /// `[for x in c : e if cond]` and `{for k, v in c : k => v if cond}` (grouping with `...`)
    /// over a known collection; unknown when the collection (or a filter) is not known.
    fn for_expr(
        &self,
        f: &hcl::edit::expr::ForExpr,
        file: usize,
        base: usize,
        at: At,
        depth: usize,
    ) -> Val {
        let coll = self.eval_expr(&f.intro.collection_expr, file, base, depth + 1);
        let items: Vec<(Val, Val)> = match coll.k {
            K::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::new(K::Num(i.to_string()), v.at.clone()), v))
                .collect(),
            K::Obj(es) => {
                let mut es = es;
                es.sort_by(|a, b| a.0.cmp(&b.0));
                es.into_iter()
                    .map(|(k, v)| (Val::new(K::Str(k, false), v.at.clone()), v))
                    .collect()
            }
            K::Null => Vec::new(),
            _ => return Val::unknown(self.src_text(&at), at),
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut obj: Vec<(String, Val)> = Vec::new();
        let mut groups: HashMap<String, usize> = HashMap::new();
        for (k, v) in items {
            let pushed = {
                let mut it = self.iters.borrow_mut();
                if let Some(kv) = &key_var {
                    it.push((kv.clone(), k));
                    it.push((value_var.clone(), v));
                    2
                } else {
                    it.push((value_var.clone(), v));
                    1
                }
            };
            let out = (|| {
                if let Some(c) = &f.cond {
                    match self.eval_expr(&c.expr, file, base, depth + 1).as_bool() {
                        Some(true) => {}
                        Some(false) => return Some(None),
                        None => return None,
                    }
                }
                let key = match &f.key_expr {
                    Some(ke) => match self.eval_expr(ke, file, base, depth + 1).scalar() {
                        Some(s) => Some(s),
                        None => return None,
                    },
                    None => None,
                };
                Some(Some((
                    key,
                    self.eval_expr(&f.value_expr, file, base, depth + 1),
                )))
            })();
            {
                let mut it = self.iters.borrow_mut();
                for _ in 0..pushed {
                    it.pop();
                }
            }
            match out {
                None => return Val::unknown(self.src_text(&at), at),
                Some(None) => {}
                Some(Some((None, v))) => list.push(v),
                Some(Some((Some(k), v))) => {
                    if f.grouping {
                        match groups.get(&k) {
                            Some(&g) => {
                                if let K::List(l) = &mut obj[g].1.k {
                                    l.push(v)
                                }
                            }
                            None => {
                                groups.insert(k.clone(), obj.len());
                                obj.push((k, Val::new(K::List(vec![v]), at.clone())));
                            }
                        }
                    } else {
                        obj.push((k, v));
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Val::new(K::Obj(last_wins(obj)), at)
        } else {
            Val::new(K::List(list), at)
        }
    }

    fn template(&self, t: &Template, file: usize, base: usize, at: At, depth: usize) -> Val {
        let els: Vec<&Element> = t.iter().collect();
        self.elements(&els, file, base, at, depth)
    }

    fn elements(&self, els: &[&Element], file: usize, base: usize, at: At, depth: usize) -> Val {
        // A template that is a single interpolation yields the value itself.
        if let [Element::Interpolation(i)] = els {
            return self.eval_expr(&i.expr, file, base, depth + 1);
        }
        let mut s = String::new();
        let mut partial = false;
        let mut pieces = Vec::new();
        for el in els {
            match el {
                Element::Literal(l) => s.push_str(l.value()),
                Element::Interpolation(i) => {
                    let v = self.eval_expr(&i.expr, file, base, depth + 1);
                    let start = s.len();
                    match v.scalar() {
                        Some(t) => s.push_str(&t),
                        None => {
                            partial = true;
                            match &v.k {
                                K::Str(t, true) => s.push_str(t),
                                K::Unknown(t) => {
                                    s.push_str("${");
                                    s.push_str(t);
                                    s.push('}');
                                }
                                _ => {
                                    let sp = Self::span_of(&i.expr, base);
                                    s.push_str("${");
                                    s.push_str(&self.src_text(&Self::at(file, sp)));
                                    s.push('}');
                                }
                            }
                        }
                    }
                    if v.at.file != file || !v.via.is_empty() || !v.pieces.is_empty() {
                        for (r, pat, pvia) in &v.pieces {
                            let mut pv = pvia.clone();
                            pv.extend(v.via.iter().cloned());
                            pieces.push((r.start + start..r.end + start, pat.clone(), pv));
                        }
                        pieces.push((start..s.len(), v.at.clone(), v.via.clone()));
                    }
                }
                Element::Directive(_) => {
                    partial = true;
                    s.push_str("%{…}");
                }
            }
        }
        let mut v = self.built(s, partial, at);
        if matches!(v.k, K::Str(..)) {
            v.pieces = pieces;
        }
        v
    }

    fn traversal(
        &self,
        t: &hcl::edit::expr::Traversal,
        file: usize,
        base: usize,
        at: At,
        depth: usize,
    ) -> Val {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let attr = |i: usize| -> Option<&str> {
            match ops.get(i) {
                Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
                _ => None,
            }
        };
        let root = match &t.expr {
            Expression::Variable(v) => v.as_str().to_string(),
            other => {
                let v = self.eval_expr(other, file, base, depth + 1);
                return self.apply_ops(v, &ops, 0, file, base, at, depth);
            }
        };
        let text = self.src_text(&at);
        match root.as_str() {
            "var" => {
                let Some(name) = attr(0) else {
                    return Val::unknown(text, at);
                };
                match self.vars.get(name) {
                    Some(v) => {
                        let v = self.copy(v, &at).with_via(at.clone());
                        self.apply_ops(v, &ops, 1, file, base, at, depth)
                    }
                    None => Val::unknown(format!("var.{name}"), at),
                }
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return Val::unknown(text, at);
                };
                match self.local(name, &at, depth) {
                    Some(v) => {
                        let v = v.with_via(at.clone());
                        self.apply_ops(v, &ops, 1, file, base, at, depth)
                    }
                    None => Val::unknown(format!("local.{name}"), at),
                }
            }
            "path" => match attr(0) {
                Some("module") | Some("root") | Some("cwd") => {
                    let d = if self.dir.is_empty() { "." } else { &self.dir };
                    Val::new(K::Str(d.to_string(), false), at)
                }
                _ => Val::unknown(text, at),
            },
            "data" => {
                if let (Some(t), Some(n)) = (attr(0), attr(1))
                    && let Some(v) = self.block_value(&format!("data.{t}.{n}"), &at)
                {
                    return self.apply_ops(v, &ops, 2, file, base, at, depth);
                }
                let json = |i: usize| matches!(attr(i), Some("json") | Some("minified_json"));
                if attr(0) == Some("aws_iam_policy_document")
                    && let Some(name) = attr(1)
                {
                    if json(2) {
                        return Val::new(K::DocRef(name.to_string()), at);
                    }
                    // `data.aws_iam_policy_document.this[0].json`: that instance (any, when
                    // the index is not known).
                    if let Some(TraversalOperator::Index(e)) = ops.get(2)
                        && json(3)
                    {
                        let i = self.eval_expr(e, file, base, depth + 1);
                        let doc = match (&i.k, i.scalar()) {
                            (K::Str(..), Some(k)) => format!("{name}[{k:?}]"),
                            (_, Some(k)) => format!("{name}[{k}]"),
                            _ => name.to_string(),
                        };
                        return Val::new(K::DocRef(doc), at);
                    }
                }
                Val::unknown(self.ref_text(&root, &ops, &text, file, base, depth), at)
            }
            _ => {
                let bound = {
                    let it = self.iters.borrow();
                    it.iter()
                        .rev()
                        .find(|(n, _)| *n == root)
                        .map(|(_, v)| self.copy(v, &at))
                };
                if let Some(v) = bound {
                    let v = v.with_via(at.clone());
                    return self.apply_ops(v, &ops, 0, file, base, at, depth);
                }
                if let Some(v) = attr(0).and_then(|a| self.block_value(&format!("{root}.{a}"), &at))
                {
                    return self.apply_ops(v, &ops, 1, file, base, at, depth);
                }
                Val::unknown(self.ref_text(&root, &ops, &text, file, base, depth), at)
            }
        }
    }

    /// The instances of a block of [`Scope::blocks`] (only while `resolve_blocks`).
    fn block_value(&self, base: &str, at: &At) -> Option<Val> {
        if !self.resolve_blocks.get() {
            return None;
        }
        let v = self.blocks.borrow().get(base).map(|v| self.copy(v, at))?;
        Some(v.with_via(at.clone()))
    }

    /// A reference to something not evaluated here (a resource attribute), as written but with
    /// its indexes evaluated: `aws_iam_role.ci[each.key].arn` → `aws_iam_role.ci["publish"].arn`.
    fn ref_text(
        &self,
        root: &str,
        ops: &[&TraversalOperator],
        text: &str,
        file: usize,
        base: usize,
        depth: usize,
    ) -> String {
        if !ops
            .iter()
            .any(|o| matches!(o, TraversalOperator::Index(e) if !matches!(e, Expression::Number(_) | Expression::String(_))))
        {
            return text.to_string();
        }
        let mut out = root.to_string();
        for op in ops {
            match op {
                TraversalOperator::GetAttr(a) => {
                    out.push('.');
                    out.push_str(a.as_str());
                }
                TraversalOperator::Index(e) => {
                    let v = self.eval_expr(e, file, base, depth + 1);
                    match (&v.k, v.scalar()) {
                        (K::Str(..), Some(s)) => out.push_str(&format!("[{s:?}]")),
                        (_, Some(s)) => out.push_str(&format!("[{s}]")),
                        _ => return text.to_string(),
                    }
                }
                TraversalOperator::LegacyIndex(n) => out.push_str(&format!(".{}", n.value())),
                TraversalOperator::AttrSplat(_) => out.push_str(".*"),
                TraversalOperator::FullSplat(_) => out.push_str("[*]"),
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_ops(
        &self,
        mut v: Val,
        ops: &[&TraversalOperator],
        from: usize,
        file: usize,
        base: usize,
        at: At,
        depth: usize,
    ) -> Val {
        for op in ops.iter().skip(from) {
            if matches!(v.k, K::Unknown(_)) {
                return Val::unknown(self.src_text(&at), at);
            }
            let next = match op {
                TraversalOperator::GetAttr(a) => match v.get(a.as_str()) {
                    Some(x) => Some(x.clone()),
                    // An attribute a block instance does not set: the reference to it.
                    None => match v.get(ADDRESS_KEY).and_then(|x| x.known_str()) {
                        Some(addr) => return Val::unknown(format!("{addr}.{a}"), at),
                        None => None,
                    },
                },
                TraversalOperator::Index(e) => {
                    let i = self.eval_expr(e, file, base, depth + 1);
                    match (&v.k, i.scalar()) {
                        (K::List(items), Some(ix)) => {
                            ix.parse::<usize>().ok().and_then(|n| items.get(n).cloned())
                        }
                        (K::Obj(_), Some(key)) => v.get(&key).cloned(),
                        _ => None,
                    }
                }
                TraversalOperator::LegacyIndex(n) => match &v.k {
                    K::List(items) => items.get(*n.value() as usize).cloned(),
                    _ => None,
                },
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    // The rest of the traversal applies to each element (a single value is a
                    // one-element list, null an empty one).
                    let i = ops
                        .iter()
                        .position(|o| std::ptr::eq(*o, *op))
                        .unwrap_or(from);
                    let items = match v.k {
                        K::List(items) => items,
                        K::Null => Vec::new(),
                        _ => vec![v],
                    };
                    let out = items
                        .into_iter()
                        .map(|x| self.apply_ops(x, ops, i + 1, file, base, at.clone(), depth + 1))
                        .collect();
                    return Val::new(K::List(out), at);
                }
            };
            match next {
                Some(mut n) => {
                    n.via.extend(v.via.iter().cloned());
                    v = n;
                }
                None => return Val::unknown(self.src_text(&at), at),
            }
        }
        v
    }

    /// `local.<name>`, evaluated once (in a window of the budget) and copied for each use.
    fn local(&self, name: &str, use_at: &At, depth: usize) -> Option<Val> {
        if let Some(v) = self.cache.borrow().get(name) {
            return Some(self.copy(v, use_at));
        }
        let (file, node) = *self.locals.get(name)?;
        if !self.busy.borrow_mut().insert(name.to_string()) {
            return None; // cycle
        }
        let at = Self::at(file, node.span.clone());
        let v = self
            .budget
            .window_detached(&at, &format!("`local.{name}`"), || {
                self.eval_node(file, node, depth + 1)
            })
            .unwrap_or_else(|| Val::unknown(BUDGET_UNKNOWN, at));
        self.busy.borrow_mut().remove(name);
        let copy = self.copy(&v, use_at);
        self.cache.borrow_mut().insert(name.to_string(), v);
        Some(copy)
    }

    fn call(&self, name: &str, args: Vec<Val>, file: usize, at: At, _depth: usize) -> Val {
        let unknown = |at: At| Val::unknown(format!("{name}(…)"), at);
        let first = args.first();
        match name {
            "jsonencode" | "tolist" | "tomap" | "sensitive" | "nonsensitive" => {
                match args.into_iter().next() {
                    Some(v) => v,
                    None => unknown(at),
                }
            }
            "toset" | "distinct" => match args.into_iter().next() {
                Some(Val {
                    k: K::List(items),
                    at: lat,
                    via,
                    pieces,
                }) => {
                    // Known scalars once each (a set of strings, as `for_each` takes it).
                    let mut seen = HashSet::new();
                    let items = items
                        .into_iter()
                        .filter(|i| match i.scalar() {
                            Some(s) => seen.insert(s),
                            None => true,
                        })
                        .collect();
                    Val {
                        k: K::List(items),
                        at: lat,
                        via,
                        pieces,
                    }
                }
                Some(v) => v,
                None => unknown(at),
            },
            "length" => match first.map(|v| &v.k) {
                Some(K::List(items)) => Val::new(K::Num(items.len().to_string()), at),
                Some(K::Obj(es)) => Val::new(K::Num(es.len().to_string()), at),
                Some(K::Str(s, false)) => Val::new(K::Num(s.chars().count().to_string()), at),
                _ => unknown(at),
            },
            "keys" | "values" => match first.map(|v| &v.k) {
                Some(K::Obj(es)) => {
                    let mut es: Vec<&(String, Val)> = es.iter().collect();
                    es.sort_by(|a, b| a.0.cmp(&b.0));
                    let items = es
                        .into_iter()
                        .map(|(k, v)| {
                            if name == "keys" {
                                Val::new(K::Str(k.clone(), false), v.at.clone())
                            } else {
                                v.clone()
                            }
                        })
                        .collect();
                    Val::new(K::List(items), at)
                }
                _ => unknown(at),
            },
            "one" => match first.map(|v| &v.k) {
                Some(K::List(items)) if items.len() <= 1 => items
                    .first()
                    .cloned()
                    .unwrap_or_else(|| Val::new(K::Null, at)),
                _ => unknown(at),
            },
            "contains" => match (first.map(|v| &v.k), args.get(1).and_then(|v| v.scalar())) {
                (Some(K::List(items)), Some(x)) if items.iter().all(|i| i.scalar().is_some()) => {
                    Val::new(
                        K::Bool(items.iter().any(|i| i.scalar().as_deref() == Some(&x))),
                        at,
                    )
                }
                _ => unknown(at),
            },
            "zipmap" => match (first.map(|v| &v.k), args.get(1).map(|v| &v.k)) {
                (Some(K::List(ks)), Some(K::List(vs))) if ks.len() == vs.len() => {
                    let mut es = Vec::with_capacity(ks.len());
                    for (k, v) in ks.iter().zip(vs.iter()) {
                        match k.scalar() {
                            Some(k) => es.push((k, v.clone())),
                            None => return unknown(at),
                        }
                    }
                    Val::new(K::Obj(last_wins(es)), at)
                }
                _ => unknown(at),
            },
            "split" => match (
                args.first().and_then(|v| v.known_str()),
                args.get(1).and_then(|v| v.known_str()),
            ) {
                (Some(sep), Some(s)) if !sep.is_empty() => {
                    if !self.budget.charge(s.len()) {
                        return Val::unknown(BUDGET_UNKNOWN, at);
                    }
                    let items = s
                        .split(sep)
                        .map(|p| Val::new(K::Str(p.to_string(), false), at.clone()))
                        .collect();
                    Val::new(K::List(items), at)
                }
                _ => unknown(at),
            },
            "range" => {
                let n: Vec<f64> = args.iter().filter_map(|v| v.as_f64()).collect();
                let (start, end, step) = match (args.len(), n.as_slice()) {
                    (1, [e]) => (0.0, *e, 1.0),
                    (2, [s, e]) => (*s, *e, 1.0),
                    (3, [s, e, st]) => (*s, *e, *st),
                    _ => return unknown(at),
                };
                if step == 0.0 || ((end - start) / step) > 1024.0 {
                    return unknown(at);
                }
                let mut items = Vec::new();
                let mut x = start;
                while (step > 0.0 && x < end) || (step < 0.0 && x > end) {
                    items.push(Val::new(K::Num(fmt_num(x)), at.clone()));
                    x += step;
                }
                Val::new(K::List(items), at)
            }
            "tostring" | "trimspace" | "lower" | "upper" => match first.and_then(|v| v.str()) {
                Some(s) => {
                    let out = match name {
                        "lower" => s.to_lowercase(),
                        "upper" => s.to_uppercase(),
                        "trimspace" => s.trim().to_string(),
                        _ => s.to_string(),
                    };
                    let mut v = Val::new(K::Str(out, first.is_some_and(|f| f.is_unknown())), at);
                    if let Some(f) = first {
                        v.pieces = f.pieces.clone();
                        v.via = f.via.clone();
                    }
                    v
                }
                None => first.cloned().unwrap_or_else(|| unknown(at)),
            },
            "compact" => match first.map(|v| &v.k) {
                Some(K::List(items)) => Val::new(
                    K::List(
                        items
                            .iter()
                            .filter(|i| !i.is_null() && i.str() != Some(""))
                            .cloned()
                            .collect(),
                    ),
                    at,
                ),
                _ => unknown(at),
            },
            "merge" => {
                // Later arguments win; a key keeps the position of its last assignment.
                let mut last: HashMap<&str, usize> = HashMap::new();
                let mut order: Vec<(&str, &Val)> = Vec::new();
                for a in &args {
                    match &a.k {
                        K::Obj(es) => {
                            for (k, v) in es {
                                last.insert(k, order.len());
                                order.push((k, v));
                            }
                        }
                        K::Null => {}
                        _ => return unknown(at),
                    }
                }
                let out = order
                    .iter()
                    .enumerate()
                    .filter(|(i, (k, _))| last.get(k) == Some(i))
                    .map(|(_, (k, v))| (k.to_string(), (*v).clone()))
                    .collect();
                Val::new(K::Obj(out), at)
            }
            "concat" | "flatten" | "setunion" => {
                let mut out = Vec::new();
                let src: Vec<Val> = if name == "flatten" {
                    args.into_iter()
                        .next()
                        .map(|v| v.items().into_iter().cloned().collect())
                        .unwrap_or_default()
                } else {
                    args
                };
                for a in src {
                    match a.k {
                        K::List(items) => {
                            for i in items {
                                if name == "flatten"
                                    && let K::List(inner) = i.k
                                {
                                    out.extend(inner);
                                } else {
                                    out.push(i);
                                }
                            }
                        }
                        K::Null => {}
                        _ if name == "flatten" => out.push(a),
                        _ => out.push(Val::unknown(a.display(), a.at.clone())),
                    }
                }
                Val::new(K::List(out), at)
            }
            "replace" => match (
                args.first().and_then(|v| v.known_str()),
                args.get(1).and_then(|v| v.known_str()),
                args.get(2).and_then(|v| v.known_str()),
            ) {
                (Some(s), Some(a), Some(b))
                    if !(a.is_empty() || a.starts_with('/') && a.ends_with('/') && a.len() > 1) =>
                {
                    // The result's length is known before it is built: charge it first.
                    let extra = b.len().saturating_sub(a.len());
                    let n = if extra > 0 { s.matches(a).count() } else { 0 };
                    let len = s.len().saturating_add(n.saturating_mul(extra));
                    if !self.budget.charge(len) {
                        return Val::unknown(BUDGET_UNKNOWN, at);
                    }
                    Val::new(K::Str(s.replace(a, b), false), at)
                }
                _ => unknown(at),
            },
            "join" => match (
                args.first().and_then(|v| v.known_str()),
                args.get(1).map(|v| &v.k),
            ) {
                (Some(sep), Some(K::List(items))) => {
                    let mut parts = Vec::new();
                    let mut partial = false;
                    for i in items {
                        match i.scalar() {
                            Some(s) => parts.push(s),
                            None => {
                                partial = true;
                                parts.push(format!("${{{}}}", i.display()));
                            }
                        }
                    }
                    self.built(parts.join(sep), partial, at)
                }
                _ => unknown(at),
            },
            "format" => {
                let Some(fmt) = args.first().and_then(|v| v.known_str()) else {
                    return unknown(at);
                };
                let mut out = String::new();
                let mut partial = false;
                let mut ai = 1;
                let mut chars = fmt.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some(_) => {
                            match args.get(ai).and_then(|v| v.scalar()) {
                                Some(s) => out.push_str(&s),
                                None => {
                                    partial = true;
                                    out.push_str(&format!(
                                        "${{{}}}",
                                        args.get(ai).map(|v| v.display()).unwrap_or_default()
                                    ));
                                }
                            }
                            ai += 1;
                        }
                        None => {}
                    }
                }
                self.built(out, partial, at)
            }
            "lookup" => match (args.first(), args.get(1).and_then(|v| v.scalar())) {
                (Some(m), Some(k)) if matches!(m.k, K::Obj(_)) => match m.get(&k) {
                    Some(v) => v.clone(),
                    None => args.get(2).cloned().unwrap_or_else(|| unknown(at)),
                },
                _ => unknown(at),
            },
            "element" => match (
                args.first().map(|v| &v.k),
                args.get(1).and_then(|v| v.as_f64()),
            ) {
                (Some(K::List(items)), Some(i)) if !items.is_empty() => {
                    items[(i.max(0.0) as usize) % items.len()].clone()
                }
                _ => unknown(at),
            },
            "try" | "coalesce" => {
                for a in &args {
                    if !matches!(a.k, K::Unknown(_)) && !a.is_null() && a.str() != Some("") {
                        return a.clone();
                    }
                    if name == "try" {
                        break;
                    }
                }
                unknown(at)
            }
            "coalescelist" => args
                .iter()
                .find(|a| matches!(&a.k, K::List(items) if !items.is_empty()))
                .cloned()
                .unwrap_or_else(|| unknown(at)),
            // The result keeps the place the string was written (it is a part of it).
            "trimprefix" | "trimsuffix" => match (first, args.get(1).and_then(|v| v.known_str())) {
                (Some(s), Some(p)) if s.known_str().is_some() => {
                    let t = s.known_str().unwrap_or_default();
                    let out = if name == "trimprefix" {
                        t.strip_prefix(p)
                    } else {
                        t.strip_suffix(p)
                    };
                    match out {
                        Some(o) => Val::new(K::Str(o.to_string(), false), s.at.clone()),
                        None => s.clone(),
                    }
                }
                _ => unknown(at),
            },
            "jsondecode" => match first {
                Some(v) if v.str().is_some() && !v.is_unknown() => {
                    match crate::terraform::policy::json_string_to_val(v, self.files) {
                        Some(x) => x,
                        None => unknown(at),
                    }
                }
                _ => unknown(at),
            },
            "file" | "templatefile" => {
                let Some(p) = first.and_then(|v| v.known_str()) else {
                    return unknown(at);
                };
                let vars = args.get(1);
                match self.read_file(p) {
                    Some((idx, text)) => {
                        let (content, partial) = match (name, vars) {
                            ("templatefile", Some(vars)) => substitute(&text, vars),
                            _ => (text.clone(), false),
                        };
                        let (fidx, span) = match idx {
                            Some(i) => (i, 0..text.len()),
                            None => (file, at.span.clone()),
                        };
                        let mut v = Val::new(K::Str(content, partial), At { file: fidx, span });
                        v.via.push(at);
                        v
                    }
                    None => unknown(at),
                }
            }
            _ => unknown(at),
        }
    }

    /// Read a file relative to the module directory: a scanned file when it is one (so spans
    /// point into it), else from disk under the scan root (no escaping it, no symlinks).
    fn read_file(&self, p: &str) -> Option<(Option<usize>, String)> {
        let joined = if p.starts_with('/') {
            return None;
        } else if self.dir.is_empty() || p.starts_with(&format!("{}/", self.dir)) {
            p.to_string()
        } else {
            format!("{}/{}", self.dir, p)
        };
        let norm = normalize(&joined)?;
        if let Some(i) = self.files.iter().position(|f| f.path == norm) {
            self.budget.read.borrow_mut().push(i);
            return Some((Some(i), self.files[i].text.to_string()));
        }
        let root = self.disk_root.as_ref()?;
        self.budget.read_disk.set(true);
        let full = root.join(&norm);
        let meta = std::fs::symlink_metadata(&full).ok()?;
        if !meta.is_file() || meta.len() > 1 << 20 {
            return None;
        }
        let canon_root = root.canonicalize().ok()?;
        let canon = full.canonicalize().ok()?;
        if !canon.starts_with(&canon_root) {
            return None;
        }
        crate::fsafe::read_small_text(&canon, 1 << 20).map(|t| (None, t))
    }
}

/// Object entries with each key once: a key written twice keeps its last value (at the
/// position of its first), as Terraform does. Linear.
pub fn last_wins(mut es: Vec<(String, Val)>) -> Vec<(String, Val)> {
    let mut pos: HashMap<String, usize> = HashMap::with_capacity(es.len());
    let mut dup = false;
    for (i, (k, _)) in es.iter().enumerate() {
        if pos.insert(k.clone(), i).is_some() {
            dup = true;
        }
    }
    if !dup {
        return es;
    }
    // Move each key's last value into its first slot, then drop the later slots.
    let mut first: HashMap<String, usize> = HashMap::with_capacity(pos.len());
    let mut keep = vec![false; es.len()];
    for i in 0..es.len() {
        let k = es[i].0.clone();
        let f = *first.entry(k.clone()).or_insert(i);
        if f == i {
            keep[i] = true;
        }
        if pos.get(&k) == Some(&i) && f != i {
            let null = Val::new(K::Null, es[i].1.at.clone());
            let v = std::mem::replace(&mut es[i].1, null);
            es[f].1 = v;
        }
    }
    let mut i = 0;
    es.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    es
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above the root.
pub fn normalize(p: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// `templatefile` substitution of simple `${name}` references with known scalars.
fn substitute(text: &str, vars: &Val) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut partial = false;
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(j) => {
                let name = after[..j].trim();
                match vars.get(name).and_then(|v| v.scalar()) {
                    Some(s) => out.push_str(&s),
                    None => {
                        partial = true;
                        out.push_str(&rest[i..i + 3 + j]);
                    }
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, partial)
}
