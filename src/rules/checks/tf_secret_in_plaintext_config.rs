//! Secret material (an access key secret, a service account private key, a client secret, a
//! generated password or private key, a secret read back from a secret manager) that flows
//! into configuration stored and shown in clear: Lambda, ECS, Beanstalk, CodeBuild, App
//! Service, Cloud Functions and Cloud Run environments, instance `user_data`/metadata, SSM
//! `String` parameters, S3 objects, DynamoDB items, ConfigMaps, provisioners, Kubernetes
//! Secrets (base64 only).

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::analysis::Res;
use crate::terraform::eval::{At, Val};
use crate::terraform::report::{Files, at_value, finding, push, related, secret_refs, text};

/// A place of a resource that keeps a value in clear: (the value, what the place is).
type Sink<'a> = (&'a Val, String);

/// Entries of a map of variables as sinks named `<what> `NAME``.
fn named<'a>(m: Option<&'a Val>, what: &str, out: &mut Vec<Sink<'a>>) {
    let Some(m) = m else { return };
    if m.entries().is_empty() {
        out.push((m, what.to_string()));
    }
    for (k, v) in m.entries() {
        out.push((v, format!("{what} `{k}`")));
    }
}

fn sinks(r: &Res) -> Vec<Sink<'_>> {
    let b: &Val = &r.body;
    let mut out = Vec::new();
    match r.rtype.as_str() {
        "aws_lambda_function" => {
            for e in b.get_all("environment") {
                named(e.get("variables"), "Lambda environment variable", &mut out);
            }
        }
        "aws_instance" | "aws_launch_template" | "aws_launch_configuration" | "aws_spot_instance_request" => {
            for k in ["user_data", "user_data_base64"] {
                if let Some(v) = b.get(k) {
                    out.push((v, format!("`{k}` (readable by anyone who can describe the instance, and from the instance metadata service)")));
                }
            }
        }
        "aws_ssm_parameter" => {
            let t = b.get("type").and_then(|t| t.known_str());
            if matches!(t, Some("String") | Some("StringList")) {
                for k in ["value", "insecure_value"] {
                    if let Some(v) = b.get(k) {
                        out.push((v, format!("an SSM `{}` parameter (not encrypted)", t.unwrap_or("String"))));
                    }
                }
            }
        }
        "aws_s3_object" | "aws_s3_bucket_object" => {
            for k in ["content", "content_base64"] {
                if let Some(v) = b.get(k) {
                    out.push((v, "an S3 object".to_string()));
                }
            }
        }
        "aws_dynamodb_table_item" => {
            if let Some(v) = b.get("item") {
                out.push((v, "a DynamoDB item".to_string()));
            }
        }
        "aws_elastic_beanstalk_environment" | "aws_elastic_beanstalk_configuration_template" => {
            for s in b.get_all("setting") {
                let ns = s.get("namespace").and_then(|n| n.known_str()).unwrap_or("");
                if ns != "aws:elasticbeanstalk:application:environment" {
                    continue;
                }
                let name = s.get("name").and_then(|n| n.known_str()).unwrap_or("?");
                if let Some(v) = s.get("value") {
                    out.push((v, format!("Elastic Beanstalk environment property `{name}`")));
                }
            }
        }
        "aws_codebuild_project" => {
            for e in b.get_all("environment") {
                for ev in e.get_all("environment_variable") {
                    let t = ev.get("type").and_then(|t| t.known_str()).unwrap_or("PLAINTEXT");
                    if t != "PLAINTEXT" {
                        continue;
                    }
                    let name = ev.get("name").and_then(|n| n.known_str()).unwrap_or("?");
                    if let Some(v) = ev.get("value") {
                        out.push((v, format!("CodeBuild environment variable `{name}`")));
                    }
                }
            }
        }
        "aws_ecs_task_definition" | "aws_batch_job_definition" => {
            for k in ["container_definitions", "container_properties"] {
                if let Some(v) = b.get(k) {
                    out.push((v, "a container definition (environment in clear; use `secrets`)".to_string()));
                }
            }
        }
        "aws_apprunner_service" | "aws_amplify_app" | "aws_amplify_branch" => {
            let mut stack = vec![b];
            while let Some(v) = stack.pop() {
                for (k, x) in v.entries() {
                    if k == "runtime_environment_variables" || k == "environment_variables" {
                        named(Some(x), "environment variable", &mut out);
                    } else {
                        stack.push(x);
                    }
                }
            }
        }
        "google_compute_instance" | "google_compute_instance_template" | "google_compute_region_instance_template" => {
            named(b.get("metadata"), "instance metadata", &mut out);
            if let Some(v) = b.get("metadata_startup_script") {
                out.push((v, "the instance startup script (instance metadata)".to_string()));
            }
        }
        "google_cloudfunctions_function" => named(b.get("environment_variables"), "Cloud Functions environment variable", &mut out),
        "google_cloudfunctions2_function" => {
            for sc in b.get_all("service_config") {
                named(sc.get("environment_variables"), "Cloud Functions environment variable", &mut out);
            }
        }
        "google_cloud_run_service" | "google_cloud_run_v2_service" | "google_cloud_run_v2_job" => {
            // template.(spec.)containers.env { name value }
            let mut stack = vec![b];
            while let Some(v) = stack.pop() {
                for (k, x) in v.entries() {
                    if k == "env" {
                        let name = x.get("name").and_then(|n| n.known_str()).unwrap_or("?");
                        if let Some(val) = x.get("value") {
                            out.push((val, format!("Cloud Run environment variable `{name}`")));
                        }
                    } else {
                        stack.push(x);
                    }
                }
            }
        }
        t if t.starts_with("azurerm_") && (t.ends_with("_web_app") || t.ends_with("_function_app") || t == "azurerm_app_service" || t.ends_with("_web_app_slot") || t.ends_with("_function_app_slot")) => {
            named(b.get("app_settings"), "App Service setting", &mut out);
        }
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_linux_virtual_machine_scale_set" | "azurerm_windows_virtual_machine_scale_set" => {
            for k in ["custom_data", "user_data"] {
                if let Some(v) = b.get(k) {
                    out.push((v, format!("`{k}` of the virtual machine")));
                }
            }
        }
        "kubernetes_config_map" | "kubernetes_config_map_v1" => named(b.get("data"), "ConfigMap key", &mut out),
        _ => {}
    }
    // Provisioners of any resource: a file written on the machine, a command line.
    for p in b.get_all("provisioner") {
        for (k, what) in [("content", "a file a provisioner writes"), ("inline", "a provisioner's remote commands"), ("command", "a provisioner's local command (shown in logs)")] {
            if let Some(v) = p.get(k) {
                out.push((v, what.to_string()));
            }
        }
    }
    out
}

