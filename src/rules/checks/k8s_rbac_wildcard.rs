//! `*` in the verbs, resources or apiGroups of any rule of a Role or ClusterRole (every rule is
//! checked, not only the first).

use crate::context::FileCx;
use crate::finding::Finding;
use crate::kube;
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    for o in kube::file_objects(cx.file, cx.parsed) {
        if o.kind != "Role" && o.kind != "ClusterRole" {
            continue;
        }
        let Some(rules) = o.node.get("rules").and_then(|r| r.as_seq()) else {
            continue;
        };
        for (i, r) in rules.iter().enumerate() {
            let mut fields = Vec::new();
            let mut span = None;
            for f in ["verbs", "resources", "apiGroups"] {
                for (s, n) in r.get(f).map(|n| n.str_or_seq()).unwrap_or_default() {
                    if s == "*" {
                        fields.push(f);
                        span.get_or_insert(n.span.clone());
                        break;
                    }
                }
            }
            let Some(span) = span else { continue };
            let all = fields.len() == 3;
            let what = if all {
                "every verb on every resource of every API group".to_string()
            } else {
                format!("`*` in {}", fields.join(", "))
            };
            let mut f = rule.finding(
                cx.file,
                span,
                format!("{} rule {} allows {what}", o.describe(), i + 1),
            );
            if all && o.kind == "ClusterRole" {
                f = f.with_severity(rule.severity.raise());
            }
            out.push(f.with_fp_key(format!("{}#{i}", o.describe())));
        }
    }
}
