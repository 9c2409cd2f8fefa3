//! The `policy` key: version rules with dated windows, in the workspace configuration or in a
//! shared file (`--policy FILE`, `policy-file = "…"`) that governs many workspaces.
//!
//! `policy = [{ crate, versions, warn-from?, deny-from?, reason }]`, inline or as `[[policy]]`.
//! Dates are `YYYY-MM-DD`, quoted or as TOML dates.

use std::fmt;
use std::path::Path;

use semver::VersionReq;
use toml_edit::{Document, Item, Value};

use super::{Ctx, Location, suggestion};

/// One rule: every resolved version of `krate` must match `versions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRule {
    pub krate: String,
    pub versions: VersionReq,
    /// The requirement as written, for messages.
    pub versions_text: String,
    pub warn_from: Option<Date>,
    pub deny_from: Option<Date>,
    pub reason: String,
    pub location: Location,
    /// Read from a shared policy file (`--policy`, `policy-file`), not the workspace's own
    /// configuration: the workspace's levels, allow entries and baseline do not lower it.
    pub shared: bool,
}

/// A calendar day (proleptic Gregorian), as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

impl Date {
    /// Parses `YYYY-MM-DD`, refusing days that do not exist (2026-02-30).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Date::from_ymd(num(0..4)?, num(5..7)?, num(8..10)?)
    }

    fn from_ymd(y: i64, m: i64, d: i64) -> Option<Date> {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
            return None;
        }
        // Days from civil (H. Hinnant's algorithm).
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// The day a Unix timestamp (seconds, UTC) falls on.
    pub fn from_unix(secs: i64) -> Date {
        Date(secs.div_euclid(86_400))
    }

    fn ymd(self) -> (i64, i64, i64) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (
            if m <= 2 {
                yoe + era * 400 + 1
            } else {
                yoe + era * 400
            },
            m,
            d,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

const POLICY_KEYS: &[&str] = &["crate", "versions", "warn-from", "deny-from", "reason"];
const EXAMPLE: &str = "for example policy = [{ crate = \"etcd-client\", versions = \">=0.14\", \
                       warn-from = \"2026-12-01\", deny-from = \"2027-06-01\", reason = \"…\" }]";

/// Reads the entries of a `policy` key.
pub(super) fn policy_entries(cx: &Ctx<'_>, item: &Item) -> Result<Vec<PolicyRule>, crate::Error> {
    type Entry<'a> = (&'a dyn toml_edit::TableLike, Option<std::ops::Range<usize>>);
    let entries: Vec<Entry<'_>> = match item {
        Item::ArrayOfTables(a) => a.iter().map(|t| (t as _, t.span())).collect(),
        Item::Value(Value::Array(a)) => {
            let mut v: Vec<Entry<'_>> = Vec::new();
            for x in a.iter() {
                let Value::InlineTable(t) = x else {
                    return Err(cx.err(
                        x.span(),
                        "each `policy` entry must be a table".to_owned(),
                        "expected { crate = …, versions = …, reason = … }",
                        Some(EXAMPLE.to_owned()),
                    ));
                };
                v.push((t, x.span()));
            }
            v
        }
        other => {
            return Err(cx.err(
                other.span(),
                "`policy` must be an array of tables".to_owned(),
                "expected an array",
                Some(EXAMPLE.to_owned()),
            ));
        }
    };
    entries
        .into_iter()
        .map(|(t, span)| policy_entry(cx, t, span))
        .collect()
}

fn policy_entry(
    cx: &Ctx<'_>,
    t: &dyn toml_edit::TableLike,
    span: Option<std::ops::Range<usize>>,
) -> Result<PolicyRule, crate::Error> {
    for (k, _) in t.iter() {
        if !POLICY_KEYS.contains(&k) {
            let key_span = t.get_key_value(k).and_then(|(key, _)| key.span());
            return Err(cx.err(
                key_span.or(span.clone()),
                format!("unknown key `{k}` in a `policy` entry"),
                "unknown key",
                suggestion(k, POLICY_KEYS),
            ));
        }
    }
    let string = |k: &str| -> Result<Option<Spanned<String>>, _> {
        match t.get(k) {
            None => Ok(None),
            Some(v) => match v.as_str() {
                Some(s) => Ok(Some((s.to_owned(), v.span()))),
                None => Err(cx.err(
                    v.span(),
                    format!("`{k}` in a `policy` entry must be a string"),
                    "expected a string",
                    None,
                )),
            },
        }
    };
    let required = |k: &str| -> Result<Spanned<String>, _> {
        string(k)?.ok_or_else(|| {
            cx.err(
                span.clone(),
                format!("a `policy` entry needs `{k}`"),
                &format!("`{k}` missing"),
                Some(EXAMPLE.to_owned()),
            )
        })
    };
    let (krate, _) = required("crate")?;
    let (reason, _) = required("reason")?;
    let (versions_text, vspan) = required("versions")?;
    let versions = VersionReq::parse(&versions_text).map_err(|e| {
        cx.err(
            vspan,
            format!("`{versions_text}` is not a version requirement: {e}"),
            "not a requirement",
            Some("write a requirement such as \">=0.14\" or \">=0.14, <0.18\"".to_owned()),
        )
    })?;
    let warn_from = date(cx, t, "warn-from")?;
    let deny_from = date(cx, t, "deny-from")?;
    if let (Some((w, _)), Some((d, dspan))) = (&warn_from, &deny_from)
        && d < w
    {
        return Err(cx.err(
            dspan.clone(),
            format!("`deny-from` ({d}) is before `warn-from` ({w})"),
            "before warn-from",
            Some("the warning window opens first: deny-from must be on or after warn-from".into()),
        ));
    }
    let at = span.unwrap_or(0..0);
    Ok(PolicyRule {
        krate,
        versions,
        versions_text,
        warn_from: warn_from.map(|(d, _)| d),
        deny_from: deny_from.map(|(d, _)| d),
        reason,
        location: Location {
            file: super::rel(cx.root, cx.path),
            path: cx.path.to_owned(),
            line: cx.line(at.start),
            span: (at.start, at.end),
        },
        shared: false,
    })
}

