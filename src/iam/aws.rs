//! AWS policy statement semantics on a format-neutral view of a statement: which actions a
//! pattern grants (through the action table), which conditions narrow the resources it
//! applies to, and which Deny statements take actions away.

use super::actions::{ActionRef, table};
use crate::iam::matching::glob_ci;

/// A condition as written (values rendered; unknown parts as `${…}`).
#[derive(Clone, Debug, Hash)]
pub struct Cond {
    pub op: String,
    pub key: String,
    pub values: Vec<String>,
}

/// One statement of an identity policy, format-neutral.
#[derive(Clone, Debug, Hash)]
pub struct Statement {
    pub allow: bool,
    pub actions: Vec<String>,
    pub not_actions: Option<Vec<String>>,
    pub resources: Vec<String>,
    pub not_resources: Option<Vec<String>>,
    pub conditions: Vec<Cond>,
}

impl Statement {
    /// Does the statement apply to every resource (`*` or `NotResource`)?
    pub fn every_resource(&self) -> bool {
        self.not_resources.is_some() || self.resources.iter().any(|r| r.trim() == "*")
    }

    /// Does an action (full name) fall under this statement's Action/NotAction?
    pub fn covers(&self, full: &str) -> bool {
        match &self.not_actions {
            Some(na) => !na.iter().any(|p| glob_ci(p.trim(), full)),
            None => self.actions.iter().any(|p| {
                let p = p.trim();
                p == "*" || glob_ci(p, full)
            }),
        }
    }
}

/// Global context keys that say something about the request or the caller, not about which
/// resource is acted on: a condition on them leaves the statement's reach as wide as before.
const NOT_NARROWING: &[&str] = &[
    "aws:tokenissuetime",
    "aws:currenttime",
    "aws:epochtime",
    "aws:securetransport",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:requestedregion",
    "aws:useragent",
    "aws:referer",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:sourceidentity",
    "aws:federatedprovider",
    "aws:ec2instancesourcevpc",
    "aws:ec2instancesourceprivateipv4",
    "ec2:sourceinstancearn",
];

/// Does this condition key say nothing about the resource acted on?
pub fn key_is_request_context(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase();
    NOT_NARROWING.contains(&k.as_str()) || k.starts_with("aws:principaltag/")
}

/// Does the condition limit which resources (or which services, for `iam:PassRole`) the
/// statement reaches? `…IfExists` (an absent key passes), `Bool` tests, values that match
/// anything and request-context keys do not; a `Null` test on a resource key does (tagged or
/// untagged resources only).
pub fn narrows(c: &Cond) -> bool {
    if c.op == "?" {
        // A condition block not known statically may restrict anything.
        return true;
    }
    let op = crate::iam::matching::parse_op(&c.op);
    if key_is_request_context(&c.key) || c.values.is_empty() || op.if_exists {
        return false;
    }
    if op.base == "Null" {
        // `Null aws:ResourceTag/x = false`: only resources that carry the tag (`true`: only
        // those without it). Either way a subset.
        return true;
    }
    if op.base == "Bool" {
        return false;
    }
    !c.values
        .iter()
        .any(|v| crate::iam::matching::value_matches_anything(&op, v))
}

/// A condition no request can meet any more: `DateLessThan` on the current time or the token
/// issue time with a date before today (the statement never applies).
pub fn never_true(c: &Cond) -> bool {
    let op = crate::iam::matching::parse_op(&c.op);
    let k = c.key.to_ascii_lowercase();
    if !(op.base == "DateLessThan" || op.base == "DateLessThanEquals")
        || !(k == "aws:currenttime" || k == "aws:tokenissuetime")
        || op.if_exists
    {
        return false;
    }
    let today = crate::context::today();
    !c.values.is_empty()
        && c.values
            .iter()
            .all(|v| v.get(..10).is_some_and(|d| d < today.as_str()))
}

/// The statement's narrowing conditions, as `key` names.
pub fn narrowing_keys(s: &Statement) -> Vec<&str> {
    s.conditions
        .iter()
        .filter(|c| narrows(c))
        .map(|c| c.key.as_str())
        .collect()
}

/// Is an action taken away by an unconditional Deny on every resource?
pub fn denied(full: &str, denies: &[&Statement]) -> bool {
    denies.iter().any(|d| {
        !d.allow
            && d.conditions.is_empty()
            && d.not_resources.is_none()
            && d.resources.iter().any(|r| r.trim() == "*")
            && d.covers(full)
    })
}

