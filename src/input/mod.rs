//! Input: the only place that spawns cargo or git or reads workspace files.
//!
//! `cargo` runs `cargo locate-project`, `cargo metadata` and `cargo update` and reads saved
//! metadata; `lockfile` builds the graph from Cargo.lock and the workspace's manifests; `vcs`
//! asks git about uncommitted changes and the repository's top level.

pub mod cargo;
pub mod lockfile;
pub mod vcs;

pub use cargo::{CargoOptions, Input};
