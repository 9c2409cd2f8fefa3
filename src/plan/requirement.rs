//! Bumping a member's direct requirement: the edit that moves a declaration to a release, in
//! the style it was written in ([`restyle`]), and reading where a requirement starts.

use semver::{Version, VersionReq};

use super::{Edit, EditTarget, Planner, finding_ref};
use crate::analysis::{Finding, Line, Origin};

impl Planner<'_> {
    pub(super) fn requirement_edit(
        &mut self,
        origin: &Origin,
        to: &Version,
        reason: String,
        finding: &Finding,
    ) {
        let (Some(manifest), Some(table), Some(written), Some(abs)) = (
            origin.manifest.clone(),
            origin.table.clone(),
            origin.written_req.clone(),
            origin.manifest_abs.clone(),
        ) else {
            self.blocked(
                finding,
                &origin.package,
                format!(
                    "the declaration of `{}` in {} could not be located; edit it by hand",
                    origin.key, origin.member
                ),
            );
            return;
        };
        let Restyled { req: new, note } = restyle(&written, to);
        if new == written {
            self.moved.insert(origin.package.clone(), to.clone());
            return;
        }
        let Some(carried) = self.carry_features(origin, to, finding) else {
            return;
        };
        self.moved.insert(origin.package.clone(), to.clone());
        let reason = note
            .into_iter()
            .chain(carried.notes)
            .fold(reason, |r, n| format!("{r}; {n}"));
        let workspace = table == "workspace.dependencies";
        self.edits.push(Edit {
            manifest,
            table,
            key: origin.key.clone(),
            from: Some(written),
            to: new,
            reason,
            finding: finding_ref(finding),
            features: carried.features,
            target: EditTarget::Requirement {
                manifest: abs,
                workspace,
                kind: origin.kind,
                platform: origin.platform.clone(),
                key: origin.key.clone(),
            },
        });
    }
}

/// The version a requirement's first comparator starts from (`"0.14.*"` → 0.14.0, `"~0.14.2"`
/// → 0.14.2, `"*"` → 0.0.0).
pub(super) fn lowest(req: &str) -> Option<Version> {
    let req = VersionReq::parse(req.trim()).ok()?;
    Some(req.comparators.first().map_or(Version::new(0, 0, 0), |c| {
        Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0))
    }))
}

fn split_operator(req: &str) -> (&str, &str) {
    let op_len = req.find(|c: char| c.is_ascii_digit()).unwrap_or(req.len());
    (&req[..op_len], &req[op_len..])
}

/// A rewritten requirement, and why its form changed when it could not be kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restyled {
    pub req: String,
    /// Set when the written form (a bound, a range, `*`) could not select the target line.
    pub note: Option<String>,
}

