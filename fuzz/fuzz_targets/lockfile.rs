//! Any bytes as a Cargo.lock read alone: an error or a graph, never a panic; a graph is
//! analysed.
#![no_main]

use std::path::Path;

use cargo_etcd_deps::analysis::{Options, analyze};
use cargo_etcd_deps::manifest::spans::SpanIndex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(graph) = cargo_etcd_deps::input::lockfile::graph(
        Path::new("Cargo.lock"),
        text,
        Default::default(),
        Path::new("/fuzz"),
    ) {
        let _ = analyze(&graph, &SpanIndex::default(), &Options::default());
    }
});