/// Kubernetes Secrets keep the value only base64-encoded, and in the Terraform state.
fn k8s_secret(r: &Res) -> Vec<Sink<'_>> {
    let mut out = Vec::new();
    if matches!(r.rtype.as_str(), "kubernetes_secret" | "kubernetes_secret_v1") {
        named(r.body.get("data"), "Kubernetes Secret key", &mut out);
        named(r.body.get("string_data"), "Kubernetes Secret key", &mut out);
    }
    out
}

/// Where a reference is written: inside the value's own text, else in a use or call it came
/// through (`templatefile(…, { secret = … })`).
fn ref_at(fs: &Files, v: &Val, reference: &str) -> Option<At> {
    std::iter::once(&v.at).chain(v.via.iter()).find_map(|a| {
        let i = text(fs, a).find(reference)?;
        let start = a.span.start + i;
        Some(At { file: a.file, span: start..start + reference.len() })
    })
}

/// Does a variable or local name say it holds a secret (`db_password`, `rds-password`,
/// `api_token`; not `password_length` or `secret_name`)?
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    const ENDS: &[&str] = &[
        "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "private_key",
        "secret_key", "client_secret", "auth_key",
    ];
    ENDS.iter().any(|e| n == *e || n.ends_with(&format!("_{e}")) || (e.len() > 6 && n.ends_with(e)))
}

