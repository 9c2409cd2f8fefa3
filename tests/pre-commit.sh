#!/usr/bin/env bash
# Runs the real pre-commit framework (`pre-commit try-repo`) with this repository's hooks
# against fixture git repositories: the `system` hook, with the freshly built binary on PATH,
# must fail on a diverging workspace and pass on a clean one. Needs `pre-commit` on PATH
# (.ci/run installs it from PyPI).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin_dir="$repo/target/debug"
cargo build --quiet --locked --manifest-path "$repo/Cargo.toml" --bin cargo-etcd-deps
command -v pre-commit >/dev/null || { echo "pre-commit is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo/testdata/vendor" "$tmp/vendor"
mkdir "$tmp/workspaces"

# try FIXTURE EXPECTED_EXIT
try() {
  local fixture=$1 expected=$2 code
  cp -r "$repo/testdata/workspaces/$fixture" "$tmp/workspaces/$fixture"
  (
    cd "$tmp/workspaces/$fixture"
    git init -q
    git add -A
    git -c user.name=ci -c user.email=ci@example.com commit -qm fixture
    set +e
    PATH="$bin_dir:$PATH" CARGO_HOME="$tmp/cargo-home" PRE_COMMIT_HOME="$tmp/pre-commit-home" \
      pre-commit try-repo "$repo" cargo-etcd-deps-system --all-files >"$tmp/$fixture.log" 2>&1
    echo $? >"$tmp/$fixture.code"
  )
  code=$(cat "$tmp/$fixture.code")
  if { [ "$expected" -eq 0 ] && [ "$code" -ne 0 ]; } || { [ "$expected" -ne 0 ] && [ "$code" -eq 0 ]; }; then
    echo "pre-commit on $fixture exited $code, expected $([ "$expected" -eq 0 ] && echo success || echo failure)" >&2
    cat "$tmp/$fixture.log" >&2
    exit 1
  fi
  grep -q "cargo etcd-deps check (installed binary)" "$tmp/$fixture.log" || {
    echo "the hook did not run on $fixture" >&2
    cat "$tmp/$fixture.log" >&2
    exit 1
  }
  echo "pre-commit on $fixture: exit $code as expected"
}

try two-lines 1
try clean 0
echo "pre-commit: 2 passed, 0 failed"
