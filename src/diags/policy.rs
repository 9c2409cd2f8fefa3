//! The wording of the two codes policy reports: `outside-policy` (versions outside a dated
//! version rule) and `unused-allow` (an allow entry that matches nothing), of the reasons
//! policy records when a level setting allows a finding, and of a workspace setting that a
//! version rule overrules. Policy hands over the rule's or the entry's facts as plain values,
//! already shown as the user wrote them.

use semver::Version;

/// outside-policy: versions of a crate outside a version rule, and where its window stands.
pub struct OutsidePolicy<'a> {
    pub name: &'a str,
    /// The versions outside the rule, ascending.
    pub versions: Vec<&'a Version>,
    /// The rule's requirement as written, and why the rule is there.
    pub requirement: &'a str,
    pub reason: &'a str,
    /// The rule sets a warn-from date.
    pub warns: bool,
    /// The rule's deny-from date, and the days from the judging day to it (negative once
    /// past).
    pub deny: Option<(&'a str, i64)>,
    /// Where the rule is written: `file:line`.
    pub rule: &'a str,
}

/// unused-allow: an allow entry that matched no finding.
pub struct UnusedAllow<'a> {
    pub name: &'a str,
    /// The entry's version requirements as written.
    pub versions: &'a [String],
}

/// A workspace setting that would lower or excuse an `outside-policy` finding.
pub enum Excuse<'a> {
    /// `levels.outside-policy`: the setting as written (`allow`, `warn`).
    Level(&'a str),
    /// An allow entry, where it is written (`file:line`), and the versions it would take.
    AllowEntry {
        at: &'a str,
        name: &'a str,
        versions: Vec<&'a Version>,
    },
    /// The baseline, by its file.
    Baseline(&'a str),
}

/// Why a version rule overrules a workspace setting.
pub enum Overrule<'a> {
    /// The rule's deny-from date has passed.
    Passed(&'a str),
    /// The rule is the shared policy's (where it is written: `file:line`), which a
    /// workspace's settings never lower.
    Shared(&'a str),
}

/// The setting as a report names it: `levels.outside-policy = "allow"`, `allow entry at
/// etcd-deps.toml:4`, `baseline etcd-deps-baseline.json`.
pub fn excuse_setting(e: &Excuse<'_>) -> String {
    match e {
        Excuse::Level(s) => format!("levels.outside-policy = \"{s}\""),
        Excuse::AllowEntry { at, .. } => format!("allow entry at {at}"),
        Excuse::Baseline(file) => format!("baseline {file}"),
    }
}

/// What a report says when a version rule overrules a workspace setting: "the baseline
/// excuses this finding, but the policy's deny-from 2027-06-01 has passed".
pub fn overruled(e: &Excuse<'_>, why: &Overrule<'_>) -> String {
    let would = match e {
        Excuse::Level(s) => format!(
            "`levels.outside-policy = \"{s}\"` would {}",
            if *s == "allow" {
                "allow this finding"
            } else {
                "make this finding a warning"
            }
        ),
        Excuse::AllowEntry { at, name, versions } => {
            let list: Vec<String> = versions.iter().map(ToString::to_string).collect();
            format!(
                "the allow entry at {at} would allow {name} {}",
                list.join(", ")
            )
        }
        Excuse::Baseline(_) => "the baseline excuses this finding".to_owned(),
    };
    let but = match why {
        Overrule::Passed(d) => format!("the policy's deny-from {d} has passed"),
        Overrule::Shared(rule) => {
            format!("a workspace's settings do not lower the shared policy (rule at {rule})")
        }
    };
    format!("{would}, but {but}")
}

/// The message and the help of an `outside-policy` finding.
pub fn outside_policy(o: &OutsidePolicy<'_>) -> (String, String) {
    let list: Vec<String> = o.versions.iter().map(ToString::to_string).collect();
    let (verb, pronoun) = if list.len() == 1 {
        ("is", "it")
    } else {
        ("are", "they")
    };
    let when = match o.deny {
        Some((d, left)) if left > 0 => format!(
            "{pronoun} become{} an error on {d}, in {left} day{}",
            if list.len() == 1 { "s" } else { "" },
            if left == 1 { "" } else { "s" }
        ),
        Some((d, _)) => format!("an error since {d}"),
        None if !o.warns => "an error now: the rule has no dates".to_owned(),
        None => "the rule sets no deny date".to_owned(),
    };
    let message = format!(
        "{} {} {verb} outside the policy `{}` ({}); {when}",
        o.name,
        list.join(", "),
        o.requirement,
        o.reason
    );
    let help = format!(
        "move {} to a release matching `{}` (rule at {}), or run `cargo etcd-deps fix` to plan \
         the edit",
        o.name, o.requirement, o.rule
    );
    (message, help)
}

/// The message and the help of an `unused-allow` finding.
pub fn unused_allow(u: &UnusedAllow<'_>) -> (String, String) {
    let message = format!(
        "the allow entry for {} ({}) matches no finding",
        u.name,
        u.versions.join(", ")
    );
    let help = "remove the entry, or correct its crate, versions, source or code".to_owned();
    (message, help)
}

/// Why a finding is allowed by `levels.<code> = "allow"`: the setting, as written.
pub fn allowed_by_level(code: &str) -> String {
    format!("levels.{code} = \"allow\"")
}

/// Why a family crate's finding is allowed by `family-level = "allow"`.
pub fn allowed_by_family_level() -> String {
    "family-level = \"allow\"".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(versions: &[&Version], warns: bool, deny: Option<(&str, i64)>) -> String {
        outside_policy(&OutsidePolicy {
            name: "etcd-client",
            versions: versions.to_vec(),
            requirement: ">=0.14",
            reason: "etcd 3.6",
            warns,
            deny,
            rule: "etcd-deps.toml:3",
        })
        .0
    }

    #[test]
    fn the_window_is_told_in_agreement_with_the_versions_and_the_days() {
        let (a, b) = (Version::new(0, 12, 4), Version::new(0, 13, 0));
        assert_eq!(
            message(&[&a, &b], true, Some(("2027-06-01", 1))),
            "etcd-client 0.12.4, 0.13.0 are outside the policy `>=0.14` (etcd 3.6); they become \
             an error on 2027-06-01, in 1 day"
        );
        assert!(
            message(&[&a], true, Some(("2027-06-01", 0))).ends_with("an error since 2027-06-01")
        );
        assert!(message(&[&a], false, None).ends_with("an error now: the rule has no dates"));
        assert!(message(&[&a], true, None).ends_with("the rule sets no deny date"));
    }

    #[test]
    fn an_overruled_setting_names_itself_and_the_rule() {
        let v = Version::new(0, 12, 4);
        let entry = Excuse::AllowEntry {
            at: "etcd-deps.toml:4",
            name: "etcd-client",
            versions: vec![&v],
        };
        assert_eq!(
            overruled(&entry, &Overrule::Shared("../etcd-policy.toml:3")),
            "the allow entry at etcd-deps.toml:4 would allow etcd-client 0.12.4, but a \
             workspace's settings do not lower the shared policy (rule at ../etcd-policy.toml:3)"
        );
        assert_eq!(
            overruled(&Excuse::Level("warn"), &Overrule::Passed("2027-06-01")),
            "`levels.outside-policy = \"warn\"` would make this finding a warning, but the \
             policy's deny-from 2027-06-01 has passed"
        );
        assert_eq!(excuse_setting(&entry), "allow entry at etcd-deps.toml:4");
        assert_eq!(
            excuse_setting(&Excuse::Baseline("b.json")),
            "baseline b.json"
        );
    }
}
