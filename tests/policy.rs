//! Version policy with dated windows end to end: the `orders` service of the fixture fleet
//! resolves etcd-client 0.12.4, outside the fleet policy `>=0.14` (warn from 2026-12-01, deny
//! from 2027-06-01). Each window is checked on both sides of its date, in every format.

mod common;

use common::{Fixture, Run, codes, finding};

const POLICY: &str = "../etcd-policy.toml";

fn orders(args: &[&str], env: &[(&str, &str)]) -> (Fixture, Run) {
    let fleet = Fixture::fleet();
    let run = common::run_tool_with_env(&fleet.root.join("orders"), &fleet.cargo_home, args, env);
    (fleet, run)
}

fn policy_level(today: &str) -> (i32, String, serde_json::Value) {
    let (_f, run) = orders(
        &[
            "--lockfile",
            "--policy",
            POLICY,
            "--today",
            today,
            "--format",
            "json",
        ],
        &[],
    );
    let report = run.json();
    let f = finding(&report, "outside-policy", "etcd-client").clone();
    (
        run.code(),
        f["level"].as_str().expect("level").to_owned(),
        f,
    )
}

#[test]
fn each_window_holds_on_both_sides_of_its_date() {
    let (code, level, f) = policy_level("2026-11-30");
    assert_eq!((code, level.as_str()), (0, "note"));
    assert_eq!(f["policy"]["days_left"], 183);
    let (code, level, _) = policy_level("2026-12-01");
    assert_eq!((code, level.as_str()), (0, "warning"));
    let (code, level, f) = policy_level("2027-05-31");
    assert_eq!((code, level.as_str()), (0, "warning"));
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .ends_with("it becomes an error on 2027-06-01, in 1 day"),
        "{f:#}"
    );
    let (code, level, f) = policy_level("2027-06-01");
    assert_eq!((code, level.as_str()), (1, "error"));
    assert_eq!(f["policy"]["days_left"], 0);
    assert_eq!(
        f["message"],
        "etcd-client 0.12.4 is outside the policy `>=0.14` (etcd 3.6 requires client \
         certificates); an error since 2027-06-01"
    );
    // Origins and paths as for every finding.
    let v = common::version(&f, "0.12.4");
    assert_eq!(
        common::origins(v),
        vec![(
            "orders".to_owned(),
            "etcd-client".to_owned(),
            "Cargo.toml".to_owned(),
            "dependencies".to_owned(),
            9
        )]
    );
    assert_eq!(common::paths(v), vec!["orders@0.1.0 > etcd-client@0.12.4"]);
}

#[test]
fn source_date_epoch_fixes_the_day_when_today_is_not_given() {
    // 2027-06-01T00:00:00Z and one second before it.
    for (epoch, code, level) in [("1811807999", 0, "warning"), ("1811808000", 1, "error")] {
        let (_f, run) = orders(
            &["--lockfile", "--policy", POLICY, "--format", "json"],
            &[("SOURCE_DATE_EPOCH", epoch)],
        );
        run.expect_code(code);
        let report = run.json();
        assert_eq!(
            finding(&report, "outside-policy", "etcd-client")["level"],
            level
        );
    }
    let (_f, run) = orders(
        &["--lockfile", "--policy", POLICY],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    run.expect_code(2);
    assert!(
        run.stderr().contains("SOURCE_DATE_EPOCH"),
        "{}",
        run.stderr()
    );
    assert!(run.stdout().is_empty());
}

fn with_config(config: &str, args: &[&str]) -> Run {
    let fleet = Fixture::fleet();
    let dir = fleet.root.join("orders");
    std::fs::write(dir.join("etcd-deps.toml"), config).expect("write config");
    let mut all = vec!["--lockfile", "--today", "2026-12-15"];
    all.extend_from_slice(args);
    fleet.run_in(&dir, &all, None)
}

#[test]
fn a_rule_without_dates_is_an_error_now_and_the_workspace_config_is_read() {
    let run = with_config(
        "policy = [{ crate = \"etcd-client\", versions = \"^0.17\", reason = \"one line for all\" }]\n",
        &["--format", "json"],
    );
    run.expect_code(1);
    let report = run.json();
    let f = finding(&report, "outside-policy", "etcd-client");
    assert_eq!(f["level"], "error");
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .ends_with("an error now: the rule has no dates")
    );
    assert_eq!(f["policy"]["rule"], "etcd-deps.toml:1");
    // A version inside the rule: nothing to report.
    let run = with_config(
        "policy = [{ crate = \"etcd-client\", versions = \"^0.12\", reason = \"pinned\" }]\n",
        &["--format", "json"],
    );
    run.expect_code(0);
    assert!(codes(&run.json()).is_empty());
    // `policy-file` in the configuration names the shared file.
    let run = with_config(
        "policy-file = \"../etcd-policy.toml\"\n",
        &["--format", "json"],
    );
    run.expect_code(0);
    assert_eq!(
        finding(&run.json(), "outside-policy", "etcd-client")["level"],
        "warning"
    );
}