/// A new requirement for `to` in the style of `written` that selects `to`'s line and no
/// other. Caret, bare, tilde, exact and wildcard forms keep their operator and precision
/// (`"0.11"` → `"0.14"`, `"0.11.1"` → `"0.14.0"`, `"~0.11"` → `"~0.14"`, `"=0.11.1"` →
/// `"=0.14.0"`, `"0.11.*"` → `"0.14.*"`), widened only where the precision is too short to
/// name the line (`"1"` → `"0.12"`). Bounds, ranges and `*` (`"<0.12"`, `">=0.11"`,
/// `">=0.11, <0.12"`) become the bare requirement at the precision written, with a note.
pub fn restyle(written: &str, to: &Version) -> Restyled {
    let trimmed = written.trim();
    // The components a requirement needs to name one line: 0.0.x lines are one patch.
    let needed = if to.major > 0 {
        1
    } else if to.minor > 0 {
        2
    } else {
        3
    };
    let render = |precision: usize| {
        let parts = [to.major, to.minor, to.patch];
        let shown = precision.clamp(needed, 3);
        let text: Vec<String> = parts[..shown].iter().map(u64::to_string).collect();
        (text.join("."), shown)
    };
    let (op, body) = split_operator(trimmed);
    let op = op.trim();
    let body = body.trim();
    let parts: Vec<&str> = if body.is_empty() {
        Vec::new()
    } else {
        body.split('.').collect()
    };
    let numeric = parts
        .iter()
        .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .count();
    let wildcard = |p: &str| matches!(p, "*" | "x" | "X");
    let single = !trimmed.contains(',') && (1..=3).contains(&parts.len());
    // `~0.0.3` would admit 0.0.4, another line: tilde cannot name a 0.0.x line.
    let kept = matches!(op, "" | "^" | "=") || (op == "~" && needed < 3);
    if single && numeric == parts.len() && kept {
        return Restyled {
            req: format!("{op}{}", render(numeric).0),
            note: None,
        };
    }
    if single && numeric > 0 && op.is_empty() && parts[numeric..].iter().all(|p| wildcard(p)) {
        let (text, shown) = render(numeric);
        let req = if shown < 3 { format!("{text}.*") } else { text };
        return Restyled { req, note: None };
    }
    // A bound, a range or `*`: the bare requirement at the precision written.
    let precision = trimmed
        .split(',')
        .next()
        .map(|c| {
            let (_, b) = split_operator(c.trim());
            b.split('.')
                .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .count()
        })
        .unwrap_or(0);
    let req = render(precision).0;
    let note = format!(
        "`{trimmed}` cannot select the {} line alone; written as `{req}`, which selects it and no other",
        Line::of(to)
    );
    Restyled {
        req,
        note: Some(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("version")
    }

    #[test]
    fn restyle_keeps_operator_and_precision() {
        let r = |w: &str, t: &str| restyle(w, &v(t)).req;
        assert_eq!(r("0.11", "0.14.0"), "0.14");
        assert_eq!(r("0.11.1", "0.14.0"), "0.14.0");
        assert_eq!(r("^0.11", "0.14.0"), "^0.14");
        assert_eq!(r("=0.11.1", "0.14.0"), "=0.14.0");
        assert_eq!(r("~0.9", "0.12.3"), "~0.12");
        assert_eq!(r("1", "2.0.1"), "2");
        assert_eq!(r("1", "0.12.3"), "0.12");
    }

    /// Every operator form cargo accepts, rewritten for targets on 0.0.x, 0.x and x.y lines:
    /// the new requirement matches the target and no release of another line.
    #[test]
    fn every_operator_form_lands_on_the_target_line_only() {
        const FORMS: &[&str] = &[
            "0.11",
            "0.11.1",
            "1",
            "^0.11",
            "^0.11.1",
            "^1",
            "^0",
            "~0.11",
            "~0.11.1",
            "~1",
            "=0.11.1",
            "=0.11",
            "=1",
            "0.11.*",
            "0.*",
            "1.*",
            "1.2.*",
            "*",
            "<0.12",
            "<=0.11.1",
            ">=0.11",
            ">0.10",
            ">= 0.11",
            ">=0.11, <0.12",
            ">=0.9, <0.14",
            "0.0",
            "^0.0.1",
        ];
        const TARGETS: &[&str] = &["0.14.0", "0.14.3", "0.9.2", "2.0.1", "1.5.2", "0.0.3"];
        const RELEASES: &[&str] = &[
            "0.0.1", "0.0.3", "0.0.4", "0.1.0", "0.9.2", "0.11.1", "0.12.3", "0.13.0", "0.14.0",
            "0.14.3", "0.14.9", "0.15.0", "0.20.0", "1.0.0", "1.5.2", "1.9.0", "2.0.0", "2.0.1",
            "2.3.0", "3.0.0", "10.0.0",
        ];
        for form in FORMS {
            for target in TARGETS.iter().map(|t| v(t)) {
                let new = restyle(form, &target);
                let req = VersionReq::parse(&new.req)
                    .unwrap_or_else(|e| panic!("`{form}` → `{}` does not parse: {e}", new.req));
                assert!(
                    req.matches(&target),
                    "`{form}` → `{}` misses {target}",
                    new.req
                );
                for other in RELEASES.iter().map(|r| v(r)) {
                    if Line::of(&other) != Line::of(&target) {
                        assert!(
                            !req.matches(&other),
                            "`{form}` → `{}` for {target} also admits {other}",
                            new.req
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn kept_forms_keep_their_operator_and_others_say_why_they_changed() {
        let cases = [
            ("~0.11.1", "0.14.0", "~0.14.0", false),
            ("=0.11", "0.14.0", "=0.14", false),
            ("0.11.*", "0.14.0", "0.14.*", false),
            ("1.*", "2.0.1", "2.*", false),
            ("0.*", "0.14.0", "0.14.*", false),
            ("^0", "0.14.0", "^0.14", false),
            ("0.0", "0.0.3", "0.0.3", false),
            ("*", "0.14.0", "0.14", true),
            ("<0.12", "0.14.0", "0.14", true),
            ("<=0.11.1", "0.14.0", "0.14.0", true),
            (">=0.11", "0.14.0", "0.14", true),
            (">0.10", "0.9.2", "0.9", true),
            (">=0.11, <0.12", "0.14.0", "0.14", true),
        ];
        for (written, target, expected, noted) in cases {
            let new = restyle(written, &v(target));
            assert_eq!(new.req, expected, "`{written}` for {target}");
            assert_eq!(new.note.is_some(), noted, "`{written}`: {:?}", new.note);
        }
        let note = restyle("<0.12", &v("0.14.0")).note.expect("a note");
        assert_eq!(
            note,
            "`<0.12` cannot select the 0.14 line alone; written as `0.14`, which selects it and no other"
        );
    }
}
