//! Operator shell scripts: commands joined across `\` continuations, comments dropped, each with
//! its byte offset, split into words (quotes removed). Enough to recognise the CLI calls that
//! mint long-lived credentials or make a person act as a machine identity.

use crate::lang::Span;

/// One command line of a script.
pub struct Command {
    /// Words with their quotes removed.
    pub words: Vec<String>,
    /// The command's bytes in the file (first line start to last line end, trimmed).
    pub span: Span,
}

impl Command {
    /// Do the words contain this sequence (`["iam", "create-access-key"]`) after `program`?
    pub fn runs(&self, program: &str, sub: &[&str]) -> bool {
        let Some(p) = self
            .words
            .iter()
            .position(|w| w == program || w.rsplit('/').next() == Some(program))
        else {
            return false;
        };
        let rest: Vec<&str> = self.words[p + 1..]
            .iter()
            .filter(|w| !w.starts_with('-'))
            .map(String::as_str)
            .collect();
        rest.windows(sub.len()).any(|w| w == sub)
    }

    /// The value of `--flag value` or `--flag=value`.
    pub fn flag(&self, names: &[&str]) -> Option<&str> {
        for (i, w) in self.words.iter().enumerate() {
            for n in names {
                if w == n {
                    return self.words.get(i + 1).map(String::as_str);
                }
                if let Some(v) = w.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                    return Some(v);
                }
            }
        }
        None
    }

    pub fn has(&self, name: &str) -> bool {
        self.words
            .iter()
            .any(|w| w == name || w.starts_with(&format!("{name}=")))
    }
}

/// Words of one command line (quotes removed; `$(`/`;`/`|`/`&&` split words).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')' | '`') => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every command of a script, continuation lines joined, comment lines skipped.
pub fn commands(text: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut buf = String::new();
    let mut off = 0usize;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        let lead = line.len() - t.len();
        if start.is_none() && (t.starts_with('#') || t.is_empty()) {
            off += raw.len();
            continue;
        }
        let s = *start.get_or_insert(off + lead);
        let (body, cont) = match t.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (t, false),
        };
        // A trailing comment is dropped (a `#` after whitespace, outside quotes is rare enough).
        let body = body.split(" #").next().unwrap_or(body);
        buf.push_str(body);
        buf.push(' ');
        if !cont {
            out.push(Command {
                words: words(&buf),
                span: s..off + line.trim_end().len(),
            });
            buf.clear();
            start = None;
        }
        off += raw.len();
    }
    out
}

/// A Go-style duration (`8760h`, `30m`, `1h30m`, `3600s`) or a number of days (`30d`) in hours.
pub fn hours(d: &str) -> Option<f64> {
    let d = d.trim();
    let mut total = 0.0;
    let mut num = String::new();
    let mut any = false;
    for c in d.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += match c {
            'd' => n * 24.0,
            'h' => n,
            'm' => n / 60.0,
            's' => n / 3600.0,
            _ => return None,
        };
        any = true;
    }
    if !num.is_empty() {
        // A bare number: seconds.
        total += num.parse::<f64>().ok()? / 3600.0;
        any = true;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_join_continuations_and_skip_comments() {
        let t = "#!/bin/sh\n# aws iam create-access-key\naws iam \\\n  create-access-key --user-name ci\necho 'a b' # c\n";
        let c = commands(t);
        assert_eq!(c.len(), 2);
        assert!(c[0].runs("aws", &["iam", "create-access-key"]));
        assert_eq!(c[0].flag(&["--user-name"]), Some("ci"));
        assert_eq!(
            &t[c[0].span.clone()],
            "aws iam \\\n  create-access-key --user-name ci"
        );
        assert_eq!(c[1].words, vec!["echo", "a b"]);
        assert_eq!(hours("8760h"), Some(8760.0));
        assert_eq!(hours("1h30m"), Some(1.5));
        assert_eq!(hours("30d"), Some(720.0));
    }
}
