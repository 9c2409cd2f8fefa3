//! Benchmarks of the pipeline, stage by stage, on synthetic workspaces (made by
//! `tests/support/synth.rs`); and `check` end to end beside cargo's own commands on a
//! fixture. One measurement per process, so peak memory (VmHWM) belongs to that measurement. `benches/run.sh` runs them all and writes
//! BENCHMARKS.md; the targets are checked there, never in timed tests.
//!
//! Usage (from `cargo bench --bench pipeline -- …`, or the built binary):
//!   metadata N    stages on N synthetic packages from `cargo metadata` JSON
//!   lockfile N    stages on N synthetic packages from Cargo.lock alone
//!   workspace N DIR  writes a synthetic workspace of about N packages under DIR (members,
//!                 and the registry packages as a vendored directory source), and resolves it
//!                 offline with `cargo generate-lockfile`
//!   e2e DIR BIN   `check` end to end vs cargo metadata / cargo tree -d / cargo deny, in DIR
//!   corpus DIR BIN  `check --lockfile` on each case of DIR (testdata/corpus), median per case,
//!                 with this machine's cargo home and with an empty one
//!   graph FILE    saved `cargo metadata` JSON into the graph, median of 21 (and the bare
//!                 `serde_json` parse, for scale)
//!   fleet N P DIR `scan` over N synthetic workspaces of about P packages each, written
//!                 under DIR (Cargo.lock files, hard links to a few distinct ones), on 2 jobs
//!
//! Each prints one JSON line of results.

// A bench binary reports on stdout and stderr; the print lints guard the library.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::time::{Duration, Instant};

use cargo_etcd_deps::ScanRequest;
use cargo_etcd_deps::analysis::{Options, analyze};
use cargo_etcd_deps::graph::DepGraph;
use cargo_etcd_deps::input::Input;
use cargo_etcd_deps::manifest::spans::SpanIndex;
use cargo_etcd_deps::plan::{self, PlanOptions};
use cargo_etcd_deps::policy;
use cargo_etcd_deps::registry::{Registry, RegistryError, Release, Releases};
use cargo_etcd_deps::report::Report;
use cargo_etcd_deps::{CheckFormat, CheckRequest, Command, Request, ScanFormat};

#[path = "../tests/support/registry.rs"]
mod memory_registry;
#[path = "../tests/support/synth.rs"]
mod synth;

use memory_registry::MemoryRegistry;
use synth::Builder;

// The same allocator as the binary, so the stages cost what they cost in `check`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident set size of this process, in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Analysis, planning and the JSON report, shared by both input modes.
fn downstream(graph: &DepGraph) -> (usize, Duration, Duration, Duration) {
    let (findings, analysis) = time(|| analyze(graph, &SpanIndex::default(), &Options::default()));
    let count = findings.len();
    let ws = plan::Workspace {
        root_manifest: graph.workspace_root().join("Cargo.toml"),
        root_manifest_rel: "Cargo.toml".to_owned(),
        root: graph.workspace_root().to_owned(),
        crates_io_patch: None,
        declared: Default::default(),
    };
    let (_, planning) = time(|| {
        plan::plan(
            &findings,
            &MemoryRegistry::default(),
            &ws,
            &PlanOptions::default(),
        )
        .expect("in-memory registry")
    });
    let (_, report) = time(|| {
        let outcome = policy::apply(
            graph,
            &SpanIndex::default(),
            &Default::default(),
            findings,
            &Default::default(),
            Default::default(),
        );
        let report = Report::new(outcome);
        serde_json::to_vec(&report).expect("serialisable").len()
    });
    (count, analysis, planning, report)
}

fn metadata(n: usize) {
    let synth = Builder::synthetic(n);
    let json = synth.metadata_json();
    let (_, parse) = time(|| serde_json::from_str::<serde_json::Value>(&json).expect("json"));
    let (graph, build) =
        time(|| DepGraph::from_metadata_json(&json, "synthetic").expect("metadata"));
    let (findings, analysis, planning, report) = downstream(&graph);
    let total = build + analysis + planning + report;
    println!(
        "{{\"mode\":\"metadata\",\"packages\":{},\"bytes\":{},\"json_parse_ms\":{:.1},\"graph_build_ms\":{:.1},\"analysis_ms\":{:.1},\"planning_ms\":{:.1},\"report_ms\":{:.1},\"total_ms\":{:.1},\"ratio_to_json_parse\":{:.2},\"peak_mib\":{:.0},\"findings\":{findings}}}",
        synth.package_count(),
        json.len(),
        ms(parse),
        ms(build),
        ms(analysis),
        ms(planning),
        ms(report),
        ms(total),
        ms(total) / ms(parse),
        peak_mib()
    );
}

