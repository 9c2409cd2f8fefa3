//! Cargo.toml manifests: where each dependency is declared (`spans`), and the edits that
//! change them (`edit`, the only writer).

pub mod edit;
pub mod spans;
