//! Cargo-config discovery: `$CARGO_HOME`, and where crates-io's releases come from after
//! source replacement, read from cargo's configuration files (`.cargo/config.toml` from the
//! workspace root upwards, then `$CARGO_HOME/config.toml`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

/// `$CARGO_HOME`, or `~/.cargo`.
pub(super) fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

/// How crates-io is reached for this workspace, read from cargo's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CratesIoSource {
    /// The default: crates.io's sparse index.
    Default,
    /// Replaced by a vendored directory.
    Directory(PathBuf),
    /// Replaced by another registry (index URL, `sparse+…` or git).
    Registry(String),
    /// Replaced by something this tool cannot read (a local registry).
    Unsupported(String),
}

/// cargo's configuration files for a workspace, closest first: `.cargo/config.toml` (or
/// `.cargo/config`) in `workspace_root` and each directory above it, then `cargo_home`'s.
fn config_files(workspace_root: &Path, cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    let homes = cargo_home.map(Path::to_owned);
    let dirs = workspace_root
        .ancestors()
        .map(|d| d.join(".cargo"))
        .chain(homes);
    for dir in dirs {
        for name in ["config.toml", "config"] {
            let f = dir.join(name);
            if f.is_file() {
                if !files.contains(&f) {
                    files.push(f);
                }
                break;
            }
        }
    }
    files
}

/// The first of cargo's configuration files for the workspace that patches crates (a
/// `[patch]` table), or that cannot be read to tell: what the lockfile mode's fast path does
/// not model, so `check` leaves such a workspace to cargo.
pub fn config_patch(workspace_root: &Path) -> Option<PathBuf> {
    config_files(workspace_root, cargo_home().as_deref())
        .into_iter()
        .find(|file| {
            let doc = std::fs::read_to_string(file)
                .ok()
                .and_then(|t| t.parse::<DocumentMut>().ok());
            doc.is_none_or(|d| d.get("patch").is_some())
        })
}

/// Reads cargo's configuration from `workspace_root` upwards and `cargo_home`, and says
/// where crates-io's releases come from. Closer files win, as in cargo.
pub fn crates_io_source(workspace_root: &Path, cargo_home: Option<&Path>) -> CratesIoSource {
    let files = config_files(workspace_root, cargo_home);
    // source name -> (definition table, directory the relative paths are relative to)
    let mut sources: BTreeMap<String, (toml_edit::Table, PathBuf)> = BTreeMap::new();
    // Walk from the farthest file to the closest, so closer definitions override.
    for file in files.iter().rev() {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(doc) = text.parse::<DocumentMut>() else {
            continue;
        };
        let base = file
            .parent()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default();
        if let Some(table) = doc.get("source").and_then(Item::as_table) {
            for (name, def) in table.iter() {
                if let Some(t) = def.as_table() {
                    let entry = sources
                        .entry(name.to_owned())
                        .or_insert_with(|| (toml_edit::Table::new(), base.clone()));
                    for (k, v) in t.iter() {
                        entry.0.insert(k, v.clone());
                    }
                    entry.1 = base.clone();
                }
            }
        }
    }
    // Follow replace-with from crates-io to the final source.
    let mut name = "crates-io".to_owned();
    for _ in 0..16 {
        let Some((def, base)) = sources.get(&name) else {
            break;
        };
        if let Some(next) = def.get("replace-with").and_then(Item::as_str) {
            name = next.to_owned();
            continue;
        }
        if let Some(dir) = def.get("directory").and_then(Item::as_str) {
            return CratesIoSource::Directory(base.join(dir));
        }
        if let Some(url) = def.get("registry").and_then(Item::as_str) {
            return CratesIoSource::Registry(url.to_owned());
        }
        if let Some(dir) = def.get("local-registry").and_then(Item::as_str) {
            return CratesIoSource::Unsupported(format!(
                "local registry {}",
                base.join(dir).display()
            ));
        }
        break;
    }
    if name == "crates-io" {
        CratesIoSource::Default
    } else {
        CratesIoSource::Unsupported(format!("source `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_replacement_is_followed() {
        let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/workspaces/two-lines");
        let empty_home = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            crates_io_source(&ws, Some(empty_home.path())),
            CratesIoSource::Directory(ws.join("../../vendor"))
        );
        let other = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            crates_io_source(other.path(), Some(empty_home.path())),
            CratesIoSource::Default
        );
    }
}