type Spanned<T> = (T, Option<std::ops::Range<usize>>);

fn date(
    cx: &Ctx<'_>,
    t: &dyn toml_edit::TableLike,
    key: &str,
) -> Result<Option<Spanned<Date>>, crate::Error> {
    let Some(v) = t.get(key) else {
        return Ok(None);
    };
    let parsed = match v.as_value() {
        Some(Value::String(s)) => Date::parse(s.value()),
        Some(Value::Datetime(d)) if d.value().time.is_none() => d
            .value()
            .date
            .and_then(|d| Date::from_ymd(d.year.into(), d.month.into(), d.day.into())),
        _ => None,
    };
    match parsed {
        Some(d) => Ok(Some((d, v.span()))),
        None => Err(cx.err(
            v.span(),
            format!("`{key}` must be a date written YYYY-MM-DD"),
            "not a date",
            Some(format!("for example {key} = \"2027-06-01\"")),
        )),
    }
}

/// The rules of a shared policy file, whose text is `text`: a TOML file whose one key is
/// `policy`.
pub(crate) fn parse_file(
    root: &Path,
    path: &Path,
    text: &str,
) -> Result<Vec<PolicyRule>, crate::Error> {
    let doc = Document::parse(text.to_owned()).map_err(|e| {
        super::config_error(
            path,
            root,
            text,
            e.span().unwrap_or(0..0),
            format!("{} is not valid TOML: {}", path.display(), e.message()),
            "here",
            None,
        )
    })?;
    let cx = Ctx::new(doc.raw(), path, root);
    let mut rules = Vec::new();
    for (key, item) in doc.as_table().iter() {
        if key != "policy" {
            let span = doc.as_table().key(key).and_then(|k| k.span());
            return Err(cx.err(
                span,
                format!("unknown key `{key}` in the policy file"),
                "unknown key",
                Some("a policy file holds only `policy = [ … ]`".to_owned()),
            ));
        }
        rules = policy_entries(&cx, item)?;
    }
    for rule in &mut rules {
        rule.shared = true;
    }
    Ok(rules)
}

/// Refuses a rule naming a crate the analysis does not watch: its versions would never be
/// looked at, and a typo would pass silently. `text` is the file the rules were read from.
pub(crate) fn check_known(
    rules: &[PolicyRule],
    watched: &[&str],
    root: &Path,
    text: &str,
) -> Result<(), crate::Error> {
    let Some(rule) = rules.iter().find(|r| !watched.contains(&r.krate.as_str())) else {
        return Ok(());
    };
    let cx = Ctx::new(text, &rule.location.path, root);
    let close = watched
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&rule.krate, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| format!("did you mean `{k}`? "))
        .unwrap_or_default();
    Err(cx.err(
        Some(rule.location.span.0..rule.location.span.1),
        format!(
            "the policy names `{}`, which is not a watched crate",
            rule.krate
        ),
        "unknown crate",
        Some(format!(
            "{close}a policy applies to watched crates (etcd-client, tonic, their trains and \
             family, and `watch` entries); add `{}` to `watch` to govern it",
            rule.krate
        )),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_refuse_impossible_days() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-12-01",
            "2027-06-01",
            "2100-12-31",
        ] {
            assert_eq!(Date::parse(s).expect(s).to_string(), s);
        }
        assert_eq!(Date::parse("1970-01-02"), Some(Date(1)));
        assert_eq!(
            Date::parse("2027-06-01").expect("date").0 - Date::parse("2026-12-01").expect("d").0,
            182
        );
        for bad in [
            "2026-02-29",
            "2100-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "x",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::from_unix(1_796_083_200).to_string(), "2026-12-01");
    }
}