#[test]
fn bad_rules_are_configuration_errors_at_their_line() {
    let cases = [
        (
            "policy = [\n  { crate = \"etcd-clent\", versions = \">=0.14\", reason = \"r\" },\n]\n",
            "the policy names `etcd-clent`, which is not a watched crate",
            "did you mean `etcd-client`?",
        ),
        (
            "policy = [\n  { crate = \"etcd-client\", versions = \">=0.14.x.y\", reason = \"r\" },\n]\n",
            "`>=0.14.x.y` is not a version requirement",
            "etcd-deps.toml:2",
        ),
        (
            "policy = [\n  { crate = \"etcd-client\", versions = \">=0.14\", warn-from = \"2027-02-30\", reason = \"r\" },\n]\n",
            "`warn-from` must be a date written YYYY-MM-DD",
            "etcd-deps.toml:2",
        ),
        (
            "policy = [\n  { crate = \"etcd-client\", versions = \">=0.14\", warn-from = 2027-06-01, deny-from = 2026-12-01, reason = \"r\" },\n]\n",
            "`deny-from` (2026-12-01) is before `warn-from` (2027-06-01)",
            "etcd-deps.toml:2",
        ),
        (
            "policy = [{ crate = \"etcd-client\", versions = \">=0.14\", deny-form = \"2027-01-01\", reason = \"r\" }]\n",
            "unknown key `deny-form` in a `policy` entry",
            "did you mean `deny-from`?",
        ),
        (
            "policy = [{ crate = \"etcd-client\", versions = \">=0.14\" }]\n",
            "a `policy` entry needs `reason`",
            "etcd-deps.toml:1",
        ),
    ];
    for (config, message, detail) in cases {
        let run = with_config(config, &[]);
        run.expect_code(2);
        let err = run.stderr();
        assert!(err.contains(message), "{config}\n{err}");
        assert!(err.contains(detail), "{config}\n{err}");
        assert!(run.stdout().is_empty());
    }
}

#[test]
fn every_format_carries_the_policy_finding() {
    let args = ["--lockfile", "--policy", POLICY, "--today", "2027-06-01"];
    let with = |format: &str| {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        let (_f, run) = orders(&a, &[]);
        run.expect_code(1);
        run.stdout()
    };
    let human = {
        let (_f, run) = orders(&args, &[]);
        run.expect_code(1);
        run.stdout()
    };
    assert!(human.contains("outside-policy"), "{human}");
    assert!(human.contains("etcd-client = \"0.12\""), "{human}");
    assert!(human.contains("rule at ../etcd-policy.toml:3"), "{human}");
    let sarif: serde_json::Value = serde_json::from_str(&with("sarif")).expect("sarif");
    let run0 = &sarif["runs"][0];
    assert!(
        run0["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .any(|r| r["id"] == "outside-policy")
    );
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "outside-policy");
    assert_eq!(result["level"], "error");
    let github = with("github");
    assert!(
        github.contains("::error file=Cargo.toml,line=9"),
        "{github}"
    );
    let markdown = with("markdown");
    assert!(markdown.contains("outside-policy"), "{markdown}");
    assert!(
        markdown.contains("etcd 3.6 requires client certificates"),
        "{markdown}"
    );
    let fleet = Fixture::fleet();
    let explain = fleet.run(&["explain", "outside-policy"]);
    explain.expect_code(0);
    assert!(explain.stdout().contains("deny-from"));
}

