//! Static cloud credentials handed to a job where OIDC federation exists: AWS access keys,
//! a GCP service-account key, an Azure client secret.

use crate::ci::gha::{Workflow, secret_entries};
use crate::context::FileCx;
use crate::finding::{Confidence, Finding};
use crate::lang::Node;
use crate::rules::Rule;

/// Environment variables that carry static cloud credentials: (name, cloud, what).
const ENV_KEYS: &[(&str, &str)] = &[
    ("AWS_SECRET_ACCESS_KEY", "an AWS access key"),
    ("GOOGLE_CREDENTIALS", "a GCP service-account key"),
    ("GOOGLE_APPLICATION_CREDENTIALS_JSON", "a GCP service-account key"),
    ("GCP_SA_KEY", "a GCP service-account key"),
    ("GCP_SERVICE_ACCOUNT_KEY", "a GCP service-account key"),
    ("GCP_CREDENTIALS", "a GCP service-account key"),
    ("GCLOUD_SERVICE_KEY", "a GCP service-account key"),
    ("GOOGLE_SERVICE_ACCOUNT_KEY", "a GCP service-account key"),
    ("ARM_CLIENT_SECRET", "an Azure client secret"),
    ("AZURE_CLIENT_SECRET", "an Azure client secret"),
    ("AZURE_CREDENTIALS", "an Azure client secret"),
];

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for w in Workflow::all(cx.file, cx.parsed) {
        let mut envs: Vec<(&Node, String)> = Vec::new();
        if let Some(e) = w.env {
            envs.push((e, "workflow".into()));
        }
        for job in &w.jobs {
            if let Some(e) = job.env {
                envs.push((e, format!("job `{}`", job.id)));
            }
            for s in &job.steps {
                if let Some(e) = s.env {
                    envs.push((e, format!("job `{}`", job.id)));
                }
                let Some(a) = s.action() else { continue };
                let hit: Option<(&str, &str)> = match a.as_str() {
                    "aws-actions/configure-aws-credentials" => {
                        Some(("aws-access-key-id", "a static AWS access key"))
                    }
                    "google-github-actions/auth" => {
                        Some(("credentials_json", "a GCP service-account key"))
                    }
                    "azure/login" => Some(("creds", "an Azure client secret (`creds`)")),
                    _ => None,
                };
                let Some((input, what)) = hit else { continue };
                let node = s.with_node(input).or_else(|| {
                    (a == "azure/login")
                        .then(|| s.with_node("client-secret"))
                        .flatten()
                });
                if let Some(n) = node {
                    out.push(
                        rule.finding(
                            cx.file,
                            n.span.clone(),
                            format!(
                                "job `{}` logs in to the cloud with {what} via `{a}` instead of OIDC federation",
                                job.id
                            ),
                        )
                        .with_fp_key(format!("{}:{a}:{input}", job.id)),
                    );
                }
            }
        }
        for (env, whose) in envs {
            for (k, v) in secret_entries(Some(env)) {
                let Some((_, what)) = ENV_KEYS.iter().find(|(n, _)| k.eq_ignore_ascii_case(n))
                else {
                    continue;
                };
                out.push(
                    rule.finding(
                        cx.file,
                        v.span.clone(),
                        format!("{whose} receives {what} in `{k}` instead of using OIDC federation"),
                    )
                    .with_confidence(Confidence::Medium)
                    .with_fp_key(format!("{whose}:{k}")),
                );
            }
        }
    }
}
