//! `--format human`: miette code frames (colour only on a TTY), secret material masked,
//! then a one-line summary.

use super::RenderOptions;
use crate::context::Report;
use crate::finding::{Finding, Severity};
use crate::rules::card::owasp_labels;
use crate::source::SourceFile;
use crate::term::{clean, escape_char, needs_escape};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Report as MReport, SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::ops::Range;

/// A line longer than this (bytes) is cut around the finding instead of shown whole.
const MAX_LINE: usize = 240;
/// Characters of a cut line shown before the finding.
const LEAD: usize = 40;
/// Characters of a cut line shown in all.
const WIDTH: usize = 160;

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
    if !opts.quiet {
        let masks = sorted_masks(report);
        for f in &report.findings {
            let frame = report.sources.get(&f.path).and_then(|src| {
                let m = masks.get(f.path.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                Frame::new(src, m, f)
            });
            out.push_str(&render_one(&handler, f, frame));
        }
        for e in &report.errors {
            match e.line {
                Some(l) => out.push_str(&format!(
                    "error: {}:{l}: {}\n",
                    clean(&e.path),
                    clean(&e.message)
                )),
                None => out.push_str(&format!(
                    "error: {}: {}\n",
                    clean(&e.path),
                    clean(&e.message)
                )),
            }
        }
    }
    out.push_str(&super::summary_line(report));
    out.push('\n');
    out
}

/// Secret spans per path, sorted and merged, so a frame finds its masks by binary search.
fn sorted_masks(report: &Report) -> HashMap<&str, Vec<Range<usize>>> {
    report
        .masks
        .iter()
        .map(|(p, spans)| {
            let mut v: Vec<Range<usize>> =
                spans.iter().filter(|m| m.start < m.end).cloned().collect();
            v.sort_by_key(|m| m.start);
            let mut merged: Vec<Range<usize>> = Vec::with_capacity(v.len());
            for m in v {
                match merged.last_mut() {
                    Some(last) if m.start <= last.end => last.end = last.end.max(m.end),
                    _ => merged.push(m),
                }
            }
            (p.as_str(), merged)
        })
        .collect()
}

/// The code frame of one finding: the finding's line and its neighbours, with secret material
/// masked, control characters escaped ([`crate::term`]) and long lines cut around the finding
/// (so a minified file's column 100,000 renders as a short line, and the frame costs the same
/// whatever the file's size).
struct Frame {
    name: String,
    text: String,
    /// 0-based line of the frame's first line in the file.
    first_line: usize,
    /// 0-based (line, column) of the finding, shown in the frame's header.
    head: (usize, usize),
    label: Range<usize>,
}