#[test]
fn fix_moves_a_workspace_inside_the_policy_verified() {
    let fleet = Fixture::fleet();
    let dir = fleet.root.join("orders");
    let policy = ["--policy", POLICY, "--today", "2027-06-01"];
    let with = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&policy);
        fleet.run_in(&dir, &all, None)
    };
    let plan = with(&["fix", "--offline", "--format", "json"]);
    plan.expect_code(1);
    let plan = plan.json();
    let edit = &plan["edits"][0];
    assert_eq!(
        (&edit["manifest"], &edit["key"], &edit["from"], &edit["to"]),
        (
            &"Cargo.toml".into(),
            &"etcd-client".into(),
            &"0.12".into(),
            &"0.14".into()
        )
    );
    assert_eq!(edit["finding"], "outside-policy:etcd-client");
    assert_eq!(
        edit["reason"],
        "move etcd-client from 0.12.4 to 0.14.1, the 0.14 line, the lowest inside the policy `>=0.14`; etcd-client 0.14 is a breaking release: check its changelog"
    );
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    with(&["fix", "--offline", "--apply", "--allow-dirty"]).expect_code(0);
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
    assert!(manifest.contains("etcd-client = \"0.14\""), "{manifest}");
    // The workspace is inside the policy now: the gate passes on the deny date.
    let check = with(&["check", "--lockfile", "--format", "json"]);
    check.expect_code(0);
    assert!(
        !codes(&check.json())
            .iter()
            .any(|(code, _, _)| code == "outside-policy")
    );
}

/// The same etcd-client rule as the fleet's shared file (warn from 2026-12-01, deny from
/// 2027-06-01), written in the workspace's own configuration.
const OWN_RULE: &str = "policy = [{ crate = \"etcd-client\", versions = \">=0.14\", warn-from = \
                        \"2026-12-01\", deny-from = \"2027-06-01\", reason = \"our own rule\" }]\n";

/// Where the rule comes from: the shared file (`--policy`) or the workspace's configuration.
#[derive(Clone, Copy, Debug)]
enum Source {
    Shared,
    Own,
}

/// `check --lockfile` on `orders` on `today`, with the rule from `source`, `config` added to
/// the workspace's configuration, and `args`.
fn judged(source: Source, config: &str, today: &str, args: &[&str]) -> (Fixture, Run) {
    let fleet = Fixture::fleet();
    let dir = fleet.root.join("orders");
    let mut text = config.to_owned();
    let mut all = vec!["check", "--lockfile", "--today", today];
    match source {
        Source::Shared => all.extend(["--policy", POLICY]),
        Source::Own => text.push_str(OWN_RULE),
    }
    std::fs::write(dir.join("etcd-deps.toml"), text).expect("write config");
    all.extend_from_slice(args);
    let run = fleet.run_in(&dir, &all, None);
    (fleet, run)
}

/// The message of the outside-policy finding, or `None` when the report has none.
fn policy_message(report: &serde_json::Value) -> Option<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "outside-policy")
        .map(|f| {
            (
                f["level"].as_str().expect("level").to_owned(),
                f["message"].as_str().expect("message").to_owned(),
            )
        })
}

