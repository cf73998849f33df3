//! `semverCompare`: version constraints as Sprig's semver library reads them (`>=1.21-0`,
//! `^1.2`, `~1.2.3`, `1.x`, `>= 1.19, < 1.25 || 2.x`).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Ver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

impl Ver {
    fn cmp(&self, o: &Ver) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| cmp_pre(&self.pre, &o.pre))
    }
}

/// A version with the number of parts given before a wildcard (3 = fully specified).
fn parse_ver(s: &str, allow_wild: bool) -> Result<(Ver, usize), String> {
    let t = s.trim().trim_start_matches(['v', 'V']);
    let t = t.split('+').next().unwrap_or("");
    let (nums, pre) = match t.find('-') {
        Some(i) => (&t[..i], t[i + 1..].to_string()),
        None => (t, String::new()),
    };
    let mut parts = [0u64; 3];
    let mut given = 0;
    for (i, p) in nums.split('.').enumerate() {
        if i >= 3 {
            return Err(format!("invalid semantic version {s:?}"));
        }
        if allow_wild && matches!(p, "x" | "X" | "*") {
            break;
        }
        parts[i] = p
            .parse()
            .map_err(|_| format!("invalid semantic version {s:?}"))?;
        given = i + 1;
    }
    if nums.is_empty() && !allow_wild {
        return Err(format!("invalid semantic version {s:?}"));
    }
    Ok((
        Ver {
            major: parts[0],
            minor: parts[1],
            patch: parts[2],
            pre,
        },
        given,
    ))
}

fn check(op: &str, c: &Ver, given: usize, v: &Ver) -> bool {
    if !v.pre.is_empty() && c.pre.is_empty() {
        return false;
    }
    let o = v.cmp(c);
    match op {
        "" | "=" | "==" => {
            if given < 3 {
                (given < 1 || v.major == c.major) && (given < 2 || v.minor == c.minor)
            } else {
                o == Ordering::Equal
            }
        }
        "!=" => !check("=", c, given, v),
        ">" => match given {
            0 => false,
            1 => v.major > c.major,
            2 => v.major > c.major || (v.major == c.major && v.minor > c.minor),
            _ => o == Ordering::Greater,
        },
        "<" => o == Ordering::Less,
        ">=" | "=>" => o != Ordering::Less,
        "<=" | "=<" => match given {
            0 => true,
            1 => v.major <= c.major,
            2 => v.major < c.major || (v.major == c.major && v.minor <= c.minor),
            _ => o != Ordering::Greater,
        },
        "~" | "~>" => {
            if o == Ordering::Less {
                return false;
            }
            if given <= 1 {
                v.major == c.major
            } else {
                v.major == c.major && v.minor == c.minor
            }
        }
        "^" => {
            if o == Ordering::Less {
                return false;
            }
            if c.major > 0 || given <= 1 {
                v.major == c.major
            } else if c.minor > 0 || given <= 2 {
                v.major == 0 && v.minor == c.minor
            } else {
                v.major == 0 && v.minor == 0 && v.patch == c.patch
            }
        }
        _ => false,
    }
}

/// True when `version` satisfies `constraint`; an error for unreadable input.
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let (v, _) = parse_ver(version, false)?;
    for group in constraint.split("||") {
        let mut ok = true;
        let mut any = false;
        // Operators may be separated from their version by spaces; terms by spaces or commas.
        let norm = group.replace(',', " ");
        let mut toks = norm.split_whitespace().peekable();
        while let Some(t) = toks.next() {
            let op_len = t
                .find(|c: char| !matches!(c, '<' | '>' | '=' | '!' | '~' | '^'))
                .unwrap_or(t.len());
            let (op, mut rest) = (&t[..op_len], t[op_len..].to_string());
            if rest.is_empty() {
                rest = toks.next().unwrap_or("").to_string();
            }
            let (c, given) =
                parse_ver(&rest, true).map_err(|_| format!("improper constraint: {constraint}"))?;
            any = true;
            if !check(op, &c, given, &v) {
                ok = false;
            }
        }
        if ok && any {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn constraints() {
        assert!(matches(">=1.21-0", "v1.36.0").unwrap());
        assert!(!matches("<1.21-0", "v1.36.0").unwrap());
        assert!(matches(">= 1.19-0, < 1.40-0", "v1.36.0").unwrap());
        assert!(matches("^1.2", "1.9.0").unwrap());
        assert!(!matches("~1.2", "1.3.0").unwrap());
        assert!(matches("1.x || >=3", "1.7.1").unwrap());
        assert!(!matches(">=1.21", "v1.30.0-rc.1").unwrap());
        assert!(matches(">=1.21-0", "v1.30.0-rc.1").unwrap());
        assert!(matches("<1.20.0-0", "1.30").is_ok_and(|b| !b));
    }
}
