//! Cargo.toml manifests: where each dependency is declared (`spans`), and the edits that
//! change them (`edit`), and
//! the transaction that writes them (`write`, the only writer).

pub mod edit;
pub mod spans;
pub mod write;
