//! What the registry index cannot say about a move across a breaking release, read from the
//! versioned knowledge file `migrations.toml` beside this file: features that were renamed
//! (tonic `tls` → `tls-ring` from 0.13), and features whose code became a crate of its own
//! (tonic's `prost` → the `tonic-prost` crate from 0.14), with the source change that follows.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::Line;

/// The knowledge file's shape version this code reads.
const SCHEMA: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schema: u32,
    #[serde(default)]
    renamed: Vec<Renamed>,
    #[serde(default, rename = "became-crate")]
    became_crate: Vec<BecameCrate>,
}

/// A feature renamed from line `from` on; `to` lists the new names, preferred first.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renamed {
    #[serde(rename = "crate")]
    pub krate: String,
    pub feature: String,
    pub from: String,
    pub to: Vec<String>,
}

/// A feature whose code became the crate `crate_now` from line `from` on.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BecameCrate {
    #[serde(rename = "crate")]
    pub krate: String,
    pub feature: String,
    /// The feature was among the default features before `from`.
    pub default_before: bool,
    pub from: String,
    pub crate_now: String,
    /// What the user's code must change, said in the plan.
    pub source_change: String,
}

/// The parsed knowledge file.
#[derive(Debug)]
pub struct Knowledge {
    renamed: Vec<Renamed>,
    became: Vec<BecameCrate>,
}

impl Knowledge {
    /// The file shipped with the tool.
    pub fn builtin() -> &'static Knowledge {
        static BUILTIN: OnceLock<Knowledge> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Knowledge::parse(include_str!("migrations.toml"))
                .expect("migrations.toml is checked by its tests")
        })
    }

    /// Reads a knowledge file; an unknown schema, key or line is an error.
    pub fn parse(text: &str) -> Result<Knowledge, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.schema != SCHEMA {
            return Err(format!(
                "schema {} (this version reads {SCHEMA})",
                file.schema
            ));
        }
        let lines = file
            .renamed
            .iter()
            .map(|r| &r.from)
            .chain(file.became_crate.iter().map(|b| &b.from));
        for from in lines {
            Line::parse(from).ok_or_else(|| format!("`{from}` is not a version line"))?;
        }
        Ok(Knowledge {
            renamed: file.renamed,
            became: file.became_crate,
        })
    }

    /// What became of `feature` of `krate` by line `to`, if it was renamed on the way.
    pub fn renamed(&self, krate: &str, feature: &str, to: Line) -> Option<&Renamed> {
        self.renamed
            .iter()
            .filter(|r| r.krate == krate && r.feature == feature)
            .find(|r| Line::parse(&r.from).is_some_and(|from| from <= to))
    }

    /// The features of `krate` that became crates between line `from` (exclusive) and `to`.
    pub fn became_crates(&self, krate: &str, from: Line, to: Line) -> Vec<&BecameCrate> {
        self.became
            .iter()
            .filter(|b| b.krate == krate)
            .filter(|b| Line::parse(&b.from).is_some_and(|line| from < line && line <= to))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line {
        Line::parse(s).expect("line")
    }

    #[test]
    fn the_builtin_file_parses_and_says_what_tonic_renamed_and_split() {
        let k = Knowledge::builtin();
        let tls = k.renamed("tonic", "tls", line("0.13")).expect("tls");
        assert_eq!(tls.to[0], "tls-ring");
        assert!(k.renamed("tonic", "tls", line("0.12")).is_none());
        let split = k.became_crates("tonic", line("0.13"), line("0.14"));
        assert_eq!(split.len(), 1);
        assert_eq!(split[0].crate_now, "tonic-prost");
        assert!(
            k.became_crates("tonic", line("0.14"), line("0.14"))
                .is_empty()
        );
        let build = k.became_crates("tonic-build", line("0.12"), line("0.14"));
        assert_eq!(build[0].crate_now, "tonic-prost-build");
        assert!(
            build[0]
                .source_change
                .contains("tonic_prost_build::compile_protos")
        );
    }

    #[test]
    fn every_entry_names_features_and_crates_the_stub_registry_has() {
        // The stub registry mirrors the real releases' feature tables (KNOWLEDGE.md).
        let vendor = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vendor");
        let features_of = |krate: &str, line_prefix: &str| -> Vec<String> {
            let mut out = Vec::new();
            for entry in std::fs::read_dir(&vendor).expect("vendor") {
                let name = entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned();
                let Some(version) = name.strip_prefix(&format!("{krate}-")) else {
                    continue;
                };
                if !version.starts_with(line_prefix) || version.contains('-') {
                    continue;
                }
                let text = std::fs::read_to_string(vendor.join(&name).join("Cargo.toml"))
                    .expect("manifest");
                let doc: toml::Table = toml::from_str(&text).expect("toml");
                if let Some(f) = doc.get("features").and_then(|f| f.as_table()) {
                    out.extend(f.keys().cloned());
                }
            }
            out
        };
        let k = Knowledge::builtin();
        for r in &k.renamed {
            let before = features_of(&r.krate, "0.11");
            let after = features_of(&r.krate, &format!("{}.", r.from));
            assert!(!after.contains(&r.feature), "{r:?}");
            assert!(after.contains(&r.to[0]), "{r:?}: {after:?}");
            if r.from == "0.13" {
                assert!(before.contains(&r.feature), "{r:?}");
            }
        }
        for b in &k.became {
            let after = features_of(&b.krate, &format!("{}.", b.from));
            assert!(!after.contains(&b.feature), "{b:?}");
            assert!(
                vendor.join(format!("{}-0.14.2", b.crate_now)).is_dir(),
                "{b:?}"
            );
        }
    }

    #[test]
    fn a_file_of_another_schema_or_with_a_bad_line_is_refused() {
        assert!(Knowledge::parse("schema = 2").is_err());
        assert!(
            Knowledge::parse(
                "schema = 1\n[[renamed]]\ncrate = 'x'\nfeature = 'a'\nfrom = 'one'\nto = ['b']\n"
            )
            .is_err()
        );
        assert!(Knowledge::parse("schema = 1\nsurprise = true\n").is_err());
    }
}
