//! Grants that let an identity widen its own rights ("can escalate to …") or create
//! credentials for other identities ("can mint credentials for …"), for AWS policy statements,
//! GCP role bindings and custom roles, and Azure role assignments, role definitions and Entra
//! (Microsoft Graph) permissions. The families follow the published privilege-escalation
//! research (Rhino Security Labs' AWS methods, Bishop Fox's iam-vulnerable paths, the clouds'
//! own role documentation); the AWS side reads the action table.

use super::actions::{ActionRef, table};
use super::aws::{Statement, denied, narrows, never_true, takes};
use crate::iam::matching::glob_ci;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Widens the holder's own rights (or lets it act as a more privileged identity).
    Escalate,
    /// Creates credentials for other identities.
    Mint,
}

/// One AWS escalation family: a key action on a broad (or the holder's own) resource,
/// optionally together with a companion action the holder also has.
pub struct AwsFamily {
    pub actions: &'static [&'static str],
    /// The key action passes a role: it needs a companion of [`PASS_ROLE_TO`] (a service that
    /// runs code with the role) that the holder also has.
    pub passes_role: bool,
    pub effect: Effect,
    /// What the holder gets: "any role", "administrator", …
    pub gives: &'static str,
}

/// Compute and stack services that run with a role passed to them (`iam:PassRole` partners),
/// with the service principal `iam:PassedToService` names for them.
const PASS_ROLE_TO: &[(&str, &str)] = &[
    ("ec2:RunInstances", "ec2.amazonaws.com"),
    ("ec2:AssociateIamInstanceProfile", "ec2.amazonaws.com"),
    (
        "ec2:ReplaceIamInstanceProfileAssociation",
        "ec2.amazonaws.com",
    ),
    ("ec2:CreateLaunchTemplate", "ec2.amazonaws.com"),
    ("ec2:CreateLaunchTemplateVersion", "ec2.amazonaws.com"),
    ("autoscaling:CreateLaunchConfiguration", "ec2.amazonaws.com"),
    ("lambda:CreateFunction", "lambda.amazonaws.com"),
    ("lambda:UpdateFunctionConfiguration", "lambda.amazonaws.com"),
    ("glue:CreateDevEndpoint", "glue.amazonaws.com"),
    ("glue:CreateJob", "glue.amazonaws.com"),
    ("glue:UpdateJob", "glue.amazonaws.com"),
    ("glue:CreateSession", "glue.amazonaws.com"),
    ("cloudformation:CreateStack", "cloudformation.amazonaws.com"),
    ("cloudformation:UpdateStack", "cloudformation.amazonaws.com"),
    (
        "cloudformation:CreateChangeSet",
        "cloudformation.amazonaws.com",
    ),
    (
        "cloudformation:CreateStackSet",
        "cloudformation.amazonaws.com",
    ),
    (
        "cloudformation:UpdateStackSet",
        "cloudformation.amazonaws.com",
    ),
    ("datapipeline:CreatePipeline", "datapipeline.amazonaws.com"),
    ("codebuild:CreateProject", "codebuild.amazonaws.com"),
    ("codebuild:UpdateProject", "codebuild.amazonaws.com"),
    (
        "sagemaker:CreateNotebookInstance",
        "sagemaker.amazonaws.com",
    ),
    ("sagemaker:CreateTrainingJob", "sagemaker.amazonaws.com"),
    ("sagemaker:CreateProcessingJob", "sagemaker.amazonaws.com"),
    (
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker.amazonaws.com",
    ),
    ("ecs:RegisterTaskDefinition", "ecs-tasks.amazonaws.com"),
    ("ecs:RunTask", "ecs-tasks.amazonaws.com"),
    ("ecs:StartTask", "ecs-tasks.amazonaws.com"),
    ("states:CreateStateMachine", "states.amazonaws.com"),
    ("states:UpdateStateMachine", "states.amazonaws.com"),
    ("apprunner:CreateService", "tasks.apprunner.amazonaws.com"),
    ("apprunner:UpdateService", "tasks.apprunner.amazonaws.com"),
    ("batch:RegisterJobDefinition", "ecs-tasks.amazonaws.com"),
    ("batch:CreateComputeEnvironment", "batch.amazonaws.com"),
    (
        "elasticbeanstalk:CreateEnvironment",
        "elasticbeanstalk.amazonaws.com",
    ),
    (
        "elasticmapreduce:RunJobFlow",
        "elasticmapreduce.amazonaws.com",
    ),
    ("scheduler:CreateSchedule", "scheduler.amazonaws.com"),
    ("iot:CreateTopicRule", "iot.amazonaws.com"),
    ("eks:CreateNodegroup", "eks.amazonaws.com"),
    (
        "bedrock-agentcore:CreateCodeInterpreter",
        "bedrock-agentcore.amazonaws.com",
    ),
    (
        "bedrock-agentcore:CreateAgentRuntime",
        "bedrock-agentcore.amazonaws.com",
    ),
];

