//! App-to-app edges joined with the rest of the graph: a mesh allow rule's caller principal
//! (`cluster.local/ns/a/sa/b`) → the Kubernetes ServiceAccount it names; its callee selector
//! (namespace + labels) → the workloads whose pod labels match, and the ServiceAccounts they run
//! as; an agent's tool server → the credentials it is handed.

use crate::facts::{Call, Facts};
use std::collections::BTreeMap;

/// A call edge, joined.
#[derive(Clone, Debug)]
pub struct CallLink<'a> {
    pub call: &'a Call,
    /// The caller's identity id (a ServiceAccount defined in the repository).
    pub caller: Option<String>,
    /// The caller as `ns/sa` when the principal names one (defined here or not).
    pub caller_sa: Option<String>,
    /// Workloads (consumer ids) the callee selector picks.
    pub callee_workloads: Vec<String>,
    /// ServiceAccounts (`ns/sa`) the callee workloads run as.
    pub callee_service_accounts: Vec<String>,
    /// Credential ids handed to the callee (tool servers).
    pub credentials: Vec<String>,
    pub any_caller: bool,
}

fn s<'a>(c: &'a Call, k: &str) -> Option<&'a str> {
    c.attrs.get(k).and_then(|v| v.as_str())
}

/// Join every call of the facts.
pub fn link(facts: &Facts) -> Vec<CallLink<'_>> {
    let sa_ids: BTreeMap<String, &str> = facts
        .identities
        .iter()
        .filter(|i| i.provider == "kubernetes" && i.kind.contains("service_account"))
        .map(|i| {
            let ns = i
                .attrs
                .get("namespace")
                .and_then(|v| v.as_str())
                .unwrap_or("default");
            (format!("{ns}/{}", i.name), i.id.as_str())
        })
        .collect();
    let pods: Vec<(&str, &str, BTreeMap<String, String>, &str)> = facts
        .usages
        .iter()
        .filter(|u| u.kind == "k8s-pod-sa")
        .map(|u| {
            let ns = u
                .attrs
                .get("namespace")
                .and_then(|v| v.as_str())
                .unwrap_or("default");
            let labels: BTreeMap<String, String> = u
                .attrs
                .get("pod_labels")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            (u.consumer.as_str(), ns, labels, u.identity_ref.as_str())
        })
        .collect();
    let mut out = Vec::new();
    for c in &facts.calls {
        let caller_sa = s(c, "caller_sa").map(str::to_string);
        let caller = caller_sa
            .as_ref()
            .and_then(|k| sa_ids.get(k))
            .map(|i| i.to_string());
        let mut workloads = Vec::new();
        let mut sas = Vec::new();
        if let Some(ns) = s(c, "callee_namespace") {
            let wide = c.attrs.get("mesh_wide").and_then(|v| v.as_bool()) == Some(true);
            let want: BTreeMap<String, String> = c
                .attrs
                .get("callee_labels")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            for (consumer, pns, labels, sa) in &pods {
                if (wide || *pns == ns) && want.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    workloads.push(consumer.to_string());
                    sas.push(sa.to_string());
                }
            }
        }
        workloads.sort();
        workloads.dedup();
        sas.sort();
        sas.dedup();
        let credentials = c
            .attrs
            .get("credentials")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(CallLink {
            call: c,
            caller,
            caller_sa,
            callee_workloads: workloads,
            callee_service_accounts: sas,
            credentials,
            any_caller: c.attrs.get("any_caller").and_then(|v| v.as_bool()) == Some(true),
        });
    }
    out
}
