//! Output is identical across runs: every process gets new hash seeds (std's RandomState
//! behind the metadata reader's and the lockfile reader's maps), so two runs on the same large synthetic workspace must print the same
//! bytes, in both input modes.

mod common;
#[path = "support/synth.rs"]
mod synth;

use synth::Builder;

#[test]
fn two_runs_print_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let synth = Builder::synthetic(3_000);
    let metadata = dir.path().join("metadata.json");
    std::fs::write(&metadata, synth.metadata_json()).expect("write");
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(&lock, synth.cargo_lock()).expect("write");
    let m = metadata.to_str().expect("utf-8");
    let lockfile = format!("--lockfile={}", lock.to_str().expect("utf-8"));
    for args in [
        vec![
            "check",
            "--format",
            "json",
            "--all-duplicates",
            "--metadata-path",
            m,
        ],
        vec!["check", "--format", "json", "--all-duplicates", &lockfile],
        vec!["check", "--graph", "dot", "--metadata-path", m],
    ] {
        let a = common::run_tool(dir.path(), dir.path(), &args, None);
        let b = common::run_tool(dir.path(), dir.path(), &args, None);
        assert_eq!(a.code(), 1, "{}", a.stderr());
        assert!(a.stdout() == b.stdout(), "{args:?}: two runs differ");
    }
}
