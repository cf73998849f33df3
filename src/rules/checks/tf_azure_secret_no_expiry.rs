//! Entra ID (Azure AD) application or service principal passwords and certificates with no
//! `end_date` (the provider default is two years) or one more than a year away.

use crate::context::ProjectCx;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::terraform::report::{Files, at_value, finding, push};

/// Days from civil date (Howard Hinnant), for `YYYY-MM-DD` prefixes.
fn days(date: &str) -> Option<i64> {
    let d = date.get(..10)?;
    let mut it = d.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let dd: i64 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `8760h`, `90d`… in hours.
fn relative_hours(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = num.trim().parse().ok()?;
    match unit {
        "h" => Some(n),
        "m" => Some(n / 60.0),
        "s" => Some(n / 3600.0),
        _ => None,
    }
}

pub fn check_project(cx: &ProjectCx, rule: &Rule, out: &mut Vec<Finding>) {
    let a = crate::terraform::analysis(cx);
    let fs = Files::project(cx);
    let today = days(&crate::context::today()).unwrap_or(0);
    for r in a.res.iter().filter(|r| r.block == "resource") {
        let what = match r.rtype.as_str() {
            "azuread_application_password" | "azuread_service_principal_password" => "password",
            "azuread_application_certificate" | "azuread_service_principal_certificate" => "certificate",
            _ => continue,
        };
        let end = r.body.get("end_date");
        let rel = r.body.get("end_date_relative");
        match (end, rel) {
            (None, None) => push(
                out,
                finding(&fs, rule, &r.label_at, format!("`{}` creates a client {what} with no `end_date` (valid for the provider default of two years)", r.address))
                    .map(|f| f.with_severity(Severity::Medium)),
            ),
            (Some(v), _) if v.known_str().is_some() => {
                let s = v.known_str().unwrap_or("");
                if let Some(d) = days(s)
                    && d - today > 366
                {
                    push(out, at_value(&fs, rule, v, None, format!("`{}` creates a client {what} valid until {} ({} days from today)", r.address, crate::lang::prefix(s, 10), d - today)));
                }
            }
            (None, Some(v)) => {
                if let Some(h) = v.known_str().and_then(relative_hours)
                    && h > 8784.0
                {
                    push(out, at_value(&fs, rule, v, None, format!("`{}` creates a client {what} valid for {} days", r.address, (h / 24.0) as i64)));
                }
            }
            _ => {}
        }
    }
}