fn graph_from_file(path: &Path) {
    let json = std::fs::read_to_string(path).expect("read the metadata");
    let parse = median(21, || {
        Some(ms(time(|| {
            serde_json::from_str::<serde_json::Value>(&json).expect("json")
        })
        .1))
    })
    .expect("timed");
    let build = median(21, || {
        Some(ms(time(|| {
            DepGraph::from_metadata_json(&json, "saved").expect("metadata")
        })
        .1))
    })
    .expect("timed");
    let graph = DepGraph::from_metadata_json(&json, "saved").expect("metadata");
    println!(
        "{{\"mode\":\"graph\",\"packages\":{},\"edges\":{},\"bytes\":{},\"json_value_ms\":{parse:.1},\"graph_build_ms\":{build:.1}}}",
        graph.node_count(),
        graph.edge_count(),
        json.len()
    );
}

fn lockfile(n: usize) {
    let synth = Builder::synthetic(n);
    let text = synth.cargo_lock();
    let (_, parse) = time(|| toml::from_str::<toml::Value>(&text).expect("toml"));
    let (graph, build) = time(|| {
        cargo_etcd_deps::input::lockfile::graph(
            Path::new("Cargo.lock"),
            &text,
            Default::default(),
            Path::new("/synth"),
        )
        .expect("lockfile")
    });
    let (findings, analysis, planning, report) = downstream(&graph);
    // `check --lockfile` does not plan (`fix` needs cargo): planning is reported, not summed.
    let total = build + analysis + report;
    println!(
        "{{\"mode\":\"lockfile\",\"packages\":{},\"bytes\":{},\"toml_parse_ms\":{:.1},\"graph_build_ms\":{:.1},\"analysis_ms\":{:.1},\"planning_ms\":{:.1},\"report_ms\":{:.1},\"total_ms\":{:.1},\"peak_mib\":{:.0},\"findings\":{findings}}}",
        synth.package_count(),
        text.len(),
        ms(parse),
        ms(build),
        ms(analysis),
        ms(planning),
        ms(report),
        ms(total),
        peak_mib()
    );
}

/// One timed run of a command in `dir`, in milliseconds; `None` if it could not run (exit
/// codes 0 and 1 are answers: `check` exits 1 when the gate fails).
fn once(dir: &Path, program: &str, args: &[&str]) -> Option<f64> {
    let start = Instant::now();
    let status = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if status.code().is_none_or(|c| c > 1) {
        return None;
    }
    Some(ms(start.elapsed()))
}

/// The `[[package]]` entries of `dir`'s Cargo.lock.
fn locked_packages(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("Cargo.lock"))
        .map(|t| t.lines().filter(|l| l.trim() == "[[package]]").count())
        .unwrap_or(0)
}

fn workspace(n: usize, dir: &Path) {
    let synth = Builder::synthetic(n);
    synth.write_to(dir).expect("write the workspace");
    let (status, resolve) = time(|| {
        std::process::Command::new("cargo")
            .args(["generate-lockfile", "--offline"])
            .current_dir(dir)
            .status()
            .expect("cargo runs")
    });
    assert!(
        status.success(),
        "cargo generate-lockfile failed in {}",
        dir.display()
    );
    println!(
        "{{\"mode\":\"workspace\",\"synthetic\":{},\"packages\":{},\"resolve_ms\":{:.0}}}",
        synth.package_count(),
        locked_packages(dir),
        ms(resolve)
    );
}

/// The median of `runs` timed runs (after one warm-up), or `None` if a run failed.
fn median(runs: usize, mut one: impl FnMut() -> Option<f64>) -> Option<f64> {
    one()?;
    let mut times = (0..runs).map(|_| one()).collect::<Option<Vec<f64>>>()?;
    times.sort_by(|a, b| a.total_cmp(b));
    Some(times[times.len() / 2])
}

