//! The finished plan: commands without repeats, one edit per key (two findings that want the
//! same key get the higher release), unfixable findings sorted and deduplicated.

use std::collections::BTreeMap;

use super::requirement::lowest;
use super::{Edit, FixPlan, Planner, SCHEMA_VERSION};

impl Planner<'_> {
    pub(super) fn command(&mut self, argv: Vec<String>) {
        if !self.commands.contains(&argv) {
            self.commands.push(argv);
        }
    }

    /// Two findings that want the same key get one edit, the higher release.
    pub(super) fn finish(mut self) -> FixPlan {
        let mut merged: BTreeMap<(String, String, String), Edit> = BTreeMap::new();
        for edit in self.edits.drain(..) {
            let key = (edit.manifest.clone(), edit.table.clone(), edit.key.clone());
            match merged.get(&key) {
                Some(existing) if !higher(&edit.to, &existing.to) => {}
                _ => {
                    merged.insert(key, edit);
                }
            }
        }
        self.unfixable.sort_by(|a, b| {
            (&a.finding, &a.blocking, &a.message).cmp(&(&b.finding, &b.blocking, &b.message))
        });
        self.unfixable.dedup();
        FixPlan {
            schema_version: SCHEMA_VERSION,
            edits: merged.into_values().collect(),
            commands: self.commands,
            unfixable: self.unfixable,
        }
    }
}

/// Whether requirement `a` asks for a higher version than `b` (by their lowest versions).
fn higher(a: &str, b: &str) -> bool {
    match (lowest(a), lowest(b)) {
        (Some(x), Some(y)) => x > y,
        _ => a > b,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::graph::Kind;
    use crate::plan::tests::ws;
    use crate::plan::{EditTarget, PlanOptions};
    use crate::registry::MemoryRegistry;

    #[test]
    fn higher_compares_lowest_versions() {
        assert!(higher("0.16", "0.14"));
        assert!(!higher("0.14", "0.16"));
        assert!(higher("=0.14.1", "0.14"));
        assert!(higher("0.16.*", "0.14"));
        assert!(higher("~0.14.2", "0.14.1"));
        assert!(!higher("0.9.*", "0.10"));
    }

    #[test]
    fn the_same_key_gets_one_edit_with_the_higher_release() {
        let registry = MemoryRegistry::default();
        let ws = ws();
        let opts = PlanOptions::default();
        let edit = |to: &str, finding: &str| Edit {
            manifest: "Cargo.toml".to_owned(),
            table: "dependencies".to_owned(),
            key: "etcd-client".to_owned(),
            from: Some("0.11".to_owned()),
            to: to.to_owned(),
            reason: String::new(),
            finding: finding.to_owned(),
            features: None,
            target: EditTarget::Requirement {
                manifest: PathBuf::from("/ws/Cargo.toml"),
                workspace: false,
                kind: Kind::Normal,
                platform: None,
                key: "etcd-client".to_owned(),
            },
        };
        let planner = Planner {
            edits: vec![
                edit("0.14", "diverging-versions:tonic"),
                edit("0.16", "diverging-versions:tower"),
                edit("0.15", "diverging-versions:prost"),
            ],
            ..Planner::new(&registry, &ws, &opts)
        };
        let plan = planner.finish();
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].to, "0.16");
        assert_eq!(plan.edits[0].finding, "diverging-versions:tower");
    }
}
