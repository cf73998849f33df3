//! Helpers the `tf-*` checks share: findings located by [`At`], "arrived through" related
//! locations, and statement iteration over the cached analysis.

use super::analysis::{Analysis, Res, Site, SiteKind};
use super::eval::{At, Val};
use super::policy::Stmt;
use crate::context::ProjectCx;
use crate::finding::{Confidence, Finding, Related};
use crate::rules::Rule;
use crate::source::SourceFile;
use std::collections::HashMap;

/// The files an analysis' [`At::file`] indexes: every file of a scan, or the one file a
/// per-file check sees; places in installed modules and module cards move to their call.
pub struct Files<'a> {
    files: Vec<&'a SourceFile>,
    outer: HashMap<usize, At>,
}

impl<'a> Files<'a> {
    pub fn project(cx: &'a ProjectCx) -> Files<'a> {
        Files {
            files: cx.files.iter().map(|u| &u.file).collect(),
            outer: crate::terraform::analysis(cx).outer.clone(),
        }
    }

    /// The one file of a per-file analysis `a`.
    pub fn one(file: &'a SourceFile, a: &Analysis) -> Files<'a> {
        Files {
            files: vec![file],
            outer: a.outer.clone(),
        }
    }

    fn get(&self, i: usize) -> Option<&'a SourceFile> {
        self.files.get(i).copied()
    }

    /// `at`, or the module call it is reached through when it is not in a scanned file.
    pub fn place(&self, at: &At) -> At {
        match self.outer.get(&at.file) {
            Some(call) if at.file >= self.files.len() => call.clone(),
            _ => at.clone(),
        }
    }
}

/// A finding at `at` (a file of the scan, or the call of the module it is in).
pub fn finding(cx: &Files, rule: &Rule, at: &At, msg: impl Into<String>) -> Option<Finding> {
    let at = &cx.place(at);
    let u = cx.get(at.file)?;
    let t: &str = &u.text;
    let mut start = at.span.start.min(t.len());
    let mut end = at.span.end.min(t.len()).max(start);
    while start > 0 && !t.is_char_boundary(start) {
        start -= 1;
    }
    while end < t.len() && !t.is_char_boundary(end) {
        end += 1;
    }
    let mut f = rule.finding(u, start..end, readable(&msg.into()));
    if crate::terraform::cfn::is_template(u.kind) {
        f.message = crate::terraform::cfn::display_names(&f.message);
    }
    Some(f)
}

/// A message without the evaluator's `${…}` placeholders: an unknown value that fills a
/// backtick span shows as its expression (`aws_iam_user.this.name`), one inside a string as
/// `<expression>` (`<statement.value>:List*`). IAM policy variables (`${aws:username}`) stay.
pub fn readable(msg: &str) -> String {
    if !msg.contains("${") && !msg.contains("%{") {
        return msg.to_string();
    }
    let b = msg.as_bytes();
    let mut out = String::with_capacity(msg.len());
    let mut i = 0;
    while i < msg.len() {
        let templ = b[i] == b'%' || b[i] == b'$';
        if templ && b.get(i + 1) == Some(&b'{') {
            // The matching brace (nested braces of the expression included).
            let mut depth = 0usize;
            let mut end = None;
            for (j, c) in msg[i + 1..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1 + j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(e) = end {
                let inner = msg[i + 2..e].trim();
                if b[i] == b'$' && is_policy_variable(inner) {
                    out.push_str(&msg[i..=e]);
                } else if b[i] == b'%' {
                    out.push('…');
                } else {
                    let whole = out.ends_with('`') && msg[e + 1..].starts_with('`');
                    if whole {
                        out.push_str(inner);
                    } else {
                        out.push('<');
                        out.push_str(inner);
                        out.push('>');
                    }
                }
                i = e + 1;
                continue;
            }
        }
        let c = msg[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `aws:username`, `saml:sub`, `*`: an IAM policy variable, not a Terraform expression.
fn is_policy_variable(s: &str) -> bool {
    matches!(s, "*" | "?" | "$")
        || s.split_once(':').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && b.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_/-.".contains(c))
                && !a.contains(' ')
        })
}

pub fn related(cx: &Files, at: &At, msg: impl Into<String>) -> Option<Related> {
    let at = &cx.place(at);
    let u = cx.get(at.file)?;
    let (l, c) = u.line_col(at.span.start);
    let (el, ec) = u.line_col(at.span.end);
    Some(Related {
        path: u.path.clone(),
        start_line: l,
        start_column: Some(c),
        end_line: Some(el),
        end_column: Some(ec),
        message: msg.into(),
    })
}

/// A finding at the place a value was written, with the uses it flowed through as related
/// locations, and lower confidence when the value is not fully known.
pub fn at_value(
    cx: &Files,
    rule: &Rule,
    v: &Val,
    byte: Option<usize>,
    msg: String,
) -> Option<Finding> {
    let (at, via) = match byte {
        Some(i) => v.origin_of(i),
        None => (v.at.clone(), v.via.clone()),
    };
    let mut f = finding(cx, rule, &at, msg)?;
    // One related location per line: where an instance's `for_each`/`count` is written wins
    // over the uses on its line (the collection's own references).
    let at = cx.place(&at);
    let line = |u: &At| {
        let u = cx.place(u);
        cx.get(u.file).map(|x| (u.file, x.line_col(u.span.start).0))
    };
    let site = |u: &At| {
        let t = text(cx, u);
        if t.starts_with("for_each") {
            Some("`for_each` creates the instance here")
        } else if t.starts_with("count") {
            Some("`count` creates the instance here")
        } else {
            None
        }
    };
    let site_lines: Vec<_> = via.iter().filter(|u| site(u).is_some()).map(line).collect();
    let mut seen = Vec::new();
    for u in via.iter().rev() {
        let what = site(u);
        let l = line(u);
        if *u == at || seen.contains(&l) || what.is_none() && site_lines.contains(&l) {
            continue;
        }
        seen.push(l);
        if let Some(r) = related(cx, u, what.unwrap_or("the value is used here")) {
            f = f.with_related(r);
        }
    }
    Some(f)
}

/// Lower confidence and say so when a finding depends on an unknown value.
pub fn unknown_note(f: Finding, unknown: bool, what: &str) -> Finding {
    if !unknown {
        return f;
    }
    let mut f = f.with_confidence(Confidence::Low);
    f.message = format!("{} ({what} is not known statically)", f.message);
    f
}

/// Statements of every policy site that is reported where it is written (document
/// references are skipped: the document is its own site).
pub fn statements(a: &Analysis) -> impl Iterator<Item = (&Site, &Res, &Stmt)> {
    a.sites
        .iter()
        .filter(|s| s.via_doc.is_none())
        .flat_map(move |s| {
            let r = &a.res[s.res];
            s.policy.stmts.iter().map(move |st| (s, r, st))
        })
}

/// Statements of trust policies, including documents referenced by `assume_role_policy` and
/// documents/resources whose statements name principals. Each statement once.
pub fn principal_statements(a: &Analysis) -> Vec<(&Site, &Res, &Stmt)> {
    statements(a)
        .filter(|(_, _, s)| s.has_principal())
        .collect()
}

/// Human name of where a policy is attached: `role aws_iam_role.deploy` trust, ...
pub fn holder(a: &Analysis, site: &Site) -> String {
    let r = &a.res[site.res];
    match site.kind {
        SiteKind::Trust => format!("trust policy of `{}`", r.full_address()),
        SiteKind::Document => {
            // Is the document used as a trust policy?
            match a.trust_using_doc(r) {
                Some(t) => format!(
                    "trust policy of `{}` (`{}`)",
                    a.res[t.res].full_address(),
                    r.full_address()
                ),
                None => format!("`{}`", r.full_address()),
            }
        }
        SiteKind::Identity => format!("policy `{}`", r.full_address()),
        SiteKind::Resource => format!("resource policy of `{}`", r.full_address()),
    }
}

/// A reference as written (`aws_iam_role.x.arn`), or the value.
pub fn ref_name(v: &Val) -> String {
    v.unknown_text()
        .map(str::to_string)
        .unwrap_or_else(|| v.display())
}

/// Identities (`aws_iam_role`/`user`/`group` resources of the same instance, as indexes into
/// `a.res`) a policy site is attached to: inline and `*_policy` resources, managed policies
/// through attachments and `managed_policy_arns`, documents through the sites that use them.
pub fn site_holders(a: &Analysis, site: usize) -> Vec<usize> {
    site_holders_in(a, site, &HolderIndex::new(a))
}

/// The identity and attachment resources of each module instance, indexed once for
/// [`site_holders`]: with thousands of roles in one directory, looking each reference up in a
/// scan of every resource made [`Holders::new`] quadratic.
struct HolderIndex<'a> {
    /// (instance, identity type) → its resources.
    types: HashMap<(usize, &'a str), TypeIndex<'a>>,
    /// Instance → its attachment resources and identities (in instance order).
    attaching: HashMap<usize, Vec<usize>>,
}

/// The `resource` blocks of one identity type in one instance.
#[derive(Default)]
struct TypeIndex<'a> {
    /// Resource indexes in instance order ([`Analysis::res_of`]).
    order: Vec<usize>,
    /// Address → (position in `order`, resource index, has no instance key).
    by_address: HashMap<&'a str, Vec<(usize, usize, bool)>>,
    /// Literal `name` → (position in `order`, resource index).
    by_name: HashMap<&'a str, Vec<(usize, usize)>>,
    /// An address that does not start with `<type>.`: look up by scanning `order`.
    scan: bool,
}

const IDENTITY_TYPES: [&str; 3] = ["aws_iam_role", "aws_iam_user", "aws_iam_group"];
const ATTACHMENT_TYPES: [&str; 4] = [
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
];

impl<'a> HolderIndex<'a> {
    fn new(a: &'a Analysis) -> HolderIndex<'a> {
        let mut insts: Vec<usize> = a.res.iter().map(|r| r.inst).collect();
        insts.sort_unstable();
        insts.dedup();
        let mut types: HashMap<(usize, &'a str), TypeIndex<'a>> = HashMap::new();
        let mut attaching: HashMap<usize, Vec<usize>> = HashMap::new();
        for inst in insts {
            for (i, x) in a.res_of(inst).filter(|(_, x)| x.block == "resource") {
                let t = x.rtype.as_str();
                if ATTACHMENT_TYPES.contains(&t) || IDENTITY_TYPES.contains(&t) {
                    attaching.entry(inst).or_default().push(i);
                }
                if !IDENTITY_TYPES.contains(&t) {
                    continue;
                }
                let ix = types.entry((inst, t)).or_default();
                let ord = ix.order.len();
                ix.order.push(i);
                let typed = x
                    .address
                    .strip_prefix(t)
                    .is_some_and(|r| r.starts_with('.'));
                ix.scan |= !typed;
                ix.by_address.entry(x.address.as_str()).or_default().push((
                    ord,
                    i,
                    x.key.is_none(),
                ));
                if let Some(n) = x.body.get("name").and_then(|n| n.known_str()) {
                    ix.by_name.entry(n).or_default().push((ord, i));
                }
            }
        }
        HolderIndex { types, attaching }
    }

    /// The first identity of type `t` in instance `inst` (in instance order) that `v` refers
    /// to: its address followed by `.` (or by `[` for one without a key), the whole reference,
    /// or the literal value of its `name`.
    fn find(&self, a: &Analysis, inst: usize, v: &Val, t: &str) -> Option<usize> {
        let ix = self.types.get(&(inst, t))?;
        let text = ref_name(v);
        let lit = v.known_str();
        if ix.scan {
            return ix.order.iter().copied().find(|&i| {
                let x = &a.res[i];
                text.contains(&format!("{}.", x.address))
                    || text == x.address
                    || x.key.is_none() && text.contains(&format!("{}[", x.address))
                    || lit
                        .is_some_and(|l| x.body.get("name").and_then(|n| n.known_str()) == Some(l))
            });
        }
        let mut best: Option<(usize, usize)> = None;
        let mut consider = |c: (usize, usize)| {
            if best.is_none_or(|b| c.0 < b.0) {
                best = Some(c);
            }
        };
        if let Some(l) = lit {
            for &c in ix.by_name.get(l).into_iter().flatten() {
                consider(c);
            }
        }
        // Every address starts with `t.`: each place `t` occurs may start one; it ends before
        // a `.` or `[`, or at the end of the reference.
        let b = text.as_bytes();
        let mut from = 0;
        while let Some(p) = memchr::memmem::find(&b[from..], t.as_bytes()).map(|p| p + from) {
            from = p + 1;
            for e in p + t.len()..=b.len() {
                let next = b.get(e).copied();
                if !matches!(next, None | Some(b'.') | Some(b'[')) {
                    continue;
                }
                for &(ord, i, keyless) in ix.by_address.get(&text[p..e]).into_iter().flatten() {
                    let refers = next == Some(b'.')
                        || (p == 0 && next.is_none())
                        || (keyless && next == Some(b'['));
                    if refers {
                        consider((ord, i));
                    }
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

fn site_holders_in(a: &Analysis, site: usize, index: &HolderIndex) -> Vec<usize> {
    let s = &a.sites[site];
    let r = &a.res[s.res];
    let mut out = Vec::new();
    let find = |v: &Val, t: &str| index.find(a, r.inst, v, t);
    match (s.kind.clone(), r.rtype.as_str()) {
        (
            SiteKind::Identity,
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy",
        ) => {
            let (attr, t) = match r.rtype.as_str() {
                "aws_iam_role_policy" => ("role", "aws_iam_role"),
                "aws_iam_user_policy" => ("user", "aws_iam_user"),
                _ => ("group", "aws_iam_group"),
            };
            if let Some(v) = r.body.get(attr) {
                out.extend(find(v, t));
            }
        }
        (SiteKind::Identity, "aws_iam_role" | "aws_iam_user" | "aws_iam_group") => out.push(s.res),
        (SiteKind::Identity, "aws_iam_policy") => {
            let me = format!("{}.", r.address);
            let attaching = index
                .attaching
                .get(&r.inst)
                .map_or(&[][..], |v| v.as_slice());
            for (xi, x) in attaching.iter().map(|&i| (i, &a.res[i])) {
                match x.rtype.as_str() {
                    "aws_iam_role_policy_attachment"
                    | "aws_iam_user_policy_attachment"
                    | "aws_iam_group_policy_attachment"
                    | "aws_iam_policy_attachment" => {
                        if !x
                            .body
                            .get("policy_arn")
                            .is_some_and(|p| ref_name(p).contains(&me))
                        {
                            continue;
                        }
                        for (attr, t) in [
                            ("role", "aws_iam_role"),
                            ("user", "aws_iam_user"),
                            ("group", "aws_iam_group"),
                        ] {
                            if let Some(v) = x.body.get(attr) {
                                out.extend(find(v, t));
                            }
                            for v in x
                                .body
                                .get(&format!("{attr}s"))
                                .map(|l| l.items())
                                .unwrap_or_default()
                            {
                                out.extend(find(v, t));
                            }
                        }
                    }
                    "aws_iam_role" | "aws_iam_user" | "aws_iam_group"
                        if x.body.get("managed_policy_arns").is_some_and(|l| {
                            l.items().iter().any(|p| ref_name(p).contains(&me))
                        }) =>
                    {
                        out.push(xi);
                    }
                    _ => {}
                }
            }
        }
        (SiteKind::Document, _) => {
            for &i in a.identity_sites_using_doc(r.inst, &r.local_name()) {
                if i != site {
                    out.extend(site_holders_in(a, i, index));
                }
            }
        }
        _ => {}
    }
    out.sort();
    out.dedup();
    out
}

/// What the IAM project rules read of every policy site: who holds it and its statements in
/// the provider-neutral form. A model of the scan: built once, shared by
/// `iam-privilege-escalation` and `iam-wildcard-resource`.
pub struct SitePolicies {
    pub holders: Holders,
    pub neutral: Vec<Vec<crate::iam::aws::Statement>>,
}

impl crate::context::Model for SitePolicies {
    type Out<'a> = SitePolicies;
    const STAGE: &'static str = "the holders of the Terraform policies";
    fn build<'a>(cx: &ProjectCx<'a>) -> SitePolicies {
        let a = super::analysis::analysis(cx);
        SitePolicies {
            holders: Holders::new(&a),
            neutral: a
                .sites
                .iter()
                .map(|s| s.policy.stmts.iter().map(|x| x.neutral()).collect())
                .collect(),
        }
    }
}

/// The [`SitePolicies`] of a scan.
pub fn site_policies<'c>(cx: &'c ProjectCx) -> &'c SitePolicies {
    cx.model::<SitePolicies>()
}

/// Who holds which policy: the identities of every site ([`site_holders`]) and, inverted,
/// the identity policy sites of every identity. Built once per scan (in [`SitePolicies`]), so
/// asking for an identity's sites does not scan every site.
pub struct Holders {
    of: Vec<Vec<usize>>,
    sites: HashMap<usize, Vec<usize>>,
}

impl Holders {
    pub fn new(a: &Analysis) -> Holders {
        let index = HolderIndex::new(a);
        let of: Vec<Vec<usize>> = (0..a.sites.len())
            .map(|i| site_holders_in(a, i, &index))
            .collect();
        let mut sites: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, hs) in of.iter().enumerate() {
            if a.sites[i].kind == SiteKind::Identity {
                for &h in hs {
                    sites.entry(h).or_default().push(i);
                }
            }
        }
        Holders { of, sites }
    }

    /// Identities (indexes into `res`) a site is attached to.
    pub fn of(&self, site: usize) -> &[usize] {
        &self.of[site]
    }

    /// Every identity policy site of an identity, in order.
    pub fn sites(&self, h: usize) -> &[usize] {
        self.sites.get(&h).map(|v| v.as_slice()).unwrap_or_default()
    }
}

pub fn name_of(r: &Res) -> Option<String> {
    r.body
        .get("name")
        .and_then(|n| n.known_str())
        .map(str::to_string)
}

/// Is a document site used as a role trust policy?
pub fn is_trust(a: &Analysis, site: &Site) -> bool {
    match site.kind {
        SiteKind::Trust => true,
        SiteKind::Document => a.trust_using_doc(&a.res[site.res]).is_some(),
        _ => false,
    }
}

/// Push a finding; identical ones (same place, same message, e.g. from two module instances)
/// are dropped by the engine after the rule ran ([`crate::engine::dedup_same_place`]), in
/// linear time instead of a scan of every earlier finding here.
pub fn push(out: &mut Vec<Finding>, f: Option<Finding>) {
    out.extend(f);
}

/// Source text of a location.
pub fn text<'a>(cx: &Files<'a>, at: &At) -> &'a str {
    cx.get(at.file)
        .and_then(|u| u.text.get(at.span.clone()))
        .unwrap_or("")
}

/// References to secret attributes in a value (its source text and what it evaluated to,
/// so secrets passed through locals are found).
pub fn secret_refs(cx: &Files, v: &Val) -> Vec<String> {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"\b(aws_iam_access_key\.[\w-]+(?:\[[^\]]*\])?\.(?:secret|ses_smtp_password_v4)|aws_iam_user_login_profile\.[\w-]+(?:\[[^\]]*\])?\.password|google_service_account_key\.[\w-]+(?:\[[^\]]*\])?\.private_key|azuread_(?:application|service_principal)_password\.[\w-]+(?:\[[^\]]*\])?\.value|random_password\.[\w-]+(?:\[[^\]]*\])?\.(?:result|bcrypt_hash)|tls_private_key\.[\w-]+(?:\[[^\]]*\])?\.private_key_(?:pem|openssh|pem_pkcs8)|azurerm_[\w-]+\.[\w-]+(?:\[[^\]]*\])?\.(?:primary_access_key|secondary_access_key|primary_connection_string|client_secret)|aws_db_instance\.[\w-]+(?:\[[^\]]*\])?\.password|aws_api_gateway_api_key\.[\w-]+(?:\[[^\]]*\])?\.value|aws_iam_service_specific_credential\.[\w-]+(?:\[[^\]]*\])?\.service_password|(?:data\.)?aws_secretsmanager_secret_version\.[\w-]+(?:\[[^\]]*\])?\.secret_string|(?:data\.)?google_secret_manager_secret_version\.[\w-]+(?:\[[^\]]*\])?\.secret_data|(?:data\.)?azurerm_key_vault_secret\.[\w-]+(?:\[[^\]]*\])?\.value)",
        )
        .expect("valid regex")
    });
    let mut texts = vec![text(cx, &v.at).to_string()];
    // Calls the value came out of (`templatefile(…, { secret = … })` read from a template).
    for u in &v.via {
        let t = text(cx, u);
        if t.starts_with("templatefile(") || t.starts_with("file(") {
            texts.push(t.to_string());
        }
    }
    collect_unknown(v, &mut texts, 0);
    let mut out: Vec<String> = Vec::new();
    for t in &texts {
        for m in re.find_iter(t) {
            let s = m.as_str().to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn collect_unknown(v: &Val, out: &mut Vec<String>, depth: usize) {
    use super::eval::K;
    if depth > 16 {
        return;
    }
    match &v.k {
        K::Unknown(t) => out.push(t.clone()),
        K::Str(s, true) => out.push(s.clone()),
        K::List(items) => items
            .iter()
            .for_each(|i| collect_unknown(i, out, depth + 1)),
        K::Obj(es) => es
            .iter()
            .for_each(|(_, i)| collect_unknown(i, out, depth + 1)),
        _ => {}
    }
}

/// Findings of instances that share one written value (same rule, place and message but for
/// the instance key, `aws_iam_role.ci["a"]` / `["b"]`) become one finding that names the other
/// instances. Linear; only Terraform rules' messages carry instance keys.
pub fn merge_instances(out: &mut Vec<Finding>, from: usize) {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r#"`([A-Za-z0-9_.\-]+)\[("(?:[^"\\]|\\.)*"|\d+)\]"#).expect("valid regex")
    });
    if out.len() < from + 2 {
        return;
    }
    let mut first: HashMap<(String, usize, usize, String, String), usize> = HashMap::new();
    let mut others: HashMap<usize, Vec<String>> = HashMap::new();
    let mut drop = vec![false; out.len()];
    for (i, f) in out.iter().enumerate().skip(from) {
        if !(f.rule_id.starts_with("tf-") || f.rule_id.starts_with("iam-")) {
            continue;
        }
        let Some(c) = re.captures(&f.message) else {
            continue;
        };
        let key = c.get(2).map_or("", |m| m.as_str()).to_string();
        let norm = re.replace_all(&f.message, "`$1[…]").into_owned();
        let k = (
            f.rule_id.clone(),
            f.span.start,
            f.span.end,
            f.path.clone(),
            norm,
        );
        match first.get(&k) {
            Some(&j) => {
                drop[i] = true;
                if out[j].message != f.message {
                    let list = others.entry(j).or_default();
                    if !list.contains(&key) {
                        list.push(key);
                    }
                }
            }
            None => {
                first.insert(k, i);
            }
        }
    }
    for (j, keys) in others {
        let shown: Vec<String> = keys.iter().take(4).map(|k| format!("`[{k}]`")).collect();
        let more = if keys.len() > 4 {
            format!(" and {} more", keys.len() - 4)
        } else {
            String::new()
        };
        let f = &mut out[j];
        f.message = format!(
            "{} (also instance{} {}{more})",
            f.message,
            if keys.len() > 1 { "s" } else { "" },
            shown.join(", ")
        );
    }
    let mut i = 0;
    out.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}