/// The actions an Allow statement grants, from the table (NotAction: every action not listed).
/// Patterns the table does not know come back in the second list, as written.
pub fn granted(s: &Statement) -> (Vec<ActionRef<'static>>, Vec<String>) {
    let t = table();
    let mut out: Vec<ActionRef> = Vec::new();
    let mut unknown = Vec::new();
    match &s.not_actions {
        Some(_) => out.extend(t.all().filter(|a| s.covers(&a.full_name()))),
        None => {
            for p in &s.actions {
                let got = t.expand(p);
                if got.is_empty() {
                    unknown.push(p.clone());
                }
                out.extend(got);
            }
        }
    }
    out.sort_by_key(|a| {
        (
            a.service as *const _ as usize,
            a.action as *const _ as usize,
        )
    });
    out.dedup_by_key(|a| {
        (
            a.service as *const _ as usize,
            a.action as *const _ as usize,
        )
    });
    (out, unknown)
}

/// The action patterns of an Allow statement on every resource that reach resources one by one
/// (not `*`-only, not list-level), are not denied, and are not narrowed by a condition the
/// action takes. Patterns the table does not know are kept (they may be anything).
pub fn scoped_on_every_resource(s: &Statement, denies: &[&Statement]) -> Vec<String> {
    if !s.allow || !s.every_resource() {
        return Vec::new();
    }
    let narrowing: Vec<&Cond> = s.conditions.iter().filter(|c| narrows(c)).collect();
    let t = table();
    let mut out = Vec::new();
    for p in &s.actions {
        let acts = t.expand(p);
        if acts.is_empty() {
            out.push(p.clone());
            continue;
        }
        let hit = acts.iter().any(|a| {
            !a.action.star_only()
                && a.action.level != super::actions::Level::List
                && !denied(&a.full_name(), denies)
                && !narrowing.iter().any(|c| takes(a, &c.key))
        });
        if hit {
            out.push(p.clone());
        }
    }
    out
}

/// Read-level actions whose answer carries secret values, credentials or stored data (not
/// metadata): on `*` they read every secret, parameter, object, item, message or function
/// environment of the account, so they count like writes.
const READS_CONTENT: &[&str] = &[
    "athena:GetQueryResults",
    "codebuild:BatchGetProjects",
    "cognito-idp:DescribeUserPoolClient",
    "codecommit:GetBlob",
    "codecommit:GetFile",
    "codecommit:GitPull",
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:GetRecords",
    "dynamodb:Query",
    "dynamodb:Scan",
    "ec2:GetPasswordData",
    "elasticbeanstalk:DescribeConfigurationSettings",
    "elasticfilesystem:ClientMount",
    "glue:GetConnection",
    "glue:GetConnections",
    "kinesis:GetRecords",
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:GetLayerVersion",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "sqs:ReceiveMessage",
    "ssm:GetParameter",
    "ssm:GetParameterHistory",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "sts:GetFederationToken",
];

/// Read verbs of action names, for actions of a service the table cannot name (a `dynamic`
/// iterator over service names: `${statement.value}:Get*`).
const READ_VERBS: &[&str] = &["List", "Get", "BatchGet", "Describe", "View"];

/// Do these action patterns (as reported on `*` by [`scoped_on_every_resource`]) only read
/// metadata? Every action they grant that reaches resources one by one is read-level and not
/// one of [`READS_CONTENT`]. A pattern of an unknown service counts when its name starts with a
/// read verb; an unknown action of a known service does not.
pub fn reads_metadata_only(patterns: &[String]) -> bool {
    let t = table();
    !patterns.is_empty()
        && patterns.iter().all(|p| {
            let acts = t.expand(p);
            if acts.is_empty() {
                let Some((svc, name)) = p.split_once(':') else {
                    return false;
                };
                let name = name.to_ascii_lowercase();
                return t.service(svc).is_none()
                    && READ_VERBS
                        .iter()
                        .any(|v| name.starts_with(&v.to_ascii_lowercase()));
            }
            acts.iter()
                .filter(|a| !a.action.star_only() && a.action.level != super::actions::Level::List)
                .all(|a| {
                    a.action.level == super::actions::Level::Read
                        && !READS_CONTENT
                            .iter()
                            .any(|c| c.eq_ignore_ascii_case(&a.full_name()))
                })
        })
}

