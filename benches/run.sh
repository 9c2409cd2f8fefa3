#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md. Run it on a quiet machine:
#   bash benches/run.sh
# It builds in release mode, installs cargo-deny for the comparison if it is missing (this
# script only; CI does not run benchmarks), measures each stage on synthetic workspaces of
# 1k, 10k and 100k packages (one process per measurement, so peak memory is its own), scans
# synthetic fleets of workspaces, runs `check` end to end beside cargo's commands on a
# synthetic on-disk workspace of about 1,360 packages (resolved offline by cargo), times
# `check --lockfile` on every corpus case, checks the targets, and runs the lockfile-mode
# oracle on 2,000 more generated workspaces.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

cargo build --release --locked --bin cargo-etcd-deps --bench pipeline
bench=$(cargo bench --locked --bench pipeline --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "pipeline" and m.get("executable"):
        print(m["executable"])')
bin="$PWD/target/release/cargo-etcd-deps"
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked \
  || echo "cargo-deny could not be installed: its row is left out" >&2

results=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$results"' EXIT

# Three runs of each, interleaved; the report keeps the best (this kind of machine is shared
# and noisy, about ±10% from run to run).
for _ in 1 2 3; do
  for n in 1000 10000 100000; do "$bench" metadata "$n" >>"$results"; done
  for n in 1500 10000 100000; do "$bench" lockfile "$n" >>"$results"; done
done

# Fleet scans: 100 and 1,000 workspaces of ~1,000 packages (10,000 with FLEET_10K=1: about
# ten times as long).
for _ in 1 2; do
  for n in 100 1000 ${FLEET_10K:+10000}; do
    rm -rf "$tmp/fleet"
    "$bench" fleet "$n" 1000 "$tmp/fleet" >>"$results"
  done
done
rm -rf "$tmp/fleet"

# End to end on a synthetic workspace of about 1,360 locked packages: members plus a
# vendored directory registry, resolved offline by cargo (three comparisons; the report shows
# the median one); then the saved metadata of the same workspace into the graph, in process.
"$bench" workspace 2000 "$tmp/synth" >/dev/null
for _ in 1 2 3; do "$bench" e2e "$tmp/synth" "$bin" >>"$results"; done
(cd "$tmp/synth" && cargo metadata --format-version 1 --offline >"$tmp/synth-metadata.json")
"$bench" graph "$tmp/synth-metadata.json" >>"$results"

# `check --lockfile` on every real-world corpus case.
"$bench" corpus "$PWD/testdata/corpus" "$bin" >>"$results"

# The lockfile mode against cargo on more generated workspaces than the test suite runs
# (ORACLE_CASES, default 2,000, from seed 100,000 so they differ from CI's).
ETCD_DEPS_ORACLE_SEED=100000 ETCD_DEPS_ORACLE_CASES="${ORACLE_CASES:-2000}" \
  cargo test --release --locked --test oracle -- --nocapture 2>&1 | grep -E "cases:|test result"

python3 benches/report.py "$results" "$(uname -srm)" "$(nproc)" "$(cargo --version)" >BENCHMARKS.md
echo "wrote BENCHMARKS.md"