#[test]
fn a_baseline_excuses_a_policy_finding_only_until_its_deny_date() {
    for source in [Source::Shared, Source::Own] {
        // Written inside the warning window: the finding is recorded.
        let (fleet, run) = judged(
            source,
            "",
            "2026-12-15",
            &["--write-baseline", "baseline.json"],
        );
        run.expect_code(0);
        let dir = fleet.root.join("orders");
        let baseline = std::fs::read_to_string(dir.join("baseline.json")).expect("baseline");
        assert!(baseline.contains("outside-policy"), "{baseline}");
        for (today, code, level) in [
            ("2026-12-15", 0, None),
            ("2027-05-31", 0, None),
            ("2027-06-01", 1, Some("error")),
            ("2027-09-01", 1, Some("error")),
        ] {
            let mut all = vec!["check", "--lockfile", "--today", today];
            if let Source::Shared = source {
                all.extend(["--policy", POLICY]);
            }
            all.extend(["--baseline", "baseline.json", "--format", "json"]);
            let run = fleet.run_in(&dir, &all, None);
            run.expect_code(code);
            let report = run.json();
            let found = policy_message(&report);
            assert_eq!(
                found.as_ref().map(|(l, _)| l.as_str()),
                level,
                "{source:?} {today}: {report:#}"
            );
            let b = &report["baseline"];
            if let Some((_, message)) = found {
                assert!(
                    message.ends_with(
                        "the baseline excuses this finding, but the policy's deny-from \
                         2027-06-01 has passed"
                    ),
                    "{source:?} {today}: {message}"
                );
                let overruled = &report["overruled"][0];
                assert_eq!(overruled["code"], "outside-policy", "{report:#}");
                assert_eq!(overruled["setting"], "baseline baseline.json");
                // The entry still matches a finding: it is neither excusing nor fixed.
                assert_eq!(b["matched"], serde_json::json!([]), "{report:#}");
                assert_eq!(b["fixed"], serde_json::json!([]), "{report:#}");
            } else {
                assert_eq!(b["matched"][0]["code"], "outside-policy", "{report:#}");
                assert!(report.get("overruled").is_none(), "{report:#}");
            }
        }
    }
}

#[test]
fn local_levels_and_allow_entries_cannot_lower_a_shared_or_passed_rule() {
    let allow_entry = "allow = [{ crate = \"etcd-client\", versions = [\"^0.12\"], code = \
                       \"outside-policy\", reason = \"later\" }]\n";
    // (rule source, configuration, day, exit code, level left, what the report says)
    type Case<'a> = (
        Source,
        &'a str,
        &'a str,
        i32,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: &[Case<'_>] = &[
        // The shared file's rules are not the workspace's to lower: not inside the window…
        (
            Source::Shared,
            "levels = { outside-policy = \"allow\" }\n",
            "2026-12-15",
            0,
            Some("warning"),
            Some(
                "`levels.outside-policy = \"allow\"` would allow this finding, but a \
                 workspace's settings do not lower the shared policy (rule at \
                 ../etcd-policy.toml:3)",
            ),
        ),
        (
            Source::Shared,
            allow_entry,
            "2026-12-15",
            0,
            Some("warning"),
            Some("the allow entry at etcd-deps.toml:1 would allow etcd-client 0.12.4"),
        ),
        // …nor after its deny date.
        (
            Source::Shared,
            "levels = { outside-policy = \"allow\" }\n",
            "2027-06-01",
            1,
            Some("error"),
            Some(
                "`levels.outside-policy = \"allow\"` would allow this finding, but the \
                 policy's deny-from 2027-06-01 has passed",
            ),
        ),
        (
            Source::Shared,
            "levels = { outside-policy = \"warn\" }\n",
            "2027-06-01",
            1,
            Some("error"),
            Some(
                "`levels.outside-policy = \"warn\"` would make this finding a warning, but \
                 the policy's deny-from 2027-06-01 has passed",
            ),
        ),
        // A stricter local level applies.
        (
            Source::Shared,
            "levels = { outside-policy = \"deny\" }\n",
            "2026-12-15",
            1,
            Some("error"),
            None,
        ),
        // The workspace's own rule is its own inside the window…
        (
            Source::Own,
            "levels = { outside-policy = \"allow\" }\n",
            "2026-12-15",
            0,
            None,
            None,
        ),
        (Source::Own, allow_entry, "2026-12-15", 0, None, None),
        // …but not after its deny date.
        (
            Source::Own,
            "levels = { outside-policy = \"allow\" }\n",
            "2027-06-01",
            1,
            Some("error"),
            Some("but the policy's deny-from 2027-06-01 has passed"),
        ),
        (
            Source::Own,
            allow_entry,
            "2027-06-01",
            1,
            Some("error"),
            Some(
                "the allow entry at etcd-deps.toml:1 would allow etcd-client 0.12.4, but the \
                 policy's deny-from 2027-06-01 has passed",
            ),
        ),
    ];
    for (source, config, today, code, level, says) in cases {
        let (_f, run) = judged(*source, config, today, &["--format", "json"]);
        let context = format!("{source:?} {config:?} {today}");
        assert_eq!(run.code(), *code, "{context}\n{}", run.stdout());
        let report = run.json();
        let found = policy_message(&report);
        assert_eq!(
            found.as_ref().map(|(l, _)| l.as_str()),
            *level,
            "{context}: {report:#}"
        );
        match says {
            Some(says) => {
                let (_, message) = found.expect("finding");
                assert!(message.contains(says), "{context}: {message}");
                let overruled = report["overruled"].as_array().expect("overruled");
                assert_eq!(overruled.len(), 1, "{context}: {report:#}");
                assert!(
                    overruled[0]["message"]
                        .as_str()
                        .expect("message")
                        .contains(says),
                    "{context}: {report:#}"
                );
                // An allow entry that was overruled did match: it is not unused.
                assert!(
                    !codes(&report).iter().any(|(c, _, _)| c == "unused-allow"),
                    "{context}: {report:#}"
                );
            }
            None => assert!(report.get("overruled").is_none(), "{context}: {report:#}"),
        }
    }
}