/// `check --lockfile --format json` on every corpus case (a directory with a Cargo.lock),
/// with no cargo reachable, as the corpus tests run it: the median of 11 runs per case.
fn corpus(dir: &Path, bin: &str) {
    let mut cases: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.lock").is_file())
        .collect();
    cases.sort();
    let empty_home = std::env::temp_dir().join("pipeline-empty-cargo-home");
    std::fs::create_dir_all(&empty_home).expect("an empty cargo home");
    let mut fields = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        // As this machine is (cargo's local index cache, whatever it holds), then with an
        // empty CARGO_HOME: no registry facts beyond Cargo.lock and the manifests.
        let timed = |home: Option<&Path>| {
            median(11, || {
                let mut cmd = std::process::Command::new(bin);
                cmd.args(["check", "--lockfile", "--format", "json"])
                    .current_dir(case)
                    .env("CARGO", "/nonexistent/cargo")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                if let Some(home) = home {
                    cmd.env("CARGO_HOME", home);
                }
                let start = Instant::now();
                let status = cmd.status().ok()?;
                // 0 and 1 are answers; 2 is the refused out-of-date lockfile, also timed.
                status.code().filter(|&c| c <= 2)?;
                Some(ms(start.elapsed()))
            })
        };
        let show = |t: Option<f64>| t.map_or("null".to_owned(), |t| format!("{t:.1}"));
        fields.push(format!(
            "{{\"case\":\"{name}\",\"packages\":{},\"ms\":{},\"empty_home_ms\":{}}}",
            locked_packages(case),
            show(timed(None)),
            show(timed(Some(&empty_home)))
        ));
    }
    println!("{{\"mode\":\"corpus\",\"cases\":[{}]}}", fields.join(","));
}

fn e2e(dir: &Path, bin: &str) {
    let runs = 21;
    let commands: [(&str, &str, &[&str]); 6] = [
        (
            "cargo_metadata_ms",
            "cargo",
            &["metadata", "--format-version", "1", "--offline"],
        ),
        ("check_ms", bin, &["check", "--offline", "--format", "json"]),
        (
            "check_lockfile_ms",
            bin,
            &["check", "--lockfile", "--format", "json"],
        ),
        ("cargo_tree_d_ms", "cargo", &["tree", "-d", "--offline"]),
        (
            "cargo_deny_bans_ms",
            "cargo",
            &["deny", "--offline", "check", "bans"],
        ),
        (
            "check_cargo_metadata_ms",
            bin,
            &["check", "--offline", "--cargo-metadata", "--format", "json"],
        ),
    ];
    // Warm cargo's caches, then interleave the commands run by run, so that the machine's
    // drift affects them alike; report medians.
    for (_, program, args) in &commands {
        let _ = once(dir, program, args);
    }
    let mut times: Vec<Option<Vec<f64>>> = vec![Some(Vec::new()); commands.len()];
    for _ in 0..runs {
        for (i, (_, program, args)) in commands.iter().enumerate() {
            if let Some(list) = &mut times[i] {
                match once(dir, program, args) {
                    Some(t) => list.push(t),
                    None => times[i] = None,
                }
            }
        }
    }
    let medians: Vec<Option<f64>> = times
        .into_iter()
        .map(|t| {
            t.map(|mut v| {
                v.sort_by(|a, b| a.total_cmp(b));
                v[v.len() / 2]
            })
        })
        .collect();
    let show = |v: Option<f64>| v.map_or("null".to_owned(), |v| format!("{v:.1}"));
    let ratio = |v: Option<f64>| match (v, medians[0]) {
        (Some(v), Some(m)) => format!("{:.2}", v / m),
        _ => "null".to_owned(),
    };
    let mut fields = vec![
        "\"mode\":\"e2e\"".to_owned(),
        format!("\"dir\":\"{}\"", dir.display()),
        format!("\"runs\":{runs}"),
        format!("\"packages\":{}", locked_packages(dir)),
    ];
    for ((name, _, _), m) in commands.iter().zip(&medians) {
        fields.push(format!("\"{name}\":{}", show(*m)));
    }
    fields.push(format!("\"check_ratio\":{}", ratio(medians[1])));
    fields.push(format!("\"lockfile_ratio\":{}", ratio(medians[2])));
    fields.push(format!("\"tree_ratio\":{}", ratio(medians[3])));
    fields.push(format!("\"deny_ratio\":{}", ratio(medians[4])));
    fields.push(format!("\"cargo_check_ratio\":{}", ratio(medians[5])));
    println!("{{{}}}", fields.join(","));
}

