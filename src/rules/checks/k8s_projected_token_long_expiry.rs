//! Projected ServiceAccount tokens (`serviceAccountToken.expirationSeconds`) and EKS
//! `eks.amazonaws.com/token-expiration` annotations that live longer than a day.

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::lang::Node;
use crate::rules::Rule;

const DAY: i64 = 86_400;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if o.kind == "ServiceAccount"
            && let Some(a) = o
                .annotations()
                .iter()
                .find(|a| a.key == "eks.amazonaws.com/token-expiration")
            && let Some(s) = a.value.as_i64()
            && s > DAY
        {
            out.push(rule.finding(
                cx.file,
                a.value.span.clone(),
                format!(
                    "{} requests EKS web identity tokens valid for {}",
                    o.describe(),
                    human(s)
                ),
            ));
        }
        let Some(pod) = o.pod_spec() else { continue };
        for v in pod.get("volumes").and_then(|v| v.as_seq()).unwrap_or(&[]) {
            let sources = v.path("projected.sources").and_then(|s| s.as_seq());
            for s in sources.unwrap_or(&[]) {
                let Some(e) = s.path("serviceAccountToken.expirationSeconds") else {
                    continue;
                };
                report(cx, rule, &o, v, e, out);
            }
        }
    }
}

fn report(cx: &FileCx, rule: &Rule, o: &kube::Obj, vol: &Node, e: &Node, out: &mut Vec<Finding>) {
    let Some(s) = e.as_i64() else { return };
    if s <= DAY {
        return;
    }
    let name = vol.get("name").and_then(|n| n.as_str()).unwrap_or("?");
    out.push(rule.finding(
        cx.file,
        e.span.clone(),
        format!(
            "{} projects a ServiceAccount token valid for {} (volume `{name}`)",
            o.describe(),
            human(s)
        ),
    ));
}

fn human(s: i64) -> String {
    if s % DAY == 0 {
        format!("{} days", s / DAY)
    } else {
        format!("{s} seconds")
    }
}
