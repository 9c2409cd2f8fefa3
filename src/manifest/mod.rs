//! Cargo.toml manifests: the document type and its one dependency-table walker
//! (`document`), where each dependency is declared (`spans`), the edits that change them
//! (`edit`), and the transaction that writes them (`write`, the only writer).

pub mod document;
pub mod edit;
pub mod spans;
pub mod write;
