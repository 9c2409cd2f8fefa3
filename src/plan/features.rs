//! Features across a breaking release: a move of a declaration to another line keeps the
//! features it enables only where the target release has them. A feature the release lacks is
//! renamed when the knowledge file knows its new name, else the move is blocked with the
//! feature named and the release's features listed; a feature whose code became a crate of its
//! own (tonic's `prost` → `tonic-prost`) adds that crate beside the declaration, with the source
//! change it asks for. A plan never writes a feature the target release lacks.

use semver::Version;

use super::knowledge::{BecameCrate, Knowledge};
use super::{Edit, EditTarget, Planner, finding_ref};
use crate::analysis::{Finding, Line, Origin};

/// What a move does to a declaration's features.
pub(super) struct Carried {
    /// The new `features`, when one was renamed.
    pub(super) features: Option<Vec<String>>,
    /// What the reason adds: renamed features, crates added, source changes.
    pub(super) notes: Vec<String>,
}

impl Planner<'_> {
    /// The features of `origin` carried to release `to`, and the crates its features became
    /// (pushed as edits); `None` when a feature has no counterpart in `to` (the finding is
    /// blocked, said why).
    pub(super) fn carry_features(
        &mut self,
        origin: &Origin,
        to: &Version,
        finding: &Finding,
    ) -> Option<Carried> {
        let from = origin.package_version.as_ref()?;
        let (from_line, to_line) = (Line::of(from), Line::of(to));
        let mut carried = Carried {
            features: None,
            notes: Vec::new(),
        };
        if from_line == to_line {
            return Some(carried);
        }
        let release = self
            .registry
            .releases(&origin.package)
            .ok()
            .flatten()
            .and_then(|rs| rs.iter().find(|r| r.version == *to).cloned());
        let Some(release) = release else {
            return Some(carried);
        };
        let knowledge = Knowledge::builtin();
        let mut features = origin.features.clone();
        for f in origin
            .features
            .iter()
            .filter(|f| !release.features.contains(*f))
        {
            let renamed = knowledge
                .renamed(&origin.package, f, to_line)
                .and_then(|r| r.to.iter().find(|n| release.features.contains(*n)));
            match renamed {
                Some(new) => {
                    features
                        .iter_mut()
                        .filter(|x| *x == f)
                        .for_each(|x| *x = new.clone());
                    carried.notes.push(format!(
                        "feature `{f}` is `{new}` in {} {to}",
                        origin.package
                    ));
                }
                None => {
                    let have: Vec<&str> = release
                        .features
                        .iter()
                        .filter(|n| !n.starts_with('_'))
                        .map(String::as_str)
                        .collect();
                    self.blocked(
                        finding,
                        &origin.package,
                        format!(
                            "{} {to} has no feature `{f}`, which {} enables; its features are: {}. Choose one and edit the declaration by hand",
                            origin.package,
                            origin.member,
                            have.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
        if features != origin.features {
            carried.features = Some(features);
        }
        for became in knowledge.became_crates(&origin.package, from_line, to_line) {
            let used = origin.features.contains(&became.feature)
                || (origin.default_features && became.default_before);
            if !used {
                continue;
            }
            carried.notes.push(format!(
                "its `{}` feature is the {} crate from {to_line} on, added beside it; {}",
                became.feature, became.crate_now, became.source_change
            ));
            self.add_dependency(origin, became, to_line, finding);
        }
        Some(carried)
    }

    /// `<crate_now> = "<line>"` beside `origin`'s declaration, unless its manifest declares it.
    fn add_dependency(
        &mut self,
        origin: &Origin,
        became: &BecameCrate,
        line: Line,
        finding: &Finding,
    ) {
        let name = became.crate_now.as_str();
        let (Some(manifest), Some(abs)) = (
            origin.member_manifest.clone().or(origin.manifest.clone()),
            origin
                .member_manifest_abs
                .clone()
                .or(origin.manifest_abs.clone()),
        ) else {
            return;
        };
        if self
            .ws
            .declared
            .get(&abs)
            .is_some_and(|names| names.contains(name))
        {
            return;
        }
        let target = EditTarget::Add {
            manifest: abs,
            kind: origin.kind,
            platform: origin.platform.clone(),
            key: name.to_owned(),
        };
        if self.edits.iter().any(|e| e.target == target) {
            return;
        }
        let table = crate::manifest::document::table_names(origin.kind)[0];
        let table = match &origin.platform {
            Some(p) => format!("target.'{p}'.{table}"),
            None => table.to_owned(),
        };
        self.edits.push(Edit {
            manifest,
            table,
            key: name.to_owned(),
            from: None,
            to: line.to_string(),
            reason: format!(
                "{name} {line} carries what the `{}` feature of {} did before {}",
                became.feature, origin.package, became.from
            ),
            finding: finding_ref(finding),
            features: None,
            target,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{findings, release, ws};
    use super::super::{PlanOptions, plan};
    use crate::analysis::Line;
    use crate::registry::MemoryRegistry;

    fn registry(features_09: &[&str]) -> MemoryRegistry {
        let mut old = release("0.9.2", &[]);
        old.features = features_09.iter().map(|f| (*f).to_owned()).collect();
        let mut new = release("0.12.3", &[]);
        new.features.insert("tls".to_owned());
        let mut registry = MemoryRegistry::default();
        registry.crates.insert("tonic".to_owned(), vec![old, new]);
        registry
    }

    fn to_09() -> PlanOptions {
        PlanOptions {
            to: [("tonic".to_owned(), Line::parse("0.9").expect("line"))]
                .into_iter()
                .collect(),
            ..PlanOptions::default()
        }
    }

    #[test]
    fn a_feature_the_target_release_lacks_and_nobody_renamed_blocks_the_move() {
        // `app` enables tonic's `tls`; tonic 0.9.2 has only `transport` and `codegen`.
        let plan = plan(
            &findings(),
            &registry(&["transport", "codegen"]),
            &ws(),
            &to_09(),
        )
        .expect("plans");
        assert!(plan.edits.iter().all(|e| e.key != "tonic"), "{plan:?}");
        let why = &plan.unfixable[0].message;
        assert!(why.contains("tonic 0.9.2 has no feature `tls`"), "{why}");
        assert!(
            why.contains("its features are: codegen, transport"),
            "{why}"
        );
    }

    #[test]
    fn a_feature_the_target_release_has_is_kept_as_written() {
        let plan = plan(&findings(), &registry(&["tls"]), &ws(), &to_09()).expect("plans");
        let edit = plan.edits.iter().find(|e| e.key == "tonic").expect("edit");
        assert_eq!(edit.to, "0.9");
        assert_eq!(edit.features, None);
    }
}
