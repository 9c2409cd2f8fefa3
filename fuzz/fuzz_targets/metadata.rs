//! Any bytes as `cargo metadata` JSON: an error or a graph, never a panic; a graph is analysed.
#![no_main]

use cargo_etcd_deps::analysis::{Options, analyze};
use cargo_etcd_deps::graph::DepGraph;
use cargo_etcd_deps::manifest::spans::SpanIndex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(graph) = DepGraph::from_metadata_json(text, "fuzz") {
        let _ = analyze(&graph, &SpanIndex::default(), &Options::default());
    }
});