/// Runs the tool in this process on `command` in the JSON format (with `input`, else the
/// default input), its report going nowhere; the exit code.
fn run_tool(mut command: Command, input: Option<Input>) -> i32 {
    if let Command::Check(check) = &mut command {
        check.format = CheckFormat::Json;
    }
    if let Command::Scan(scan) = &mut command {
        scan.format = ScanFormat::Json;
    }
    let mut req = Request::new(command);
    if let Some(input) = input {
        req.input = input;
    }
    cargo_etcd_deps::run(&req, &mut std::io::sink(), false)
        .expect("the tool answers")
        .exit_code
}

fn fleet(n: usize, packages: usize, dir: &Path) {
    // A few distinct workspaces, linked many times: the disk holds seven lockfiles.
    let variants: Vec<std::path::PathBuf> = (0..7)
        .map(|k| {
            let path = dir.join(format!("variant-{k}.lock"));
            std::fs::create_dir_all(dir).expect("fleet dir");
            std::fs::write(&path, Builder::synthetic(packages + k * 13).cargo_lock())
                .expect("write");
            path
        })
        .collect();
    for i in 0..n {
        let ws = dir.join(format!("team-{:02}/service-{i:05}", i % 50));
        std::fs::create_dir_all(&ws).expect("workspace dir");
        let lock = ws.join("Cargo.lock");
        if !lock.exists() {
            std::fs::hard_link(&variants[i % variants.len()], &lock).expect("link");
        }
    }
    for v in &variants {
        std::fs::remove_file(v).expect("remove variant");
    }
    let one = dir.join("team-00/service-00000");
    // One `check --lockfile` on one workspace: the per-workspace bound (best of five).
    let single = (0..5)
        .map(|_| {
            // `check --lockfile=DIR --format json`.
            let input = Input::Lockfile {
                lockfile: Some(one.clone()),
                manifest_path: None,
                targets: Vec::new(),
                feature_flags: Vec::new(),
            };
            let check = Command::Check(CheckRequest::default());
            time(|| run_tool(check, Some(input))).1
        })
        .min()
        .expect("five runs");
    // `scan DIR --jobs 2 --format json`.
    let (code, scan) = time(|| {
        let scan = Command::Scan(ScanRequest {
            paths: vec![dir.to_owned()],
            jobs: 2,
            ..ScanRequest::default()
        });
        run_tool(scan, None)
    });
    println!(
        "{{\"mode\":\"fleet\",\"workspaces\":{n},\"packages\":{},\"jobs\":2,\"scan_ms\":{:.1},\"per_workspace_ms\":{:.2},\"check_lockfile_ms\":{:.2},\"peak_mib\":{:.0},\"exit\":{code}}}",
        Builder::synthetic(packages).package_count(),
        ms(scan),
        ms(scan) / n as f64,
        ms(single),
        peak_mib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["metadata", n] => metadata(n.parse().expect("a package count")),
        ["lockfile", n] => lockfile(n.parse().expect("a package count")),
        ["workspace", n, dir] => workspace(n.parse().expect("a package count"), Path::new(dir)),
        ["e2e", dir, bin] => e2e(Path::new(dir), bin),
        ["corpus", dir, bin] => corpus(Path::new(dir), bin),
        ["graph", file] => graph_from_file(Path::new(file)),
        ["fleet", n, p, dir] => fleet(
            n.parse().expect("a workspace count"),
            p.parse().expect("a package count"),
            Path::new(dir),
        ),
        // `cargo bench` with no arguments: a quick smoke run of both modes.
        [] => {
            metadata(1_000);
            lockfile(1_000);
        }
        other => {
            eprintln!(
                "usage: pipeline metadata N | lockfile N | workspace N DIR | e2e DIR BIN | corpus DIR BIN | graph FILE | fleet N P DIR (got {other:?})"
            );
            std::process::exit(2);
        }
    }
}