/// Does the action take the condition key (its own keys, its resource types' keys, or a key of
/// another service that the table does not list, which is treated as applying)?
pub fn takes(a: &ActionRef, key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if a.service.takes_key(a.action, key) {
        return true;
    }
    // Global resource keys apply to every action whose resources carry tags or accounts.
    if k.starts_with("aws:resourcetag/")
        || k == "aws:resourceaccount"
        || k.starts_with("aws:resourceorg")
    {
        return !a.action.star_only();
    }
    if k.starts_with("aws:requesttag/") || k == "aws:tagkeys" {
        return a.service.takes_key(a.action, key);
    }
    // A service key the table does not list for this action: keys of the action's own service
    // (or of an unknown service) are assumed to apply.
    match k.split_once(':') {
        Some((svc, _)) if svc != "aws" => {
            svc == a.service.prefix.to_ascii_lowercase() || table().service(svc).is_none()
        }
        _ => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An Allow statement of these actions on these resources.
    pub(crate) fn st(actions: &[&str], resources: &[&str]) -> Statement {
        Statement {
            allow: true,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: None,
            resources: resources.iter().map(|s| s.to_string()).collect(),
            not_resources: None,
            conditions: Vec::new(),
        }
    }

    #[test]
    fn metadata_reads() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for quiet in [
            &["bedrock:Get*", "bedrock:List*"][..],
            &["eks:DescribeCluster"],
            &["eks-auth:AssumeRoleForPodIdentity"],
            &["iam:Get*", "iam:SimulatePrincipalPolicy"],
            &[
                "${statement.value}:Get*",
                "${statement.value}:Describe*",
                "<x>:View*",
            ],
        ] {
            assert!(reads_metadata_only(&v(quiet)), "{quiet:?}");
        }
        for loud in [
            &["secretsmanager:GetSecretValue"][..],
            &["ssm:GetParameter*"],
            &["lambda:Get*"],
            &["s3:GetObject", "iam:GetRole"],
            &["ec2:AssignIpv6Addresses"],
            &["iam:PassRole"],
            &["s3:NoSuchRead"],
            &["${svc}:Put*"],
            &[],
        ] {
            assert!(!reads_metadata_only(&v(loud)), "{loud:?}");
        }
    }

    #[test]
    fn scoped_actions_conditions_and_denies() {
        let s = st(
            &[
                "s3:GetObject",
                "ec2:Describe*",
                "sts:GetCallerIdentity",
                "x:y",
            ],
            &["*"],
        );
        assert_eq!(
            scoped_on_every_resource(&s, &[]),
            vec!["s3:GetObject", "x:y"]
        );
        let mut tagged = st(&["ec2:StartInstances"], &["*"]);
        tagged.conditions.push(Cond {
            op: "StringEquals".into(),
            key: "aws:ResourceTag/team".into(),
            values: vec!["a".into()],
        });
        assert!(scoped_on_every_resource(&tagged, &[]).is_empty());
        tagged.conditions[0].op = "Null".into();
        assert!(scoped_on_every_resource(&tagged, &[]).is_empty());
        tagged.conditions[0].op = "StringEqualsIfExists".into();
        assert_eq!(scoped_on_every_resource(&tagged, &[]).len(), 1);
        tagged.conditions[0].op = "StringEquals".into();
        tagged.conditions[0].key = "aws:TokenIssueTime".into();
        assert_eq!(scoped_on_every_resource(&tagged, &[]).len(), 1);
        let mut deny = st(&["s3:*"], &["*"]);
        deny.allow = false;
        assert!(scoped_on_every_resource(&st(&["s3:GetObject"], &["*"]), &[&deny]).is_empty());
        assert!(
            scoped_on_every_resource(&st(&["s3:GetObject"], &["arn:aws:s3:::b/*"]), &[]).is_empty()
        );
    }

    #[test]
    fn not_action_grants_the_rest() {
        let s = Statement {
            not_actions: Some(vec!["iam:*".into()]),
            ..st(&[], &["*"])
        };
        let (g, _) = granted(&s);
        assert!(g.iter().all(|a| a.service.prefix != "iam"));
        assert!(g.len() > 10_000);
    }
}
