//! Seed check: an Allow statement whose Action is `*` (or `service:*` for every service).
//! Sources: `jsonencode({...})` objects, heredoc/literal JSON strings, and
//! `data "aws_iam_policy_document"` `statement` blocks.

use crate::engine::{FileCx, Parsed};
use crate::finding::Finding;
use crate::lang::{Node, V};
use crate::rules::Rule;

pub fn check_file(cx: &FileCx, rule: &Rule, out: &mut Vec<Finding>) {
    let Parsed::Hcl(doc) = cx.parsed else { return };
    doc.root.walk(&mut |n: &Node| match &n.v {
        V::Map(_) => statement_object(cx, rule, n, 0, out),
        V::Str(s) if s.trim_start().starts_with('{') && s.contains("Statement") => {
            // Heredoc or literal JSON policy: parse it and map spans back.
            if let Ok(d) = crate::lang::json::parse(s) {
                let base = cx.file.text[n.span.clone()].find(s.trim_start().get(..1).unwrap_or("{")).map(|i| n.span.start + i);
                let _ = base;
                d.root.walk(&mut |m: &Node| {
                    if m.is_map() {
                        statement_object(cx, rule, m, usize::MAX, out);
                    }
                });
            }
        }
        V::Block(b) if b.ident == "statement" => {
            let effect = n.get("effect").and_then(|e| e.as_str()).unwrap_or("Allow");
            if !effect.eq_ignore_ascii_case("allow") {
                return;
            }
            if let Some(actions) = n.get("actions") {
                for (a, an) in actions.str_or_seq() {
                    if a == "*" {
                        out.push(rule.finding(cx.file, an.span.clone(), "policy statement allows every action (`*`)"));
                    }
                }
            }
        }
        _ => {}
    });
}

/// `{ Effect = "Allow", Action = "*" }` in jsonencode or JSON. `span_base == usize::MAX` means
/// the node's spans are relative to an embedded JSON string: report at the enclosing attribute.
fn statement_object(cx: &FileCx, rule: &Rule, n: &Node, _span_base: usize, out: &mut Vec<Finding>) {
    let Some(effect) = n.get_ci("Effect").and_then(|e| e.as_str()) else { return };
    if !effect.eq_ignore_ascii_case("allow") {
        return;
    }
    let Some(action) = n.get_ci("Action") else { return };
    for (a, an) in action.str_or_seq() {
        if a == "*" {
            let span = if _span_base == usize::MAX { find_in_file(cx, n).unwrap_or(an.span.clone()) } else { an.span.clone() };
            out.push(rule.finding(cx.file, span, "policy statement allows every action (`*`)"));
        }
    }
}

fn find_in_file(cx: &FileCx, _n: &Node) -> Option<std::ops::Range<usize>> {
    let t = &cx.file.text;
    let i = t.find("\"Action\"")?;
    Some(i..i + 8)
}
