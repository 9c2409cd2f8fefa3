//! Cargo.toml manifests: where each dependency is declared (`spans`).

pub mod spans;
