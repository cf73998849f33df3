//! `--format human`: miette code frames (colour only on a TTY), secret material masked,
//! then a one-line summary.

use super::RenderOptions;
use crate::engine::Report;
use crate::finding::{Finding, Severity};
use crate::rules::card::owasp_labels;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource,
    Report as MReport,
};
use std::collections::HashMap;

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_context_lines(1);
    let mut masked_cache: HashMap<&str, String> = HashMap::new();
    if !opts.quiet {
        for f in &report.findings {
            let text = match report.sources.get(&f.path) {
                Some(src) => masked_cache
                    .entry(f.path.as_str())
                    .or_insert_with(|| {
                        let masks = report.masks.get(&f.path).map(Vec::as_slice).unwrap_or(&[]);
                        crate::redact::mask_text(&src.text, masks)
                    })
                    .clone(),
                None => String::new(),
            };
            out.push_str(&render_one(&handler, f, text));
        }
        for e in &report.errors {
            match e.line {
                Some(l) => out.push_str(&format!("error: {}:{l}: {}\n", e.path, e.message)),
                None => out.push_str(&format!("error: {}: {}\n", e.path, e.message)),
            }
        }
    }
    out.push_str(&super::summary_line(report));
    out.push('\n');
    out
}

fn render_one(handler: &GraphicalReportHandler, f: &Finding, text: String) -> String {
    let sev = match f.severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let owasp = owasp_labels(&f.owasp_nhi);
    let mut diag = MietteDiagnostic::new(format!("{} [{}]", f.message, f.severity.as_str()))
        .with_code(f.rule_id.clone())
        .with_severity(sev)
        .with_help(format!(
            "{}\n{} · confidence {}",
            f.help,
            owasp,
            f.confidence.as_str()
        ));
    let span_ok = !text.is_empty()
        && f.span.end <= text.len()
        && text.is_char_boundary(f.span.start)
        && text.is_char_boundary(f.span.end);
    if span_ok {
        let len = (f.span.end - f.span.start)
            .min(text[f.span.start..].find('\n').unwrap_or(usize::MAX).max(1));
        diag = diag.with_label(LabeledSpan::at(
            f.span.start..f.span.start + len,
            f.title.to_lowercase(),
        ));
    }
    let mut s = String::new();
    let report = if span_ok {
        MReport::new(diag).with_source_code(NamedSource::new(f.path.clone(), text))
    } else {
        MReport::new(diag)
    };
    if handler.render_report(&mut s, report.as_ref()).is_err() {
        s = format!(
            "{}:{}:{}: {} [{}]\n",
            f.path, f.start_line, f.start_column, f.message, f.rule_id
        );
    }
    if !span_ok {
        s = format!("{}:{}:{}\n{s}", f.path, f.start_line, f.start_column);
    }
    for r in &f.related {
        s.push_str(&format!(
            "    related: {}:{}: {}\n",
            r.path, r.start_line, r.message
        ));
    }
    s.push('\n');
    s
}