impl Frame {
    fn new(src: &SourceFile, masks: &[Range<usize>], f: &Finding) -> Option<Frame> {
        let text: &str = &src.text;
        if text.is_empty() || f.span.start > text.len() {
            return None;
        }
        let mut start = f.span.start;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let l0 = src.lines().line_of(start);
        // The empty "line" after a final newline is not shown (unless the finding is on it).
        let mut last = src.lines().line_count() - 1;
        if last > l0 && src.lines().line_start(last) == text.len() {
            last -= 1;
        }
        let bounds = |l: usize| {
            let s = src.lines().line_start(l);
            let e = if l + 1 < src.lines().line_count() {
                src.lines().line_start(l + 1) - 1
            } else {
                text.len()
            };
            let e = if e > s && text.as_bytes()[e - 1] == b'\r' {
                e - 1
            } else {
                e
            };
            (s, e)
        };
        let (ls, le) = bounds(l0);
        let start = start.min(le);
        let mut end = f.span.end.clamp(start, le);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        // (bytes shown, cut on the left, cut on the right)
        let mut pieces: Vec<(Range<usize>, bool, bool)> = Vec::new();
        let first_line;
        if le - ls <= MAX_LINE {
            first_line = l0.saturating_sub(1);
            for l in first_line..=(l0 + 1).min(last) {
                let (s, e) = bounds(l);
                if e - s <= MAX_LINE {
                    pieces.push((s..e, false, false));
                } else {
                    let cut = forward(text, s, WIDTH, e);
                    pieces.push((s..cut, false, cut < e));
                }
            }
        } else {
            first_line = l0;
            let ws = backward(text, start, LEAD, ls);
            let we = forward(text, ws, WIDTH, le).max(start);
            end = end.min(we);
            pieces.push((ws..we, ws > ls, we < le));
        }
        let mut out = String::new();
        let mut label = (0, 0);
        let mut mi = masks.partition_point(|m| m.end <= pieces[0].0.start);
        for (k, (range, cut_left, cut_right)) in pieces.into_iter().enumerate() {
            let piece_start = out.len();
            if cut_left {
                out.push('…');
            }
            for (i, c) in text[range.clone()].char_indices() {
                let at = range.start + i;
                if at == start {
                    label.0 = out.len();
                }
                if at == end {
                    label.1 = out.len();
                }
                while mi < masks.len() && masks[mi].end <= at {
                    mi += 1;
                }
                if mi < masks.len() && masks[mi].start <= at {
                    out.extend(std::iter::repeat_n('*', c.len_utf8()));
                } else if needs_escape(c) {
                    escape_char(c, &mut out);
                } else {
                    out.push(c);
                }
            }
            if range.end == start {
                label.0 = out.len();
            }
            if range.end == end {
                label.1 = out.len();
            }
            if cut_right {
                out.push('…');
            }
            // A secret's neighbours are shown masked (a key next to the flagged ciphertext).
            if !f.mask.is_empty() && first_line + k != l0 {
                let masked = crate::redact::mask_values(&out[piece_start..]);
                out.truncate(piece_start);
                out.push_str(&masked);
            }
            out.push('\n');
        }
        let label = label.0..label.1.max(label.0);
        Some(Frame {
            name: clean(&f.path).into_owned(),
            text: out,
            first_line,
            head: (
                (f.start_line.max(1) - 1) as usize,
                (f.start_column.max(1) - 1) as usize,
            ),
            label,
        })
    }
}

/// Byte offset `n` characters after `from` (at most `limit`).
fn forward(text: &str, from: usize, n: usize, limit: usize) -> usize {
    text[from..limit]
        .char_indices()
        .nth(n)
        .map(|(i, _)| from + i)
        .unwrap_or(limit)
}

/// Byte offset `n` characters before `from` (at least `limit`).
fn backward(text: &str, from: usize, n: usize, limit: usize) -> usize {
    text[limit..from]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map(|(i, _)| limit + i)
        .unwrap_or(from)
}

impl SourceCode for Frame {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        // The header (`[path:line:col]`) reads the label alone: show the finding's real place.
        let (line, column) = if before == 0 && after == 0 {
            self.head
        } else {
            (inner.line() + self.first_line, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame").field("name", &self.name).finish()
    }
}

fn render_one(handler: &GraphicalReportHandler, f: &Finding, frame: Option<Frame>) -> String {
    let sev = match f.severity {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium | Severity::Low => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let owasp = owasp_labels(&f.owasp_nhi);
    let mut diag =
        MietteDiagnostic::new(format!("{} [{}]", clean(&f.message), f.severity.as_str()))
            .with_code(f.rule_id.clone())
            .with_severity(sev)
            .with_help(format!(
                "{}\n{} · confidence {}",
                crate::term::clean_lines(&f.help),
                owasp,
                f.confidence.as_str()
            ));
    let has_frame = frame.is_some();
    let report = match frame {
        Some(frame) => {
            diag = diag.with_label(LabeledSpan::at(
                frame.label.clone(),
                clean(&f.title.to_lowercase()).into_owned(),
            ));
            MReport::new(diag).with_source_code(frame)
        }
        None => MReport::new(diag),
    };
    let mut s = String::new();
    if handler.render_report(&mut s, report.as_ref()).is_err() {
        s = format!(
            "{}:{}:{}: {} [{}]\n",
            clean(&f.path),
            f.start_line,
            f.start_column,
            clean(&f.message),
            f.rule_id
        );
    }
    if !has_frame {
        s = format!(
            "{}:{}:{}\n{s}",
            clean(&f.path),
            f.start_line,
            f.start_column
        );
    }
    for r in &f.related {
        s.push_str(&format!(
            "    related: {}:{}: {}\n",
            clean(&r.path),
            r.start_line,
            clean(&r.message)
        ));
    }
    s.push('\n');
    s
}
