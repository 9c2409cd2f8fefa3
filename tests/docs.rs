//! Every `cargo etcd-deps` command in docs/ci.md runs, in order, on an example workspace, and
//! gives an answer (exit 0 or 1, never an input or internal error).

mod common;

use common::Fixture;

#[test]
fn every_command_in_the_ci_guide_runs() {
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci.md"),
    )
    .expect("docs/ci.md");
    let commands: Vec<Vec<String>> = guide
        .lines()
        .map(str::trim)
        .map(|l| l.strip_prefix("- run: ").unwrap_or(l))
        .filter_map(|l| l.strip_prefix("cargo etcd-deps "))
        .map(|rest| rest.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert!(commands.len() >= 6, "{commands:?}");

    let fixture = Fixture::new("two-lines");
    for args in &commands {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.push("--offline");
        // The guide applies fixes with version control; the fixture copy has none.
        if args.contains(&"--apply") {
            args.push("--allow-dirty");
        }
        let run = fixture.run(&args);
        assert!(
            run.code() == 0 || run.code() == 1,
            "`cargo etcd-deps {}` exited {}:\n{}",
            args.join(" "),
            run.code(),
            run.stderr()
        );
    }
    // The commands wrote what the guide says they write.
    for file in [
        "etcd-deps.sarif",
        "etcd-deps-plan.md",
        "etcd-deps-baseline.json",
    ] {
        assert!(fixture.root.join(file).is_file(), "{file}");
    }
}
