//! CloudFormation templates (YAML with short-form tags, JSON, SAM, CDK output) and Serverless
//! Framework services lowered into the analysis the AWS rules read ([`Analysis`]): one module
//! instance per template, resources with the AWS provider's type and attribute names as the
//! shared vocabulary (`AWS::IAM::Role` → `aws_iam_role`, `AssumeRolePolicyDocument` →
//! `assume_role_policy`, …), and policy sites built by the same IR ([`policy::from_json_val`]).
//! So every IAM rule applies unchanged, whatever the format.
//!
//! Intrinsics are evaluated where their value is known: `Ref` to a parameter is its default (the
//! value keeps the `Ref` as a use, like a Terraform variable), `AWS::Partition` is `aws`,
//! `Fn::Sub`/`Fn::Join`/`Fn::Select` on known parts. A `Ref`/`Fn::GetAtt` of a resource of the
//! template is the unknown reference `aws_iam_role.Name.arn`, so holders, attachments and
//! usages resolve as in Terraform; everything else stays unknown, never guessed.

use crate::lang::{Node, V};
use crate::source::FileKind;
use crate::terraform::analysis::{Analysis, Inst, Res, Site, SiteKind};
use crate::terraform::eval::{At, FileRef, K, Val};
use crate::terraform::policy;
use std::collections::HashMap;
use std::sync::Arc;

/// Deepest value nesting followed; deeper values are unknown.
const MAX_DEPTH: usize = 64;

/// Is this kind read by [`lower`]?
pub fn is_template(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::CloudFormation | FileKind::CloudFormationJson | FileKind::Serverless
    )
}

/// The Terraform resource type a CloudFormation type is lowered to, and what `Ref` returns.
fn tf_type(cfn: &str) -> Option<(&'static str, &'static str)> {
    Some(match cfn {
        "AWS::IAM::Role" => ("aws_iam_role", "name"),
        "AWS::IAM::User" => ("aws_iam_user", "name"),
        "AWS::IAM::Group" => ("aws_iam_group", "name"),
        "AWS::IAM::ManagedPolicy" => ("aws_iam_policy", "arn"),
        "AWS::IAM::Policy"
        | "AWS::IAM::RolePolicy"
        | "AWS::IAM::UserPolicy"
        | "AWS::IAM::GroupPolicy" => ("aws_iam_policy", "id"),
        "AWS::IAM::AccessKey" => ("aws_iam_access_key", "id"),
        "AWS::IAM::InstanceProfile" => ("aws_iam_instance_profile", "name"),
        "AWS::IAM::OIDCProvider" => ("aws_iam_openid_connect_provider", "arn"),
        "AWS::SecretsManager::Secret" => ("aws_secretsmanager_secret", "arn"),
        "AWS::SecretsManager::ResourcePolicy" => ("aws_secretsmanager_secret_policy", "id"),
        "AWS::S3::BucketPolicy" => ("aws_s3_bucket_policy", "id"),
        "AWS::SQS::QueuePolicy" => ("aws_sqs_queue_policy", "id"),
        "AWS::SNS::TopicPolicy" => ("aws_sns_topic_policy", "id"),
        "AWS::KMS::Key" => ("aws_kms_key", "id"),
        "AWS::ECR::Repository" => ("aws_ecr_repository", "name"),
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => ("aws_lambda_function", "name"),
        "AWS::ECS::TaskDefinition" => ("aws_ecs_task_definition", "arn"),
        "AWS::EKS::Cluster" => ("aws_eks_cluster", "name"),
        _ => return None,
    })
}

