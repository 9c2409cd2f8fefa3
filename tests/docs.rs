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
    let (scans, commands): (Vec<Vec<String>>, Vec<Vec<String>>) = commands
        .into_iter()
        .partition(|c| c.first().is_some_and(|w| w == "scan"));
    assert!(commands.len() >= 6, "{commands:?}");
    assert!(scans.len() >= 3, "{scans:?}");
    fleet_scans(&scans);

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

/// The fleet commands run on the fixture fleet, named `services`, beside the shared policy:
/// the matrix commands once per shard, then the merges.
fn fleet_scans(scans: &[Vec<String>]) {
    let fleet = Fixture::fleet();
    let dir = fleet.tmp.path();
    std::fs::rename(&fleet.root, dir.join("services")).expect("rename");
    std::fs::copy(
        dir.join("services/etcd-policy.toml"),
        dir.join("etcd-policy.toml"),
    )
    .expect("policy");
    for args in scans {
        let line = args.join(" ");
        let shards: Vec<String> = if line.contains("${{ matrix.shard }}") {
            (1..=4).map(|i| i.to_string()).collect()
        } else {
            vec![String::new()]
        };
        for shard in shards {
            let line = line.replace("${{ matrix.shard }}", &shard);
            let args: Vec<&str> = line.split_whitespace().collect();
            let output = args
                .iter()
                .position(|a| *a == "--output")
                .map(|i| dir.join(args[i + 1]));
            if let Some(o) = &output {
                let _ = std::fs::remove_file(o);
            }
            // A fixed day, so the policy window does not move under the test.
            let run = common::run_tool_with_env(
                dir,
                &fleet.cargo_home,
                &args,
                &[("SOURCE_DATE_EPOCH", "1796083200")],
            );
            // The fleet holds an unreadable workspace: its shard and the merges exit 2 after
            // reporting every workspace. A command that cannot answer reports nothing.
            let reported = output.map_or(!run.stdout().is_empty(), |o| o.is_file());
            assert!(
                (0..=2).contains(&run.code()) && reported,
                "`cargo etcd-deps {line}` exited {}:\n{}",
                run.code(),
                run.stderr()
            );
        }
    }
    for file in ["shard-1.json", "shard-4.json", "fleet.html"] {
        assert!(dir.join(file).is_file(), "{file}");
    }
}