/// `fix --format json` in `fixture` with `args`: the plan, and the exit code asserted.
fn plan_json(fixture: &Fixture, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec!["fix", "--offline", "--format", "json"];
    all.extend_from_slice(args);
    let run = fixture.run(&all);
    run.expect_code(code);
    run.json()
}

/// The locked version of `krate` in the fixture's Cargo.lock.
fn locked(fixture: &Fixture, krate: &str) -> Vec<String> {
    let lock = std::fs::read_to_string(fixture.root.join("Cargo.lock")).expect("lock");
    let mut found = Vec::new();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == format!("name = \"{krate}\"") {
            let v = lines.next().expect("version line");
            found.push(
                v.trim_start_matches("version = ")
                    .trim_matches('"')
                    .to_owned(),
            );
        }
    }
    found
}

/// `policy-floor`: `etcd-client = "0.14"` locked at 0.14.0, a rule `>=0.14.1` (an error now).
/// The bound lies inside the line: the fix is a lock-only move, planned, verified and applied
/// like any other, after which the gate passes. A requirement pinned with `=` is moved within
/// the line, with no word of a breaking release.
#[test]
fn a_bound_inside_a_line_is_fixed_by_moving_the_lock() {
    let fixture = Fixture::new("policy-floor");
    let check = fixture.run(&["check", "--offline", "--format", "json"]);
    check.expect_code(1);
    assert_eq!(
        finding(&check.json(), "outside-policy", "etcd-client")["level"],
        "error"
    );
    let manifest = std::fs::read_to_string(fixture.root.join("Cargo.toml")).expect("manifest");
    let plan = plan_json(&fixture, &[], 1);
    assert_eq!(plan["edits"], serde_json::json!([]), "{plan:#}");
    assert_eq!(
        plan["commands"],
        serde_json::json!([[
            "cargo",
            "update",
            "-p",
            "etcd-client@0.14.0",
            "--precise",
            "0.14.1"
        ]]),
        "{plan:#}"
    );
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    assert_eq!(
        locked(&fixture, "etcd-client"),
        ["0.14.0"],
        "a plan writes nothing"
    );
    let applied = fixture.run(&["fix", "--offline", "--apply", "--allow-dirty"]);
    applied.expect_code(0);
    assert_eq!(locked(&fixture, "etcd-client"), ["0.14.1"]);
    assert_eq!(
        std::fs::read_to_string(fixture.root.join("Cargo.toml")).expect("manifest"),
        manifest,
        "a lock-only move leaves the manifest alone"
    );
    let check = fixture.run(&["check", "--offline", "--format", "json"]);
    check.expect_code(0);
    assert!(
        !codes(&check.json())
            .iter()
            .any(|(code, _, _)| code == "outside-policy")
    );
    let again = fixture.run(&["fix", "--offline"]);
    again.expect_code(0);
    assert!(
        again.stdout().contains("nothing to fix"),
        "{}",
        again.stdout()
    );

    // The same with the requirement pinned to 0.14.0: its own key moves to 0.14.1.
    let fixture = Fixture::new("policy-floor");
    let path = fixture.root.join("Cargo.toml");
    let pinned = manifest.replace("etcd-client = \"0.14\"", "etcd-client = \"=0.14.0\"");
    std::fs::write(&path, &pinned).expect("write manifest");
    let plan = plan_json(&fixture, &[], 1);
    let edit = &plan["edits"][0];
    assert_eq!(
        (&edit["from"], &edit["to"]),
        (&"=0.14.0".into(), &"=0.14.1".into())
    );
    assert_eq!(
        edit["reason"],
        "move etcd-client from 0.14.0 to 0.14.1, the 0.14 line, the lowest inside the policy \
         `>=0.14.1`",
        "{plan:#}"
    );
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    fixture
        .run(&["fix", "--offline", "--apply", "--allow-dirty"])
        .expect_code(0);
    fixture.run(&["check", "--offline"]).expect_code(0);
}