/// `Fn::GetAtt` attribute → attribute of the lowered resource (`Arn` → `arn`,
/// `SecretAccessKey` → `secret`).
fn tf_attr(attr: &str) -> String {
    match attr {
        "SecretAccessKey" => "secret".into(),
        "RoleId" | "UserId" | "GroupId" => "unique_id".into(),
        _ => {
            let mut out = String::new();
            for (i, c) in attr.chars().enumerate() {
                if c.is_ascii_uppercase() {
                    if i > 0 {
                        out.push('_');
                    }
                    out.push(c.to_ascii_lowercase());
                } else if c == '.' {
                    out.push('_');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

struct Cx<'a> {
    file: usize,
    files: &'a [FileRef<'a>],
    /// Parameter → (default, is a list type: `CommaDelimitedList`, `List<…>`).
    params: HashMap<&'a str, (Option<&'a Node>, bool)>,
    /// Parameter values from a parameter file (override the defaults).
    overrides: HashMap<String, String>,
    /// `Conditions` of the template.
    conditions: HashMap<&'a str, &'a Node>,
    /// Logical id → (lowered type, what `Ref` returns).
    resources: HashMap<String, (&'static str, &'static str)>,
    /// Parameters marked `NoEcho`.
    no_echo: std::collections::HashSet<&'a str>,
    /// Serverless `${self:custom.x}` style variables are not resolved: they stay unknown.
    serverless: bool,
}

impl Cx<'_> {
    fn at(&self, n: &Node) -> At {
        At {
            file: self.file,
            span: n.span.clone(),
        }
    }

    /// The reference text of a resource attribute (`aws_iam_role.Deploy.arn`), or `None`.
    fn res_ref(&self, id: &str, attr: Option<&str>) -> Option<String> {
        let (t, r) = self.resources.get(id)?;
        let a = attr.map(tf_attr).unwrap_or_else(|| r.to_string());
        Some(format!("{t}.{id}.{a}"))
    }

    fn val(&self, n: &Node, depth: usize) -> Val {
        let at = self.at(n);
        if depth > MAX_DEPTH {
            return Val::unknown("value too deep", at);
        }
        match &n.v {
            V::Null => Val::new(K::Null, at),
            V::Bool(b) => Val::new(K::Bool(*b), at),
            V::Num(s) => Val::new(K::Num(s.clone()), at),
            V::Str(s) => {
                let partial = self.serverless && s.contains("${");
                Val::new(K::Str(s.clone(), partial), at)
            }
            V::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    self.items(i, depth + 1, &mut out);
                }
                Val::new(K::List(out), at)
            }
            V::Map(es) => {
                if let [e] = es.as_slice()
                    && (e.key == "Ref" || e.key.starts_with("Fn::"))
                {
                    return match self.opt_val(n, depth) {
                        Some(v) => v,
                        None => Val::new(K::Null, at),
                    };
                }
                Val::new(
                    K::Obj(
                        es.iter()
                            .filter_map(|e| {
                                Some((e.key.clone(), self.opt_val(&e.value, depth + 1)?))
                            })
                            .collect(),
                    ),
                    at,
                )
            }
            V::Expr(t) => Val::unknown(t.clone(), at),
            V::Block(_) | V::Call(..) => Val::unknown(String::new(), at),
        }
    }

    /// `{Fn::If: [condition, a, b]}` → its parts.
    fn if_parts(n: &Node) -> Option<(&Node, &Node, &Node)> {
        let [e] = n.entries() else {
            return None;
        };
        if e.key != "Fn::If" {
            return None;
        }
        match e.value.as_seq()? {
            [c, a, b] => Some((c, a, b)),
            _ => None,
        }
    }

    fn is_no_value(n: &Node) -> bool {
        matches!(n.entries(), [e] if e.key == "Ref" && e.value.as_str() == Some("AWS::NoValue"))
    }

    /// A value that may be absent: `!Ref AWS::NoValue` is none; `Fn::If` is the branch its
    /// condition picks with the parameters' values; a condition that is not known considers
    /// both branches (one absent: the other; two scalars or lists: both, as a list).
    fn opt_val(&self, n: &Node, depth: usize) -> Option<Val> {
        if Self::is_no_value(n) {
            return None;
        }
        let Some((c, a, b)) = Self::if_parts(n) else {
            return Some(match n.entries() {
                [e] if depth <= MAX_DEPTH && (e.key == "Ref" || e.key.starts_with("Fn::")) => {
                    self.intrinsic(&e.key, &e.value, n, depth)
                }
                _ => self.val(n, depth),
            });
        };
        if depth > MAX_DEPTH {
            return Some(Val::unknown("value too deep", self.at(n)));
        }
        match c.as_str().and_then(|c| self.condition(c, depth + 1)) {
            Some(true) => self.opt_val(a, depth + 1),
            Some(false) => self.opt_val(b, depth + 1),
            None => match (self.opt_val(a, depth + 1), self.opt_val(b, depth + 1)) {
                (None, x) | (x, None) => x,
                (Some(x), Some(y)) => {
                    let mut items = Vec::new();
                    for v in [x, y] {
                        match v.k {
                            K::List(l) => items.extend(l),
                            K::Str(..) | K::Num(_) | K::Bool(_) | K::Unknown(_) => items.push(v),
                            _ => {
                                return Some(Val::unknown(
                                    format!("!If {}", c.as_str().unwrap_or("")),
                                    self.at(n),
                                ));
                            }
                        }
                    }
                    Some(Val::new(K::List(items), self.at(n)))
                }
            },
        }
    }

    /// The items a list element contributes: none for `AWS::NoValue`, the chosen branch of a
    /// `Fn::If`, both branches when its condition is not known.
    fn items(&self, n: &Node, depth: usize, out: &mut Vec<Val>) {
        if Self::is_no_value(n) {
            return;
        }
        if let Some((c, a, b)) = Self::if_parts(n)
            && depth <= MAX_DEPTH
        {
            match c.as_str().and_then(|c| self.condition(c, depth + 1)) {
                Some(true) => self.items(a, depth + 1, out),
                Some(false) => self.items(b, depth + 1, out),
                None => {
                    self.items(a, depth + 1, out);
                    self.items(b, depth + 1, out);
                }
            }
            return;
        }
        out.push(self.val(n, depth));
    }

    /// A named condition of `Conditions`, when the parameters' values decide it.
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.cond_expr(self.conditions.get(name)?, depth + 1)
    }

    /// `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and `Condition` on known values.
    fn cond_expr(&self, n: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let [e] = n.entries() else {
            return None;
        };
        let args = || e.value.as_seq().unwrap_or(&[]);
        match e.key.as_str() {
            "Condition" => self.condition(e.value.as_str()?, depth + 1),
            "Fn::Equals" => {
                let [a, b] = args() else {
                    return None;
                };
                let text = |x: &Node| {
                    let v = self.val(x, depth + 1);
                    match v.k {
                        K::Str(s, false) | K::Num(s) => Some(s),
                        K::Bool(b) => Some(b.to_string()),
                        _ => None,
                    }
                };
                Some(text(a)? == text(b)?)
            }
            "Fn::Not" => match args() {
                [x] => self.cond_expr(x, depth + 1).map(|b| !b),
                _ => None,
            },
            "Fn::And" | "Fn::Or" => {
                let and = e.key == "Fn::And";
                let mut unknown = false;
                for x in args() {
                    match self.cond_expr(x, depth + 1) {
                        Some(b) if b != and => return Some(b),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                (!unknown).then_some(and)
            }
            _ => None,
        }
    }

    /// Is a resource or output with `Condition: name` left out with the parameters' values?
    fn off(&self, n: &Node) -> bool {
        n.get("Condition")
            .and_then(|c| c.as_str())
            .and_then(|c| self.condition(c, 0))
            == Some(false)
    }

    /// Parameters a value names (`Ref`, `${Name}` of `Fn::Sub`), with where.
    fn param_refs(&self, n: &Node, depth: usize, out: &mut Vec<(String, At)>) {
        if depth > MAX_DEPTH {
            return;
        }
        match &n.v {
            V::Seq(items) => items
                .iter()
                .for_each(|i| self.param_refs(i, depth + 1, out)),
            V::Map(es) => {
                for e in es {
                    match (e.key.as_str(), e.value.as_str()) {
                        ("Ref", Some(name)) => out.push((name.to_string(), self.at(n))),
                        ("Fn::Sub", _) => {
                            let t = e
                                .value
                                .as_str()
                                .or_else(|| e.value.as_seq().and_then(|s| s.first()?.as_str()));
                            let mut rest = t.unwrap_or("");
                            while let Some(p) = rest.find("${") {
                                let after = &rest[p + 2..];
                                let Some(end) = after.find('}') else { break };
                                out.push((after[..end].trim().to_string(), self.at(n)));
                                rest = &after[end + 1..];
                            }
                            self.param_refs(&e.value, depth + 1, out);
                        }
                        _ => self.param_refs(&e.value, depth + 1, out),
                    }
                }
            }
            _ => {}
        }
    }

    /// A policy document: an object, or JSON text (`PolicyDocument: !Sub '{ … }'`), parsed
    /// with its spans mapped back into the template.
    fn doc(&self, n: &Node) -> Val {
        let v = self.val(n, 0);
        match &v.k {
            K::Str(..) => policy::json_string_to_val(&v, self.files).unwrap_or(v),
            _ => v,
        }
    }

    /// A reference by name: a parameter (its default), a pseudo parameter, or a resource.
    fn name_ref(&self, name: &str, attr: Option<&str>, n: &Node, depth: usize) -> Val {
        let at = self.at(n);
        if attr.is_none()
            && let Some(text) = self.overrides.get(name)
            && self.params.contains_key(name)
        {
            let list = self.params.get(name).is_some_and(|p| p.1);
            let k = if list {
                K::List(
                    text.split(',')
                        .map(|x| Val::new(K::Str(x.trim().to_string(), false), at.clone()))
                        .collect(),
                )
            } else {
                K::Str(text.clone(), false)
            };
            return Val::new(k, at);
        }
        if attr.is_none()
            && let Some(p) = self.params.get(name)
        {
            return match p {
                (Some(d), list) => {
                    let mut v = self.val(d, depth + 1);
                    if let (true, K::Str(s, false)) = (list, &v.k) {
                        let items = s
                            .split(',')
                            .map(|x| Val::new(K::Str(x.trim().to_string(), false), v.at.clone()))
                            .collect();
                        v.k = K::List(items);
                    }
                    v.via.push(at);
                    v
                }
                (None, _) => Val::unknown(name.to_string(), at),
            };
        }
        match name {
            "AWS::Partition" => return Val::new(K::Str("aws".into(), false), at),
            "AWS::URLSuffix" => return Val::new(K::Str("amazonaws.com".into(), false), at),
            "AWS::NoValue" => return Val::new(K::Null, at),
            _ => {}
        }
        match self.res_ref(name, attr) {
            Some(r) => Val::unknown(r, at),
            // `AWS::AccountId`, `AWS::Region`, `AWS::StackName`: known only when deployed.
            None if name.starts_with("AWS::") && attr.is_none() => Val::unknown(name, at),
            None => match attr {
                Some(a) => Val::unknown(format!("!GetAtt {name}.{a}"), at),
                None => Val::unknown(format!("!Ref {name}"), at),
            },
        }
    }

    fn intrinsic(&self, key: &str, arg: &Node, n: &Node, depth: usize) -> Val {
        let at = self.at(n);
        match key {
            "Ref" => match arg.as_str() {
                Some(name) => self.name_ref(name, None, n, depth),
                None => Val::unknown("!Ref", at),
            },
            "Fn::GetAtt" => {
                let (id, attr) = match (&arg.v, arg.as_seq()) {
                    (V::Str(s), _) => match s.split_once('.') {
                        Some((a, b)) => (a.to_string(), b.to_string()),
                        None => (s.clone(), String::new()),
                    },
                    (_, Some([a, b])) => (
                        a.as_str().unwrap_or("").to_string(),
                        b.scalar_text().unwrap_or_default(),
                    ),
                    _ => return Val::unknown("!GetAtt", at),
                };
                self.name_ref(&id, Some(&attr), n, depth)
            }
            "Fn::Sub" => {
                let (tmpl, vars) = match (&arg.v, arg.as_seq()) {
                    (V::Str(_), _) => (arg, None),
                    (_, Some([t, m])) => (t, Some(m)),
                    _ => return Val::unknown("!Sub", at),
                };
                let Some(t) = tmpl.as_str() else {
                    return Val::unknown("!Sub", at);
                };
                self.sub(t, vars, n, depth)
            }
            "Fn::Join" => {
                let Some([sep, list]) = arg.as_seq() else {
                    return Val::unknown("!Join", at);
                };
                let (Some(sep), Some(items)) = (sep.scalar_text(), list.as_seq()) else {
                    return Val::unknown("!Join", at);
                };
                let mut out = String::new();
                let mut partial = false;
                let mut via = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    let v = self.val(it, depth + 1);
                    partial |= push_piece(&mut out, &v);
                    via.extend(v.via);
                }
                let mut v = Val::new(K::Str(out, partial), at);
                v.via = via;
                v
            }
            "Fn::If" if Self::if_parts(n).is_some() => self
                .opt_val(n, depth)
                .unwrap_or_else(|| Val::new(K::Null, at)),
            "Fn::Select" => {
                let Some([i, list]) = arg.as_seq() else {
                    return Val::unknown("!Select", at);
                };
                let list = self.val(list, depth + 1);
                match (i.as_i64(), &list.k) {
                    (Some(i), K::List(items)) if i >= 0 => items
                        .get(i as usize)
                        .cloned()
                        .unwrap_or_else(|| Val::unknown("!Select", at)),
                    _ => Val::unknown("!Select", at),
                }
            }
            other => Val::unknown(format!("!{}", other.trim_start_matches("Fn::")), at),
        }
    }

    /// `Fn::Sub`: `${Param}`, `${Res.Attr}`, `${AWS::…}` and the variables of the map form;
    /// `${!Literal}` is the text `${Literal}`. Unknown pieces stay as `${…}` text.
    fn sub(&self, t: &str, vars: Option<&Node>, n: &Node, depth: usize) -> Val {
        let mut out = String::new();
        let mut partial = false;
        let mut via = Vec::new();
        let mut rest = t;
        while let Some(p) = rest.find("${") {
            out.push_str(&rest[..p]);
            let after = &rest[p + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[p..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
                continue;
            }
            let v = match vars.and_then(|m| m.get(name)) {
                Some(x) => self.val(x, depth + 1),
                None => match name.split_once('.') {
                    Some((id, attr)) if !name.starts_with("AWS::") => {
                        self.name_ref(id, Some(attr), n, depth)
                    }
                    _ => self.name_ref(name, None, n, depth),
                },
            };
            partial |= push_piece(&mut out, &v);
            via.extend(v.via);
        }
        out.push_str(rest);
        let mut v = Val::new(K::Str(out, partial), self.at(n));
        v.via = via;
        v
    }
}

/// Append a value to a string being built; unknown parts as `${text}`. True when unknown.
fn push_piece(out: &mut String, v: &Val) -> bool {
    match &v.k {
        K::Str(s, p) => {
            out.push_str(s);
            *p
        }
        K::Num(s) => {
            out.push_str(s);
            false
        }
        K::Bool(b) => {
            out.push_str(&b.to_string());
            false
        }
        K::Null => false,
        K::Unknown(t) => {
            out.push_str("${");
            out.push_str(t);
            out.push('}');
            true
        }
        _ => {
            out.push_str("${…}");
            true
        }
    }
}

/// `[{Key: k, Value: v}, …]` (or a map, as SAM and Serverless write tags) → an object.
fn tags_val(v: Val) -> Val {
    let K::List(items) = &v.k else {
        return v;
    };
    let mut es = Vec::new();
    for it in items {
        let (Some(k), Some(x)) = (it.get("Key"), it.get("Value")) else {
            continue;
        };
        match k.scalar() {
            Some(k) => es.push((k, x.clone())),
            None => return Val::unknown("tags", v.at.clone()),
        }
    }
    Val::new(K::Obj(es), v.at.clone())
}

/// Lowers one template into `out`: an instance, its resources, parameters, outputs and
/// policy sites. `root` is the template document.
pub fn lower(
    out: &mut Analysis,
    files: &[FileRef],
    file: usize,
    kind: FileKind,
    root: &Node,
    overrides: HashMap<String, String>,
) {
    let path = files[file].path;
    let serverless = kind == FileKind::Serverless;
    let sls_resources = root.path("resources.Resources");
    let resources_node = if serverless {
        sls_resources
    } else {
        root.get("Resources")
    };
    let mut cx = Cx {
        file,
        files,
        no_echo: Default::default(),
        overrides,
        conditions: root
            .get("Conditions")
            .map(|c| {
                c.entries()
                    .iter()
                    .map(|e| (e.key.as_str(), &e.value))
                    .collect()
            })
            .unwrap_or_default(),
        params: HashMap::new(),
        resources: HashMap::new(),
        serverless,
    };
    if let Some(ps) = root.get("Parameters") {
        for e in ps.entries() {
            let list = e
                .value
                .get("Type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            cx.params
                .insert(e.key.as_str(), (e.value.get("Default"), list));
            if e.value
                .get("NoEcho")
                .and_then(|v| v.scalar_text())
                .as_deref()
                == Some("true")
            {
                cx.no_echo.insert(e.key.as_str());
            }
        }
    }
    let res_entries = resources_node.map(|r| r.entries()).unwrap_or(&[]);
    // Resources whose `Condition` is false with the parameters' values are not created.
    let res_entries: Vec<&crate::lang::Entry> =
        res_entries.iter().filter(|e| !cx.off(&e.value)).collect();
    for e in &res_entries {
        if let Some(t) = e.value.get("Type").and_then(|t| t.as_str())
            && let Some(tt) = tf_type(t)
        {
            cx.resources.insert(e.key.clone(), tt);
        }
        // SAM functions without a `Role` get `<Function>Role`.
        if e.value.get("Type").and_then(|t| t.as_str()) == Some("AWS::Serverless::Function")
            && e.value.path("Properties.Role").is_none()
        {
            cx.resources
                .insert(format!("{}Role", e.key), ("aws_iam_role", "name"));
        }
    }
    let inst = out.insts.len();
    out.insts.push(Inst {
        dir: format!("{path}#template"),
        parent: None,
        label: "template".into(),
        call: None,
        module: None,
    });
    let mut l = Lower {
        cx: &cx,
        out,
        inst,
        path,
        globals: root.path("Globals.Function"),
    };
    if let Some(ps) = root.get("Parameters") {
        for e in ps.entries() {
            let mut body = Vec::new();
            if let Some(d) = e.value.get("Default") {
                body.push(("default".to_string(), cx.val(d, 0)));
            }
            let no_echo = e.value.get("NoEcho").and_then(|v| v.as_bool()) == Some(true);
            body.push((
                "sensitive".to_string(),
                Val::new(K::Bool(no_echo), cx.at(&e.value)),
            ));
            body.push((
                "no_echo".to_string(),
                Val::new(K::Bool(no_echo), cx.at(&e.value)),
            ));
            l.push("variable", &e.key, &e.key, e, body);
        }
    }
    for e in res_entries {
        l.resource(e);
    }
    if serverless {
        l.serverless(root);
    }
    let outputs = if serverless {
        root.path("resources.Outputs")
    } else {
        root.get("Outputs")
    };
    if let Some(os) = outputs {
        for e in os.entries().iter().filter(|e| !cx.off(&e.value)) {
            let mut body = Vec::new();
            if let Some(v) = e.value.get("Value") {
                body.push(("value".to_string(), cx.val(v, 0)));
                // `NoEcho` parameters the value shows (outputs are never masked).
                let mut names = Vec::new();
                cx.param_refs(v, 0, &mut names);
                let shown: Vec<Val> = names
                    .into_iter()
                    .filter(|(n, _)| cx.no_echo.contains(n.as_str()))
                    .map(|(n, at)| Val::new(K::Str(n, false), at))
                    .collect();
                if !shown.is_empty() {
                    body.push(("no_echo_refs".into(), Val::new(K::List(shown), cx.at(v))));
                }
            }
            l.push("output", &e.key, &e.key, e, body);
        }
    }
}

struct Lower<'a, 'b> {
    cx: &'a Cx<'a>,
    out: &'b mut Analysis,
    inst: usize,
    path: &'a str,
    globals: Option<&'a Node>,
}

impl Lower<'_, '_> {
    /// Push a lowered block; returns its index.
    fn push(
        &mut self,
        block: &str,
        rtype: &str,
        name: &str,
        e: &crate::lang::Entry,
        body: Vec<(String, Val)>,
    ) -> usize {
        let address = match block {
            "resource" => format!("{rtype}.{name}"),
            "variable" => format!("var.{name}"),
            other => format!("{other}.{name}"),
        };
        let at = self.cx.at(&e.value);
        let i = self.out.res.len();
        self.out.res.push(Res {
            block: block.into(),
            rtype: rtype.into(),
            name: name.into(),
            address,
            key: None,
            dir: format!("{}#template", self.path),
            inst: self.inst,
            at: at.clone(),
            label_at: At {
                file: self.cx.file,
                span: e.key_span.clone(),
            },
            body: Val::new(K::Obj(body), at).into(),
            module: None,
        });
        i
    }

    fn site(&mut self, res: usize, attr: &str, kind: SiteKind, v: &Val) {
        if !matches!(v.k, K::Obj(_)) || v.get_ci("Statement").is_none() {
            return;
        }
        self.out.sites.push(Site {
            res,
            attr: attr.into(),
            kind,
            policy: policy::from_json_val(v).into(),
            via_doc: None,
        });
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of a role, user or group: inline policies.
    fn inline_policies(&mut self, res: usize, props: &Node) {
        let Some(list) = props.get("Policies").and_then(|p| p.as_seq()) else {
            return;
        };
        for p in list {
            let Some(doc) = p.get("PolicyDocument") else {
                continue;
            };
            let v = self.cx.doc(doc);
            let mut obj = vec![("policy".to_string(), v.clone())];
            if let Some(n) = p.get("PolicyName") {
                obj.push(("name".to_string(), self.cx.val(n, 0)));
            }
            if let K::Obj(es) = &mut Arc::make_mut(&mut self.out.res[res].body).k {
                es.push(("inline_policy".into(), Val::new(K::Obj(obj), self.cx.at(p))));
            }
            self.site(res, "inline_policy.policy", SiteKind::Identity, &v);
        }
    }

    fn resource(&mut self, e: &crate::lang::Entry) {
        let cx = self.cx;
        let Some(t) = e.value.get("Type").and_then(|t| t.as_str()) else {
            return;
        };
        let Some((rtype, _)) = tf_type(t) else {
            return;
        };
        let empty = Node::null();
        let props = e.value.get("Properties").unwrap_or(empty);
        let p = |k: &str| props.get(k).map(|n| cx.val(n, 0));
        let d = |k: &str| props.get(k).map(|n| cx.doc(n));
        let mut body: Vec<(String, Val)> = Vec::new();
        let mut put = |k: &str, v: Option<Val>| {
            if let Some(v) = v {
                body.push((k.to_string(), v));
            }
        };
        match t {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                let name_key = match t {
                    "AWS::IAM::Role" => "RoleName",
                    "AWS::IAM::User" => "UserName",
                    _ => "GroupName",
                };
                put("name", p(name_key));
                put("path", p("Path"));
                put("managed_policy_arns", p("ManagedPolicyArns"));
                put("max_session_duration", p("MaxSessionDuration"));
                put("permissions_boundary", p("PermissionsBoundary"));
                put("tags", p("Tags").map(tags_val));
                put("assume_role_policy", d("AssumeRolePolicyDocument"));
                let trust = body
                    .iter()
                    .find(|(k, _)| k == "assume_role_policy")
                    .map(|(_, v)| v.clone());
                let i = self.push("resource", rtype, &e.key, e, body);
                if let Some(v) = trust {
                    self.site(i, "assume_role_policy", SiteKind::Trust, &v);
                }
                self.inline_policies(i, props);
                if t == "AWS::IAM::User"
                    && let Some(lp) = props.get("LoginProfile")
                {
                    let user = Val::unknown(format!("aws_iam_user.{}.name", e.key), cx.at(lp));
                    let ent = crate::lang::Entry {
                        key: e.key.clone(),
                        key_span: lp.span.clone(),
                        value: lp.clone(),
                    };
                    self.push(
                        "resource",
                        "aws_iam_user_login_profile",
                        &e.key,
                        &ent,
                        vec![("user".into(), user)],
                    );
                }
            }
            "AWS::IAM::ManagedPolicy"
            | "AWS::IAM::Policy"
            | "AWS::IAM::RolePolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::GroupPolicy" => {
                let name_key = if t == "AWS::IAM::ManagedPolicy" {
                    "ManagedPolicyName"
                } else {
                    "PolicyName"
                };
                put("name", p(name_key));
                let doc = d("PolicyDocument");
                put("policy", doc.clone());
                let i = self.push("resource", rtype, &e.key, e, body);
                if let Some(v) = doc {
                    self.site(i, "policy", SiteKind::Identity, &v);
                }
                // The identities it is attached to, as a Terraform attachment.
                let mut att = vec![(
                    "policy_arn".to_string(),
                    Val::unknown(format!("aws_iam_policy.{}.arn", e.key), cx.at(&e.value)),
                )];
                for (k, one, many) in [
                    ("role", "RoleName", "Roles"),
                    ("user", "UserName", "Users"),
                    ("group", "GroupName", "Groups"),
                ] {
                    let mut items = Vec::new();
                    if let Some(v) = props.get(one) {
                        items.push(cx.val(v, 0));
                    }
                    if let Some(K::List(l)) = props.get(many).map(|v| cx.val(v, 0).k) {
                        items.extend(l);
                    }
                    if !items.is_empty() {
                        att.push((format!("{k}s"), Val::new(K::List(items), cx.at(&e.value))));
                    }
                }
                let ent = crate::lang::Entry {
                    key: e.key.clone(),
                    key_span: e.key_span.clone(),
                    value: e.value.clone(),
                };
                self.push(
                    "resource",
                    "aws_iam_policy_attachment",
                    &format!("{}_attachment", e.key),
                    &ent,
                    att,
                );
            }
            "AWS::IAM::AccessKey" => {
                put("user", p("UserName"));
                put("status", p("Status"));
                self.push("resource", rtype, &e.key, e, body);
            }
            "AWS::IAM::InstanceProfile" => {
                put("name", p("InstanceProfileName"));
                if let Some(K::List(l)) = p("Roles").map(|v| v.k)
                    && let Some(r) = l.into_iter().next()
                {
                    put("role", Some(r));
                }
                self.push("resource", rtype, &e.key, e, body);
            }
            "AWS::IAM::OIDCProvider" => {
                put("url", p("Url"));
                put("client_id_list", p("ClientIdList"));
                put("thumbprint_list", p("ThumbprintList"));
                put("tags", p("Tags").map(tags_val));
                self.push("resource", rtype, &e.key, e, body);
            }
            "AWS::Lambda::Function" | "AWS::Serverless::Function" => {
                self.function(e, t, props);
            }
            "AWS::ECS::TaskDefinition" => {
                put("task_role_arn", p("TaskRoleArn"));
                put("execution_role_arn", p("ExecutionRoleArn"));
                put("family", p("Family"));
                self.push("resource", rtype, &e.key, e, body);
            }
            "AWS::SecretsManager::Secret" if props.get("SecretString").is_some() => {
                // The secret's value, as Terraform writes it: a secret version.
                put("name", p("Name"));
                put("tags", p("Tags").map(tags_val));
                self.push("resource", rtype, &e.key, e, body);
                let value = p("SecretString");
                let secret = Val::unknown(
                    format!("aws_secretsmanager_secret.{}.arn", e.key),
                    cx.at(&e.value),
                );
                let mut vb = vec![("secret_id".to_string(), secret)];
                if let Some(v) = value {
                    vb.push(("secret_string".to_string(), v));
                }
                self.push(
                    "resource",
                    "aws_secretsmanager_secret_version",
                    &e.key,
                    e,
                    vb,
                );
            }
            _ => {
                let doc_key = match t {
                    "AWS::KMS::Key" => "KeyPolicy",
                    "AWS::SecretsManager::ResourcePolicy" => "ResourcePolicy",
                    "AWS::ECR::Repository" => "RepositoryPolicyText",
                    _ => "PolicyDocument",
                };
                put("name", p("Name"));
                put("tags", p("Tags").map(tags_val));
                let doc = d(doc_key);
                put("policy", doc.clone());
                let i = self.push("resource", rtype, &e.key, e, body);
                if let Some(v) = doc {
                    self.site(i, "policy", SiteKind::Resource, &v);
                }
            }
        }
    }

    /// A Lambda function; a SAM function without `Role` also gets its implicit role
    /// `<Function>Role` (trusting Lambda) with the function's `Policies`.
    fn function(&mut self, e: &crate::lang::Entry, t: &str, props: &Node) {
        let cx = self.cx;
        let g = |k: &str| props.get(k).or_else(|| self.globals.and_then(|g| g.get(k)));
        let mut body: Vec<(String, Val)> = Vec::new();
        if let Some(n) = props.get("FunctionName") {
            body.push(("function_name".into(), cx.val(n, 0)));
        }
        let sam = t == "AWS::Serverless::Function";
        let role = g("Role").map(|r| cx.val(r, 0));
        let implicit = sam && role.is_none();
        let role = role.or_else(|| {
            implicit
                .then(|| Val::unknown(format!("aws_iam_role.{}Role.arn", e.key), cx.at(&e.value)))
        });
        if let Some(r) = role {
            body.push(("role".into(), r));
        }
        if let Some(vars) = g("Environment").and_then(|env| env.get("Variables")) {
            body.push((
                "environment".into(),
                Val::new(
                    K::Obj(vec![("variables".into(), cx.val(vars, 0))]),
                    cx.at(vars),
                ),
            ));
        }
        if let Some(tags) = g("Tags") {
            body.push(("tags".into(), tags_val(cx.val(tags, 0))));
        }
        self.push("resource", "aws_lambda_function", &e.key, e, body);
        if implicit {
            self.sam_role(e, props);
        }
    }

    /// The role SAM creates for a function: trusts `lambda.amazonaws.com`, has the managed
    /// policies named in `Policies` (names or ARNs) and inline statements written there.
    /// SAM policy templates (`S3ReadPolicy: {…}`) are expanded into their statements.
    fn sam_role(&mut self, e: &crate::lang::Entry, props: &Node) {
        let cx = self.cx;
        let at = cx.at(&e.value);
        let mut managed = vec![Val::new(
            K::Str(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole".into(),
                false,
            ),
            at.clone(),
        )];
        let mut inline = Vec::new();
        let policies = props
            .get("Policies")
            .or_else(|| self.globals.and_then(|g| g.get("Policies")));
        let list: Vec<&Node> = match policies.map(|p| (&p.v, p)) {
            Some((V::Seq(items), _)) => items.iter().collect(),
            Some((_, p)) => vec![p],
            None => Vec::new(),
        };
        for p in list {
            if let Some(doc) = sam_policy_template(cx, p) {
                inline.push(doc);
                continue;
            }
            let v = cx.val(p, 0);
            match &v.k {
                K::Str(s, partial) => {
                    let arn = if s.starts_with("arn:") {
                        s.clone()
                    } else {
                        format!("arn:aws:iam::aws:policy/{s}")
                    };
                    managed.push(Val::new(K::Str(arn, *partial), v.at.clone()));
                }
                K::Obj(_) if v.get_ci("Statement").is_some() => inline.push(v),
                K::Unknown(_) => managed.push(v),
                _ => {}
            }
        }
        let trust = lambda_trust(&at);
        let mut body = vec![
            ("assume_role_policy".to_string(), trust.clone()),
            (
                "managed_policy_arns".to_string(),
                Val::new(K::List(managed), at.clone()),
            ),
        ];
        if let Some(b) = props.get("PermissionsBoundary") {
            body.push(("permissions_boundary".into(), cx.val(b, 0)));
        }
        if let Some(tags) = props.get("Tags") {
            body.push(("tags".into(), tags_val(cx.val(tags, 0))));
        }
        let name = format!("{}Role", e.key);
        let i = self.push("resource", "aws_iam_role", &name, e, body);
        self.site(i, "assume_role_policy", SiteKind::Trust, &trust);
        for v in inline {
            if let K::Obj(es) = &mut Arc::make_mut(&mut self.out.res[i].body).k {
                es.push((
                    "inline_policy".into(),
                    Val::new(K::Obj(vec![("policy".into(), v.clone())]), v.at.clone()),
                ));
            }
            self.site(i, "inline_policy.policy", SiteKind::Identity, &v);
        }
    }

    /// Serverless Framework: the shared function role (`provider.iam.role.statements`, legacy
    /// `provider.iamRoleStatements`, managed policies), functions with their own `role` or the
    /// shared one, and `environment` of the provider and of each function.
    fn serverless(&mut self, root: &Node) {
        let cx = self.cx;
        let Some(provider) = root.get("provider") else {
            return;
        };
        let role_cfg = provider.path("iam.role");
        // `provider.iam.role: arn:…` (or a name): every function uses that role.
        let shared_named = role_cfg.filter(|r| !r.is_map()).map(|r| cx.val(r, 0));
        let stmts = role_cfg
            .and_then(|r| r.get("statements"))
            .or_else(|| provider.get("iamRoleStatements"));
        let managed = role_cfg
            .and_then(|r| r.get("managedPolicies"))
            .or_else(|| provider.get("iamManagedPolicies"));
        let functions = root.get("functions");
        let uses_shared = functions
            .is_some_and(|f| f.entries().iter().any(|e| e.value.get("role").is_none()))
            && shared_named.is_none();
        let shared = "IamRoleLambdaExecution";
        if uses_shared {
            let anchor = stmts.or(managed).unwrap_or(provider);
            let at = cx.at(anchor);
            let ent = crate::lang::Entry {
                key: shared.into(),
                key_span: root
                    .entry("provider")
                    .map(|e| e.key_span.clone())
                    .unwrap_or(anchor.span.clone()),
                value: anchor.clone(),
            };
            let trust = lambda_trust(&at);
            let mut body = vec![("assume_role_policy".to_string(), trust.clone())];
            if let Some(m) = managed {
                body.push(("managed_policy_arns".to_string(), cx.val(m, 0)));
            }
            if let Some(tags) = provider.get("tags") {
                body.push(("tags".into(), tags_val(cx.val(tags, 0))));
            }
            let i = self.push("resource", "aws_iam_role", shared, &ent, body);
            self.site(i, "assume_role_policy", SiteKind::Trust, &trust);
            if let Some(s) = stmts {
                let doc = Val::new(K::Obj(vec![("Statement".into(), cx.val(s, 0))]), at.clone());
                if let K::Obj(es) = &mut Arc::make_mut(&mut self.out.res[i].body).k {
                    es.push((
                        "inline_policy".into(),
                        Val::new(K::Obj(vec![("policy".into(), doc.clone())]), at.clone()),
                    ));
                }
                self.site(i, "inline_policy.policy", SiteKind::Identity, &doc);
            }
        }
        let env_p = provider.get("environment");
        let mut fns: Vec<&crate::lang::Entry> = functions
            .map(|f| f.entries().iter().collect())
            .unwrap_or_default();
        fns.sort_by_key(|e| e.key_span.start);
        for f in fns {
            let mut body = Vec::new();
            let role = match f.value.get("role") {
                Some(r) => match r.as_str() {
                    // A logical id of `resources:`, or an ARN.
                    Some(s) if !s.starts_with("arn:") && !s.contains("${") => {
                        cx.name_ref(s, Some("Arn"), r, 0)
                    }
                    _ => cx.val(r, 0),
                },
                None => match &shared_named {
                    Some(v) => v.clone(),
                    None => Val::unknown(format!("aws_iam_role.{shared}.arn"), cx.at(&f.value)),
                },
            };
            body.push(("role".to_string(), role));
            let mut vars: Vec<(String, Val)> = Vec::new();
            for env in [env_p, f.value.get("environment")].into_iter().flatten() {
                if let K::Obj(es) = cx.val(env, 0).k {
                    vars.extend(es);
                }
            }
            if !vars.is_empty() {
                let at = cx.at(&f.value);
                body.push((
                    "environment".into(),
                    Val::new(
                        K::Obj(vec![(
                            "variables".into(),
                            Val::new(K::Obj(vars), at.clone()),
                        )]),
                        at,
                    ),
                ));
            }
            self.push("resource", "aws_lambda_function", &f.key, f, body);
        }
    }
}

/// A SAM policy template (`S3ReadPolicy: {BucketName: b}`) as the policy document SAM writes
/// for it ([`crate::terraform::sam_policies`]), located at the template's name. A parameter
/// that is `*` makes the statement's resource `*`, located at that parameter.
fn sam_policy_template(cx: &Cx, p: &Node) -> Option<Val> {
    let [e] = p.entries() else {
        return None;
    };
    let (_, params, stmts) = crate::terraform::sam_policies::find(&e.key)?;
    let at = At {
        file: cx.file,
        span: e.key_span.clone(),
    };
    let s = |t: &str| Val::new(K::Str(t.into(), false), at.clone());
    let args: Vec<Val> = params
        .iter()
        .map(|name| match e.value.get(name) {
            Some(n) => cx.val(n, 0),
            None => Val::unknown(format!("{}.{name}", e.key), at.clone()),
        })
        .collect();
    let mut list = Vec::new();
    for (actions, resources) in stmts.iter() {
        let mut res = Vec::new();
        for pat in resources.iter() {
            let star = args
                .iter()
                .enumerate()
                .find(|(i, a)| pat.contains(&format!("{{{i}}}")) && a.str() == Some("*"));
            if let Some((_, a)) = star {
                res.push(Val::new(K::Str("*".into(), false), a.at.clone()));
                continue;
            }
            let mut out = pat
                .replace("{partition}", "aws")
                .replace("{region}", "${AWS::Region}")
                .replace("{account}", "${AWS::AccountId}");
            let mut partial = pat.contains("{region}") || pat.contains("{account}");
            for (i, a) in args.iter().enumerate() {
                let mut piece = String::new();
                partial |= push_piece(&mut piece, a);
                out = out.replace(&format!("{{{i}}}"), &piece);
            }
            res.push(Val::new(K::Str(out, partial), at.clone()));
        }
        let obj = |es: Vec<(&str, Val)>| {
            Val::new(
                K::Obj(es.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
                at.clone(),
            )
        };
        list.push(obj(vec![
            ("Effect", s("Allow")),
            (
                "Action",
                Val::new(K::List(actions.iter().map(|a| s(a)).collect()), at.clone()),
            ),
            ("Resource", Val::new(K::List(res), at.clone())),
        ]));
    }
    Some(Val::new(
        K::Obj(vec![
            ("Version".into(), s("2012-10-17")),
            ("Statement".into(), Val::new(K::List(list), at.clone())),
        ]),
        at,
    ))
}

/// The trust policy of a Lambda execution role (SAM and the Serverless Framework write none).
fn lambda_trust(at: &At) -> Val {
    let s = |t: &str| Val::new(K::Str(t.into(), false), at.clone());
    let obj = |es: Vec<(&str, Val)>| {
        Val::new(
            K::Obj(es.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
            at.clone(),
        )
    };
    let stmt = obj(vec![
        ("Effect", s("Allow")),
        (
            "Principal",
            obj(vec![("Service", s("lambda.amazonaws.com"))]),
        ),
        ("Action", s("sts:AssumeRole")),
    ]);
    obj(vec![
        ("Version", s("2012-10-17")),
        ("Statement", Val::new(K::List(vec![stmt]), at.clone())),
    ])
}

/// Was this block lowered from a template (not written in Terraform)?
pub fn lowered(r: &Res) -> bool {
    r.dir.ends_with("#template")
}

/// Findings in a template name resources by their logical id, not by the lowered Terraform
/// address: `aws_iam_role.Deploy` → `Deploy` (`aws_iam_policy.P.arn` → `P.arn`).
pub fn display_names(message: &str) -> String {
    use std::sync::OnceLock;
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"\b(?:var|output|aws_[a-z0-9_]+)\.([A-Za-z0-9]+)\b")
            .expect("valid regex")
    });
    re.replace_all(message, "$1").into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_names_drop_lowered_types() {
        assert_eq!(
            super::display_names(
                "trust policy of `aws_iam_role.Deploy` uses `aws_iam_policy.P.arn`"
            ),
            "trust policy of `Deploy` uses `P.arn`"
        );
    }
}