/// The AWS families, most severe first (the first one a statement hits names it).
pub const AWS: &[AwsFamily] = &[
    AwsFamily {
        actions: &["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "administrator (a new default version of a managed policy)",
    },
    AwsFamily {
        actions: &[
            "iam:AttachUserPolicy",
            "iam:AttachGroupPolicy",
            "iam:AttachRolePolicy",
        ],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "administrator (attaching any managed policy)",
    },
    AwsFamily {
        actions: &[
            "iam:PutUserPolicy",
            "iam:PutGroupPolicy",
            "iam:PutRolePolicy",
        ],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "administrator (writing an inline policy)",
    },
    AwsFamily {
        actions: &[
            "iam:DeleteUserPermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
            "iam:PutRolePermissionsBoundary",
        ],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "rights beyond its permissions boundary",
    },
    AwsFamily {
        actions: &["iam:AddUserToGroup"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the rights of any group",
    },
    AwsFamily {
        actions: &["iam:UpdateAssumeRolePolicy"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "any role (rewriting its trust policy)",
    },
    AwsFamily {
        actions: &["iam:PassRole"],
        passes_role: true,
        effect: Effect::Escalate,
        gives: "any role (passed to a service that runs code with it)",
    },
    AwsFamily {
        actions: &["sts:AssumeRole"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "any role that trusts this account",
    },
    AwsFamily {
        actions: &["lambda:UpdateFunctionCode"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any Lambda function (replacing its code)",
    },
    AwsFamily {
        actions: &["glue:UpdateDevEndpoint"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any Glue development endpoint",
    },
    AwsFamily {
        actions: &[
            "cloudformation:UpdateStack",
            "cloudformation:ExecuteChangeSet",
        ],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the service role of any CloudFormation stack",
    },
    AwsFamily {
        actions: &["codebuild:StartBuild", "codebuild:StartBuildBatch"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any CodeBuild project (buildspec override)",
    },
    AwsFamily {
        actions: &[
            "ssm:SendCommand",
            "ssm:StartSession",
            "ec2-instance-connect:SendSSHPublicKey",
            "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
        ],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any EC2 instance (running commands on it)",
    },
    AwsFamily {
        actions: &["ec2:ModifyInstanceAttribute"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any EC2 instance (replacing its user data)",
    },
    AwsFamily {
        actions: &["ecs:ExecuteCommand"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any ECS task (running commands in it)",
    },
    AwsFamily {
        actions: &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        passes_role: false,
        effect: Effect::Escalate,
        gives: "the role of any SageMaker notebook",
    },
    AwsFamily {
        actions: &["iam:CreateAccessKey"],
        passes_role: false,
        effect: Effect::Mint,
        gives: "any user (access keys)",
    },
    AwsFamily {
        actions: &["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
        passes_role: false,
        effect: Effect::Mint,
        gives: "any user (console passwords)",
    },
    AwsFamily {
        actions: &["iam:CreateServiceSpecificCredential"],
        passes_role: false,
        effect: Effect::Mint,
        gives: "any user (service-specific credentials)",
    },
];

/// What the classification knows about the identity a statement belongs to.
#[derive(Default)]
pub struct Holder<'a> {
    /// Texts that name the holder or its policies in a resource ARN: Terraform addresses
    /// (`aws_iam_role.ci`) and literal names (`ci`, `ci-deploy-policy`).
    pub own: Vec<String>,
    /// Every statement of every policy the holder has (Allow and Deny).
    pub statements: Vec<&'a Statement>,
}

/// How a key action reaches its resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// `*`, `role/*`, `NotResource`: every resource of the type.
    Every(String),
    /// The holder itself or one of its own policies (`${aws_iam_role.self.arn}`, `policy/app-*`).
    Own(String),
    /// A name pattern (`role/agentcore_*`): every resource whose name matches, which may be
    /// more privileged than the holder.
    Pattern(String),
}

/// One family a statement hits.
#[derive(Clone, Debug)]
pub struct Hit {
    pub family: usize,
    /// Key actions as granted (`iam:PassRole`).
    pub actions: Vec<String>,
    pub reach: Reach,
    /// The companion that completes the path (`ec2:RunInstances`).
    pub with: Option<String>,
    /// A tag condition the holder can meet itself: the tagging action it holds (`iam:TagUser`).
    pub via_tags: Option<String>,
}

impl Hit {
    pub fn effect(&self) -> Effect {
        AWS[self.family].effect
    }
    pub fn gives(&self) -> &'static str {
        AWS[self.family].gives
    }
}

/// The resource part of an ARN (`role/ci`), its account, and its service; `None` when the text
/// is not an ARN.
fn arn_parts(r: &str) -> Option<(&str, &str, &str)> {
    let rest = r.strip_prefix("arn:")?;
    let mut it = rest.splitn(5, ':');
    let _partition = it.next()?;
    let svc = it.next()?;
    let _region = it.next()?;
    let acct = it.next()?;
    let res = it.next()?;
    Some((svc, acct, res))
}

/// Is `svc` a service whose resources the action takes (`ssm:SendCommand` takes EC2
/// instances)?
fn takes_service(a: &ActionRef, svc: &str) -> bool {
    let svc_l = svc.to_ascii_lowercase();
    svc == "*"
        || svc.eq_ignore_ascii_case(&a.service.prefix)
        || a.action.resources.iter().any(|(i, _)| {
            a.service
                .resources
                .get(*i as usize)
                .is_some_and(|rt| rt.arn.contains(&format!(":{svc_l}:")))
        })
}

/// Can a statement's resources name something the action acts on (`*`, an ARN of a service
/// it takes, something not known statically)?
fn resources_fit(s: &Statement, a: &ActionRef) -> bool {
    s.not_resources.is_some()
        || s.resources.iter().any(|r| {
            let t = r.trim();
            t == "*"
                || t.starts_with("${")
                || arn_parts(t).is_none_or(|(svc, _, _)| takes_service(a, svc))
        })
}

/// Does a resource value reach every resource of the action's types, or the holder's own?
fn reach_of(r: &str, a: &ActionRef, holder: &Holder) -> Option<Reach> {
    let t = r.trim();
    if t == "*" {
        return Some(Reach::Every(t.to_string()));
    }
    for own in &holder.own {
        if !own.is_empty() && (t.contains(&format!("{own}.")) || t.contains(&format!("{own}}}"))) {
            return Some(Reach::Own(t.to_string()));
        }
    }
    let (svc, acct, res) = arn_parts(t)?;
    if acct == "aws" || res.starts_with("role/aws-service-role/") {
        // AWS-managed policies and service-linked roles cannot be changed.
        return None;
    }
    if !takes_service(a, svc) {
        return None;
    }
    // The name part after the resource type (`role/`, `function:`, `user/path/`).
    let name = match res.find(['/', ':']) {
        Some(i) => &res[i + 1..],
        None => res,
    };
    // The resource's own name: the last segment for IAM (after its path), the first elsewhere
    // (`stack/app/*` is one stack, any of its ids).
    let last = name.rsplit('/').next().unwrap_or(name);
    // `user/*/${aws:username}`: the caller's own user, whatever its path. Managing one's own
    // credentials (the self-service policy) mints nothing for anyone else.
    if a.service.prefix == "iam" && last.eq_ignore_ascii_case("${aws:username}") {
        let n = a.action.name.to_ascii_lowercase();
        if [
            "accesskey",
            "loginprofile",
            "servicespecificcredential",
            "sshpublickey",
        ]
        .iter()
        .any(|k| n.contains(k))
        {
            return None;
        }
        return Some(Reach::Own(t.to_string()));
    }
    if res == "*" || name.starts_with('*') && (a.service.prefix != "iam" || last.starts_with('*')) {
        return Some(Reach::Every(t.to_string()));
    }
    let own_name = if a.service.prefix == "iam" {
        last
    } else {
        name.split(['/', ':']).next().unwrap_or(name)
    };
    if own_name.contains(['*', '?']) && !own_name.contains("${") {
        if holder
            .own
            .iter()
            .any(|o| !o.contains('.') && !o.is_empty() && glob_ci(last, o))
        {
            return Some(Reach::Own(t.to_string()));
        }
        return Some(Reach::Pattern(t.to_string()));
    }
    None
}

/// Is the companion's service among those `iam:PassedToService` allows (no such condition:
/// every service)?
fn passed_to_allows(s: &Statement, companion: &str) -> bool {
    let conds: Vec<_> = s
        .conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case("iam:PassedToService") && narrows(c))
        .collect();
    if conds.is_empty() {
        return true;
    }
    let Some((_, principal)) = PASS_ROLE_TO
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(companion))
    else {
        return false;
    };
    conds.iter().all(|c| {
        let op = crate::iam::matching::parse_op(&c.op);
        let any = c.values.iter().any(|v| {
            if op.wildcards {
                glob_ci(v, principal)
            } else {
                v.eq_ignore_ascii_case(principal)
            }
        });
        any != op.negated
    })
}

/// Is `full` granted by some Allow statement of the holder (or the statement itself) and not
/// denied?
fn holder_has(full: &str, s: &Statement, holder: &Holder) -> bool {
    let denies: Vec<&Statement> = holder
        .statements
        .iter()
        .copied()
        .filter(|d| !d.allow)
        .collect();
    if denied(full, &denies) {
        return false;
    }
    let Some(a) = table().get(full) else {
        return false;
    };
    let grants = |o: &Statement| {
        o.allow && o.covers(full) && !o.conditions.iter().any(narrows) && resources_fit(o, &a)
    };
    (grants(s)
        || s.covers(full)
            && s.conditions
                .iter()
                .all(|c| !narrows(c) || c.key.eq_ignore_ascii_case("iam:PassedToService"))
            && resources_fit(s, &a))
        || holder.statements.iter().any(|o| grants(o))
}

/// The actions that tag or untag the resources of an action (`iam:TagUser`, `ec2:CreateTags`,
/// `lambda:TagResource`).
fn tag_actions(a: &ActionRef) -> Vec<String> {
    let svc = a.service.prefix.as_str();
    let mut out = Vec::new();
    if svc == "iam" {
        for r in a.service.resource_names(a.action) {
            let ty = match r {
                "user" => "User",
                "role" => "Role",
                "policy" => "Policy",
                "instance-profile" => "InstanceProfile",
                _ => continue,
            };
            out.push(format!("iam:Tag{ty}"));
            out.push(format!("iam:Untag{ty}"));
        }
    } else if svc == "ec2" {
        out.push("ec2:CreateTags".into());
        out.push("ec2:DeleteTags".into());
    } else {
        out.push(format!("{svc}:TagResource"));
        out.push(format!("{svc}:UntagResource"));
    }
    out
}

/// Results of [`aws_statement`] kept for the life of the process, keyed by a 128-bit hash of
/// the statement and its holder: the trust graph asks for every grant of the repository on
/// each build and the escalation rule for every policy site, and the editor rebuilds both on
/// every edit over mostly unchanged policies (a third of an edit's CPU at 16,000 files).
/// Bounded: emptied when it reaches [`MEMO_MAX`] entries.
static MEMO: std::sync::OnceLock<std::sync::Mutex<HashMap<u128, Vec<Hit>>>> =
    std::sync::OnceLock::new();
const MEMO_MAX: usize = 1 << 17;

fn memo_key(s: &Statement, holder: &Holder) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |seed: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        s.hash(&mut h);
        holder.own.hash(&mut h);
        holder.statements.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// The families an Allow statement hits.
pub fn aws_statement(s: &Statement, holder: &Holder) -> Vec<Hit> {
    if !s.allow || s.conditions.iter().any(never_true) {
        return Vec::new();
    }
    let key = memo_key(s, holder);
    let memo = MEMO.get_or_init(Default::default);
    if let Some(hits) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return hits.clone();
    }
    let hits = aws_statement_uncached(s, holder);
    let mut m = memo.lock().unwrap_or_else(|e| e.into_inner());
    if m.len() >= MEMO_MAX {
        m.clear();
    }
    m.insert(key, hits.clone());
    hits
}

fn aws_statement_uncached(s: &Statement, holder: &Holder) -> Vec<Hit> {
    let t = table();
    let denies: Vec<&Statement> = holder
        .statements
        .iter()
        .copied()
        .filter(|d| !d.allow)
        .collect();
    let mut hits: Vec<Hit> = Vec::new();
    for (fi, fam) in AWS.iter().enumerate() {
        let mut hit: Option<Hit> = None;
        for key in fam.actions {
            let Some(a) = t.get(key) else { continue };
            let full = a.full_name();
            if !s.covers(&full) || denied(&full, &denies) {
                continue;
            }
            // Conditions the action takes that narrow it (tags, iam:PolicyARN, a boundary);
            // iam:PassedToService is weighed against the companion below.
            let narrowing: Vec<&super::aws::Cond> = s
                .conditions
                .iter()
                .filter(|c| {
                    narrows(c)
                        && !c.key.eq_ignore_ascii_case("iam:PassedToService")
                        && takes(&a, &c.key)
                })
                .collect();
            let mut via_tags = None;
            if !narrowing.is_empty() {
                // A resource-tag condition does not hold when the holder may tag (or untag)
                // the resources itself.
                let all_tags = narrowing.iter().all(|c| {
                    let k = c.key.to_ascii_lowercase();
                    k.split_once(':')
                        .is_some_and(|(_, r)| r.starts_with("resourcetag/"))
                });
                via_tags = if all_tags {
                    tag_actions(&a)
                        .into_iter()
                        .find(|t| holder_has(t, s, holder))
                } else {
                    None
                };
                if via_tags.is_none() {
                    continue;
                }
            }
            let reach = if s.not_resources.is_some() {
                Some(Reach::Every("NotResource".into()))
            } else {
                let mut best = None;
                for r in &s.resources {
                    match reach_of(r, &a, holder) {
                        Some(Reach::Every(x)) => {
                            best = Some(Reach::Every(x));
                            break;
                        }
                        Some(Reach::Own(o)) if !matches!(best, Some(Reach::Own(_))) => {
                            best = Some(Reach::Own(o))
                        }
                        Some(o) if best.is_none() => best = Some(o),
                        _ => {}
                    }
                }
                best
            };
            let Some(reach) = reach else { continue };
            let with = if fam.passes_role {
                match PASS_ROLE_TO
                    .iter()
                    .map(|(w, _)| *w)
                    .find(|w| passed_to_allows(s, w) && holder_has(w, s, holder))
                {
                    Some(w) => Some(w.to_string()),
                    None => continue,
                }
            } else {
                None
            };
            match &mut hit {
                Some(h) => h.actions.push(full),
                None => {
                    hit = Some(Hit {
                        family: fi,
                        actions: vec![full],
                        reach,
                        with,
                        via_tags,
                    })
                }
            }
        }
        hits.extend(hit);
    }
    hits
}

/// A GCP grant that lets its member escalate or mint credentials.
pub struct GcpRole {
    pub role: &'static str,
    pub effect: Effect,
    /// What the member gets on the scope (`{scope}` is the project, folder or organization).
    pub gives: &'static str,
}

pub const GCP_ROLES: &[GcpRole] = &[
    GcpRole {
        role: "roles/owner",
        effect: Effect::Escalate,
        gives: "any role on {scope}",
    },
    GcpRole {
        role: "roles/editor",
        effect: Effect::Escalate,
        gives: "every service account of {scope} (`actAs`)",
    },
    GcpRole {
        role: "roles/iam.securityAdmin",
        effect: Effect::Escalate,
        gives: "any role on {scope} (it sets the IAM policy)",
    },
    GcpRole {
        role: "roles/resourcemanager.projectIamAdmin",
        effect: Effect::Escalate,
        gives: "any role on {scope} (it sets the IAM policy)",
    },
    GcpRole {
        role: "roles/resourcemanager.folderIamAdmin",
        effect: Effect::Escalate,
        gives: "any role on {scope} (it sets the IAM policy)",
    },
    GcpRole {
        role: "roles/resourcemanager.folderAdmin",
        effect: Effect::Escalate,
        gives: "any role on {scope} (it sets the IAM policy)",
    },
    GcpRole {
        role: "roles/resourcemanager.organizationAdmin",
        effect: Effect::Escalate,
        gives: "any role on {scope} (it sets the IAM policy)",
    },
    GcpRole {
        role: "roles/iam.roleAdmin",
        effect: Effect::Escalate,
        gives: "any permission (it edits the custom roles of {scope})",
    },
    GcpRole {
        role: "roles/iam.organizationRoleAdmin",
        effect: Effect::Escalate,
        gives: "any permission (it edits the custom roles of {scope})",
    },
    GcpRole {
        role: "roles/iam.serviceAccountAdmin",
        effect: Effect::Escalate,
        gives: "every service account of {scope} (it sets their IAM policies)",
    },
    GcpRole {
        role: "roles/iam.serviceAccountUser",
        effect: Effect::Escalate,
        gives: "every service account of {scope} (`actAs`)",
    },
    GcpRole {
        role: "roles/iam.serviceAccountTokenCreator",
        effect: Effect::Mint,
        gives: "every service account of {scope} (access and ID tokens)",
    },
    GcpRole {
        role: "roles/iam.serviceAccountKeyAdmin",
        effect: Effect::Mint,
        gives: "every service account of {scope} (keys)",
    },
    GcpRole {
        role: "roles/iam.workloadIdentityUser",
        effect: Effect::Mint,
        gives: "every service account of {scope} (federated tokens)",
    },
];

pub fn gcp_role(role: &str) -> Option<&'static GcpRole> {
    let r = role.trim();
    GCP_ROLES.iter().find(|g| g.role.eq_ignore_ascii_case(r))
}

/// A permission of a GCP custom role that escalates or mints.
pub fn gcp_permission(p: &str) -> Option<(Effect, &'static str)> {
    let l = p.trim().to_ascii_lowercase();
    if l.ends_with(".setiampolicy") {
        return Some((
            Effect::Escalate,
            "any role on the resources it sets the policy of",
        ));
    }
    match l.as_str() {
        "iam.serviceaccountkeys.create" => Some((Effect::Mint, "service accounts (keys)")),
        "iam.serviceaccounts.getaccesstoken"
        | "iam.serviceaccounts.signblob"
        | "iam.serviceaccounts.signjwt"
        | "iam.serviceaccounts.getopenidtoken"
        | "iam.serviceaccounts.implicitdelegation" => {
            Some((Effect::Mint, "service accounts (tokens and signatures)"))
        }
        "iam.serviceaccounts.actas" => Some((Effect::Escalate, "service accounts (`actAs`)")),
        "iam.roles.update" | "iam.roles.create" => {
            Some((Effect::Escalate, "any permission (it edits custom roles)"))
        }
        "deploymentmanager.deployments.create" | "cloudbuild.builds.create" => Some((
            Effect::Escalate,
            "the service account the service deploys with",
        )),
        _ => None,
    }
}

/// Azure built-in roles that can write role assignments.
pub const AZURE_ROLES: &[&str] = &[
    "Owner",
    "User Access Administrator",
    "Role Based Access Control Administrator",
];

/// An action of an Azure custom role definition that writes role assignments or definitions.
pub fn azure_action(a: &str) -> bool {
    let t = a.trim();
    [
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleDefinitions/write",
    ]
    .iter()
    .any(|x| glob_ci(t, x))
}

/// Microsoft Graph application permissions (and Entra directory roles) that mint credentials or
/// escalate, by name and app role id.
pub const ENTRA: &[(&str, &str, Effect, &str)] = &[
    (
        "Application.ReadWrite.All",
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        Effect::Mint,
        "any application of the tenant (adding secrets to it)",
    ),
    (
        "AppRoleAssignment.ReadWrite.All",
        "06b708a9-e830-4db3-a914-8e69da51d44f",
        Effect::Escalate,
        "any Microsoft Graph permission (granting app roles to itself)",
    ),
    (
        "RoleManagement.ReadWrite.Directory",
        "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
        Effect::Escalate,
        "any directory role, Global Administrator included",
    ),
];

pub const ENTRA_ROLES: &[(&str, Effect, &str)] = &[
    (
        "Global Administrator",
        Effect::Escalate,
        "anything in the tenant",
    ),
    (
        "Privileged Role Administrator",
        Effect::Escalate,
        "any directory role, Global Administrator included",
    ),
    (
        "Application Administrator",
        Effect::Mint,
        "any application of the tenant (adding secrets to it)",
    ),
    (
        "Cloud Application Administrator",
        Effect::Mint,
        "any application of the tenant (adding secrets to it)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::aws::Cond;

    use crate::iam::aws::tests::st;

    fn families(s: &Statement, h: &Holder) -> Vec<&'static str> {
        aws_statement(s, h)
            .iter()
            .map(|h| AWS[h.family].actions[0])
            .collect()
    }

    #[test]
    fn aws_families() {
        let h = Holder::default();
        assert_eq!(
            families(&st(&["iam:CreateAccessKey"], &["*"]), &h),
            vec!["iam:CreateAccessKey"]
        );
        assert_eq!(
            families(&st(&["iam:PassRole", "ec2:RunInstances"], &["*"]), &h),
            vec!["iam:PassRole"]
        );
        // PassRole alone, or on a named role, is not a path.
        assert!(families(&st(&["iam:PassRole"], &["*"]), &h).is_empty());
        assert!(
            families(
                &st(
                    &["iam:PassRole", "ec2:RunInstances"],
                    &["arn:aws:iam::1:role/app"]
                ),
                &h
            )
            .is_empty()
        );
        // `role/*` with a companion granted by another statement of the holder (a role ARN
        // does not name a function: the same statement would not grant it).
        let lambda = st(&["lambda:CreateFunction"], &["*"]);
        let with_lambda = Holder {
            own: Vec::new(),
            statements: vec![&lambda],
        };
        assert_eq!(
            families(
                &st(&["iam:PassRole"], &["arn:aws:iam::1:role/*"]),
                &with_lambda
            ),
            vec!["iam:PassRole"]
        );
        assert!(
            families(
                &st(
                    &["iam:PassRole", "lambda:CreateFunction"],
                    &["arn:aws:iam::1:role/*"]
                ),
                &h
            )
            .is_empty()
        );
        // iam:PassedToService limits the companions.
        let mut p = st(&["iam:PassRole", "lambda:CreateFunction"], &["*"]);
        p.conditions.push(Cond {
            op: "StringEquals".into(),
            key: "iam:PassedToService".into(),
            values: vec!["ecs-tasks.amazonaws.com".into()],
        });
        assert!(families(&p, &h).is_empty());
        p.conditions[0].values = vec!["lambda.amazonaws.com".into()];
        assert_eq!(families(&p, &h), vec!["iam:PassRole"]);
        // AWS-managed policies cannot be changed; a tag condition narrows.
        assert!(
            families(
                &st(
                    &["iam:CreatePolicyVersion"],
                    &["arn:aws:iam::aws:policy/x-*"]
                ),
                &h
            )
            .is_empty()
        );
        let mut tagged = st(&["iam:AttachRolePolicy"], &["*"]);
        tagged.conditions.push(Cond {
            op: "StringEquals".into(),
            key: "iam:ResourceTag/team".into(),
            values: vec!["a".into()],
        });
        assert!(families(&tagged, &h).is_empty());
        // A date condition does not narrow, unless no token can meet it any more.
        tagged.conditions[0].key = "aws:TokenIssueTime".into();
        tagged.conditions[0].op = "DateGreaterThan".into();
        tagged.conditions[0].values = vec!["2020-01-01T00:00:01Z".into()];
        assert_eq!(families(&tagged, &h), vec!["iam:AttachUserPolicy"]);
        tagged.conditions[0].op = "DateLessThan".into();
        assert!(families(&tagged, &h).is_empty());
        // The holder's own policy by name pattern, and its own ARN by reference.
        let own = Holder {
            own: vec!["app-policy".into(), "aws_iam_role.app".into()],
            statements: Vec::new(),
        };
        assert_eq!(
            families(
                &st(
                    &["iam:CreatePolicyVersion"],
                    &["arn:aws:iam::*:policy/app-*"]
                ),
                &own
            ),
            vec!["iam:CreatePolicyVersion"]
        );
        assert_eq!(
            families(
                &st(&["iam:PutRolePolicy"], &["${aws_iam_role.app.arn}"]),
                &own
            ),
            vec!["iam:PutUserPolicy"]
        );
        assert!(
            families(
                &st(&["iam:PutRolePolicy"], &["${aws_iam_role.other.arn}"]),
                &own
            )
            .is_empty()
        );
    }

    #[test]
    fn tag_conditions_the_holder_can_meet() {
        let mut keys = st(&["iam:CreateAccessKey"], &["arn:aws:iam::1:user/*"]);
        keys.conditions.push(Cond {
            op: "StringEquals".into(),
            key: "aws:ResourceTag/developer".into(),
            values: vec!["true".into()],
        });
        assert!(families(&keys, &Holder::default()).is_empty());
        let tag = st(&["iam:TagUser"], &["*"]);
        let h = Holder {
            own: Vec::new(),
            statements: vec![&tag],
        };
        let hits = aws_statement(&keys, &h);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].via_tags.as_deref(), Some("iam:TagUser"));
    }

    #[test]
    fn denies_and_companions_across_policies() {
        let run = st(&["ec2:RunInstances"], &["*"]);
        let mut deny = st(&["iam:*"], &["*"]);
        deny.allow = false;
        let pass = st(&["iam:PassRole"], &["*"]);
        let h = Holder {
            own: Vec::new(),
            statements: vec![&run],
        };
        assert_eq!(families(&pass, &h), vec!["iam:PassRole"]);
        let h = Holder {
            own: Vec::new(),
            statements: vec![&run, &deny],
        };
        assert!(families(&pass, &h).is_empty());
        assert!(families(&st(&["iam:*"], &["*"]), &h).is_empty());
    }

    #[test]
    fn gcp_and_azure() {
        assert_eq!(
            gcp_role("roles/iam.serviceAccountTokenCreator").map(|r| r.effect),
            Some(Effect::Mint)
        );
        assert!(gcp_role("roles/viewer").is_none());
        assert!(gcp_permission("resourcemanager.projects.setIamPolicy").is_some());
        assert!(gcp_permission("storage.objects.get").is_none());
        assert!(azure_action("Microsoft.Authorization/*"));
        assert!(azure_action("*"));
        assert!(azure_action(
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(!azure_action("Microsoft.Authorization/*/read"));
        assert!(!azure_action("Microsoft.Compute/*"));
    }
}
