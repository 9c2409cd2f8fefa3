//! An in-memory registry for tests and benchmarks: the releases of each crate, held in a map,
//! so planning runs without an index.
//!
//! Never part of the library's build: the library includes this file for its unit tests (in
//! `src/registry/mod.rs`), benchmarks with `#[path]`. The including module's parent provides the
//! library's `Registry`, `Release` and `RegistryError` (the library's `registry` module, or
//! `use cargo_etcd_deps::registry::{…}` beside the `mod`).

use std::collections::BTreeMap;

use super::{Registry, RegistryError, Release, Releases};

/// A registry whose facts are given: `crates` maps a crate name to its releases, in
/// ascending version order.
#[derive(Debug, Default)]
pub(crate) struct MemoryRegistry {
    pub(crate) crates: BTreeMap<String, Vec<Release>>,
}

impl Registry for MemoryRegistry {
    fn releases(&self, name: &str) -> Result<Option<Releases>, RegistryError> {
        Ok(self.crates.get(name).map(|r| Releases::from(r.as_slice())))
    }

    fn describe(&self) -> String {
        "an in-memory registry".to_owned()
    }
}
