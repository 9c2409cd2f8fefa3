//! Version policy with dated windows: which resolved versions lie outside a `policy` rule,
//! and how urgent that is on a given day. Pure: the day is an input, looked up once by
//! `input` ([`today`]) and carried in the [`Policy`](super::Policy). The findings' sentences
//! are worded by `diags::policy` from the rule's facts.

use crate::analysis::{
    Code, Finding, Level, Line, Options, PolicyFact, VersionInfo, explain_chosen,
};
use crate::config::{Date, PolicyRule};
use crate::diags::{self, policy::OutsidePolicy};
use crate::graph::DepGraph;
use crate::manifest::spans::SpanIndex;

/// The level of a finding under `rule` on `today`: a note before `warn-from`, a warning from
/// it (at once without one), an error from `deny-from`; no dates at all is an error.
pub fn level(rule: &PolicyRule, today: Date) -> Level {
    match (rule.warn_from, rule.deny_from) {
        (None, None) => Level::Error,
        (_, Some(deny)) if today >= deny => Level::Error,
        (Some(warn), _) if today < warn => Level::Note,
        _ => Level::Warning,
    }
}

/// One `outside-policy` finding per rule that some reachable version breaks; origins are
/// located in `spans`.
pub fn evaluate(
    graph: &DepGraph,
    spans: &SpanIndex,
    opts: &Options,
    rules: &[PolicyRule],
    today: Date,
) -> Vec<Finding> {
    rules
        .iter()
        .filter_map(|rule| {
            let versions = explain_chosen(graph, spans, opts, |p| {
                p.name == rule.krate && !rule.versions.matches(&p.version)
            });
            (!versions.is_empty()).then(|| finding(rule, versions, today))
        })
        .collect()
}

/// The days from `today` to the rule's deny-from (negative once past; `None` without one).
pub fn days_left(rule: &PolicyRule, today: Date) -> Option<i64> {
    rule.deny_from.map(|d| d.0 - today.0)
}

/// Where `rule` is written, as findings name it: `file:line`.
pub fn rule_at(rule: &PolicyRule) -> String {
    format!("{}:{}", rule.location.file, rule.location.line)
}

fn finding(rule: &PolicyRule, versions: Vec<VersionInfo>, today: Date) -> Finding {
    let policy = PolicyFact {
        versions: rule.versions_text.clone(),
        reason: rule.reason.clone(),
        warn_from: rule.warn_from.map(|d| d.to_string()),
        deny_from: rule.deny_from.map(|d| d.to_string()),
        today: today.to_string(),
        days_left: days_left(rule, today),
        rule: rule_at(rule),
    };
    let words = diags::policy::outside_policy(&OutsidePolicy {
        name: &rule.krate,
        versions: versions.iter().map(|v| &v.version).collect(),
        requirement: &policy.versions,
        reason: &policy.reason,
        warns: policy.warn_from.is_some(),
        deny: policy.deny_from.as_deref().zip(policy.days_left),
        rule: &policy.rule,
    });
    let lines: Vec<Line> = versions
        .iter()
        .map(|v| Line::of(&v.version))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Finding {
        lines,
        versions,
        policy: Some(policy),
        ..Finding::judged(Code::OutsidePolicy, level(rule, today), &rule.krate, words)
    }
}

/// The day findings are judged on: `--today`, else `SOURCE_DATE_EPOCH` (seconds since the
/// Unix epoch, as reproducible builds define it), else the system clock (UTC).
pub fn today(given: Option<Date>, source_date_epoch: Option<&str>) -> Result<Date, crate::Error> {
    if let Some(d) = given {
        return Ok(d);
    }
    if let Some(s) = source_date_epoch {
        let secs: i64 = s
            .trim()
            .parse()
            .map_err(|source| crate::Error::SourceDateEpoch {
                value: s.to_owned(),
                source,
            })?;
        return Ok(Date::from_unix(secs));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(Date::from_unix(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Location;
    use crate::testkit::Builder;

    fn rule(warn: Option<&str>, deny: Option<&str>) -> PolicyRule {
        PolicyRule {
            krate: "etcd-client".to_owned(),
            versions: semver::VersionReq::parse(">=0.14, <0.18").expect("req"),
            versions_text: ">=0.14, <0.18".to_owned(),
            warn_from: warn.map(|d| Date::parse(d).expect("date")),
            deny_from: deny.map(|d| Date::parse(d).expect("date")),
            reason: "etcd 3.6 requires client certificates".to_owned(),
            location: Location {
                file: "etcd-deps.toml".to_owned(),
                line: 3,
                ..Location::default()
            },
            shared: false,
        }
    }

    fn day(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    #[test]
    fn level_follows_the_window_on_both_sides_of_each_date() {
        let r = rule(Some("2026-12-01"), Some("2027-06-01"));
        assert_eq!(level(&r, day("2026-11-30")), Level::Note);
        assert_eq!(level(&r, day("2026-12-01")), Level::Warning);
        assert_eq!(level(&r, day("2027-05-31")), Level::Warning);
        assert_eq!(level(&r, day("2027-06-01")), Level::Error);
        assert_eq!(level(&rule(None, None), day("2000-01-01")), Level::Error);
        let only_deny = rule(None, Some("2027-06-01"));
        assert_eq!(level(&only_deny, day("2027-05-31")), Level::Warning);
        assert_eq!(level(&only_deny, day("2027-06-01")), Level::Error);
        let only_warn = rule(Some("2026-12-01"), None);
        assert_eq!(level(&only_warn, day("2026-11-30")), Level::Note);
        assert_eq!(level(&only_warn, day("2099-01-01")), Level::Warning);
    }

    #[test]
    fn a_version_outside_the_rule_is_reported_with_its_window() {
        let g = Builder::default()
            .member("app")
            .member("svc")
            .pkg("etcd-client", "0.12.4")
            .pkg("etcd-client", "0.17.0")
            .dep("app", "etcd-client@0.12.4")
            .dep("svc", "etcd-client@0.17.0")
            .graph();
        let r = rule(Some("2026-12-01"), Some("2027-06-01"));
        let found = evaluate(
            &g,
            &SpanIndex::default(),
            &Options::default(),
            std::slice::from_ref(&r),
            day("2026-12-01"),
        );
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.level, Level::Warning);
        assert_eq!(f.versions.len(), 1, "0.17.0 is inside the rule");
        assert_eq!(
            f.message,
            "etcd-client 0.12.4 is outside the policy `>=0.14, <0.18` (etcd 3.6 requires client \
             certificates); it becomes an error on 2027-06-01, in 182 days"
        );
        assert_eq!(f.versions[0].origins[0].member, "app");
        assert_eq!(f.policy.as_ref().and_then(|p| p.days_left), Some(182));
        let after = evaluate(
            &g,
            &SpanIndex::default(),
            &Options::default(),
            &[r],
            day("2027-06-02"),
        );
        assert!(after[0].message.ends_with("an error since 2027-06-01"));
        assert_eq!(after[0].policy.as_ref().and_then(|p| p.days_left), Some(-1));
    }

    #[test]
    fn source_date_epoch_and_today_fix_the_day() {
        assert_eq!(
            today(None, Some("1796083200")).expect("epoch"),
            day("2026-12-01")
        );
        assert_eq!(
            today(Some(day("2027-01-01")), Some("0")).expect("given"),
            day("2027-01-01")
        );
        assert!(today(None, Some("tomorrow")).is_err());
    }
}