/// `transitive`: acme-platform 1.4 brings etcd-client 0.11; only acme-platform 2.0 moves it,
/// to 0.14. A line `fix` suggests for an outside-policy finding lies inside the rule, or the
/// message says no line inside it plans it; `--to` a line outside the rule is refused. With a
/// rule 0.14 meets, the plan's own move of acme-platform (for the tonic split) lands inside
/// it: the proof shows the finding gone, and nothing is left to suggest.
#[test]
fn a_suggested_line_lies_inside_the_rule() {
    let fixture = Fixture::new("transitive");
    std::fs::write(
        fixture.root.join("etcd-deps.toml"),
        "policy = [{ crate = \"etcd-client\", versions = \">=0.13\", reason = \"r\" }]\n",
    )
    .expect("write config");
    let plan = plan_json(&fixture, &[], 1);
    assert_eq!(plan["unfixable"], serde_json::json!([]), "{plan:#}");
    assert_eq!(plan["verification"]["verified"], true, "{plan:#}");
    // (rule, extra arguments, what the outside-policy finding's message says)
    let cases = [
        (
            ">=0.15",
            &[][..],
            "No other line of etcd-client inside the policy `>=0.15` plans it",
        ),
        (
            ">=0.13",
            &["--to", "etcd-client@0.12"][..],
            "--to etcd-client@0.12 is outside the policy `>=0.13`: no usable release of \
             etcd-client on the 0.12 line matches it",
        ),
    ];
    for (rule, args, says) in cases {
        let fixture = Fixture::new("transitive");
        std::fs::write(
            fixture.root.join("etcd-deps.toml"),
            format!(
                "policy = [{{ crate = \"etcd-client\", versions = \"{rule}\", reason = \"r\" }}]\n"
            ),
        )
        .expect("write config");
        let plan = plan_json(&fixture, args, 1);
        let req = semver::VersionReq::parse(rule).expect("rule");
        let messages: Vec<&str> = plan["unfixable"]
            .as_array()
            .expect("unfixable")
            .iter()
            .filter(|u| u["finding"] == "outside-policy:etcd-client")
            .map(|u| u["message"].as_str().expect("message"))
            .collect();
        assert!(
            messages.iter().any(|m| m.contains(says)),
            "{rule} {args:?}: {messages:#?}"
        );
        // Every line suggested has a release inside the rule.
        for m in &messages {
            if let Some(at) = m.find("another line: --to etcd-client@") {
                let line = m[at + "another line: --to etcd-client@".len()..]
                    .split(' ')
                    .next()
                    .expect("line");
                let lowest = semver::Version::parse(&format!("{line}.0")).expect("version");
                let newest = semver::Version::parse(&format!("{line}.99")).expect("version");
                assert!(
                    req.matches(&lowest) || req.matches(&newest),
                    "{rule}: suggested {line}: {m}"
                );
            }
        }
    }
}
