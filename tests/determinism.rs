//! Output is identical across runs: every process gets new hash seeds (the seeded hashers
//! behind the metadata reader's and the lockfile reader's maps), so two runs on the same large
//! synthetic workspace must print the same bytes, in both input modes; and a run on one core
//! (the metadata read and the versions explained on one thread, not two) prints them too.

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
        // On one core the metadata and the versions are read and explained on one thread.
        let one_core = one_core_run(dir.path(), &args);
        assert!(
            a.stdout().as_bytes() == one_core.as_slice(),
            "{args:?}: one core and two differ"
        );
    }
}

/// The tool's stdout when the process may use one core only (`taskset -c 0`, which the
/// standard library's `available_parallelism` honours).
fn one_core_run(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("taskset")
        .arg("-c")
        .arg("0")
        .arg(env!("CARGO_BIN_EXE_cargo-etcd-deps"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_HOME", dir)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("taskset (util-linux) runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
