#!/usr/bin/env bash
# Smoke-runs every fuzz target on the stable toolchain: libFuzzer (libfuzzer-sys) with the
# same coverage instrumentation cargo-fuzz uses, passed as stable codegen flags (cargo-fuzz
# itself needs nightly for its sanitizers). Each target runs SECONDS (default 60) from a copy
# of its seed corpus in fuzz/corpus, so the repository stays as it is; a crash leaves its
# input in fuzz/artifacts/<target>/ and fails the run.
#   bash fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps the flags off build scripts and proc macros (as cargo-fuzz does).
host=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --bins --target "$host"
for target in metadata lockfile manifest_edit; do
  work=$(mktemp -d)
  cp -r "corpus/$target/." "$work/"
  mkdir -p "artifacts/$target"
  echo "== $target ($secs s)"
  ./target/"$host"/release/"$target" "$work" -max_total_time="$secs" -rss_limit_mb=4096 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added|==[0-9]+== ERROR|SUMMARY)" || true
  rm -rf "$work"
  if compgen -G "artifacts/$target/crash-*" >/dev/null; then
    echo "$target: crash inputs in fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran without a crash"