/// Secret-named variables and locals (`var.db_password`) whose value is a literal written in
/// the configuration (a default, a tfvars value, a locals value) and flows into `v`: (the
/// reference, where the literal is written, where the resource uses it).
fn literal_secrets(fs: &Files, r: &Res, v: &Val) -> Vec<(String, At, Option<At>)> {
    use crate::terraform::eval::K;
    let mut cands: Vec<(At, Vec<At>)> = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        match &x.k {
            K::Str(..) => {
                cands.push((x.at.clone(), x.via.clone()));
                for (_, at, via) in &x.pieces {
                    let mut via = via.clone();
                    via.extend(x.via.iter().cloned());
                    cands.push((at.clone(), via));
                }
            }
            K::List(items) => stack.extend(items.iter()),
            K::Obj(es) => stack.extend(es.iter().map(|(_, i)| i)),
            _ => {}
        }
    }
    let inside = |u: &&At| u.file == r.at.file && r.at.span.contains(&u.span.start);
    let mut out: Vec<(String, At, Option<At>)> = Vec::new();
    for (at, via) in cands {
        let lit = text(fs, &at);
        let literal = (lit.starts_with('"') && lit.len() > 2) || lit.starts_with("<<");
        if !literal || inside(&&at) {
            continue;
        }
        let name = via.iter().find_map(|u| {
            let t = text(fs, u).trim();
            let (kind, n) = t.split_once('.')?;
            (matches!(kind, "var" | "local")
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && secret_name(n))
            .then(|| t.to_string())
        });
        let Some(name) = name else { continue };
        if out.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let use_at = via.iter().rev().find(inside).cloned();
        out.push((name, at, use_at));
    }
    out
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    for r in a.res.iter().filter(|r| r.block == "resource") {
        let plain = sinks(r).into_iter().map(|s| (s, false));
        let k8s = k8s_secret(r).into_iter().map(|s| (s, true));
        for ((v, what), low) in plain.chain(k8s) {
            let refs = secret_refs(&fs, v);
            let Some(first) = refs.first() else {
                if !low {
                    for (name, lit, use_at) in literal_secrets(&fs, r, v) {
                        let msg = format!("`{}` puts the value of `{name}`, a literal in the configuration, in {what}, stored and shown in plain text", r.address);
                        let f = finding(&fs, rule, use_at.as_ref().unwrap_or(&lit), msg).map(|f| match (use_at.is_some(), related(&fs, &lit, "the literal value is written here")) {
                            (true, Some(rel)) => f.with_related(rel),
                            _ => f,
                        });
                        push(out, f);
                    }
                }
                continue;
            };
            let more = if refs.len() > 1 { format!(" (and {} more)", refs.len() - 1) } else { String::new() };
            let msg = if low {
                format!("`{}` puts `{first}`{more} in {what}: stored only base64-encoded in the cluster and in Terraform state", r.address)
            } else {
                format!("`{}` puts `{first}`{more} in {what}, stored and shown in plain text", r.address)
            };
            // At the resource's own use of the value (`X = local.creds`) when the reference is
            // written elsewhere (a local), with where it is read as related location.
            let inside = |u: &&At| u.file == r.at.file && r.at.span.contains(&u.span.start);
            let use_at = if inside(&&v.at) { None } else { v.via.iter().rev().find(inside) };
            let f = match (use_at, ref_at(&fs, v, first)) {
                (Some(u), Some(src)) => finding(&fs, rule, u, msg).map(|f| match related(&fs, &src, "the secret is read here") {
                    Some(rel) => f.with_related(rel),
                    None => f,
                }),
                (None, Some(at)) => finding(&fs, rule, &at, msg),
                _ => at_value(&fs, rule, v, None, msg),
            };
            push(out, f.map(|f| if low { f.with_severity(Severity::Low) } else { f }));
        }
    }
}
