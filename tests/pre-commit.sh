#!/usr/bin/env bash
# Runs the real pre-commit framework with this repository's hooks against fixture git
# repositories, with the freshly built binary on PATH. For the default (`--lockfile`) and the
# full (`cargo metadata --locked`) hook: `pre-commit try-repo` fails on a diverging workspace
# and passes on a clean one; then, with the hook installed, a `git commit` that bumps a
# manifest without Cargo.lock is refused with a clear message and no file is modified, and an
# ordinary commit goes through. The same with the workspace in a subdirectory of the
# repository (`service/`), the hook pointed at it with `args: [--manifest-path,
# service/Cargo.toml]` as docs/ci.md shows; without the args, the hook fails there. Needs
# `pre-commit` on PATH (.ci/run installs it from PyPI).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin_dir="$repo/target/debug"
cargo build --quiet --locked --manifest-path "$repo/Cargo.toml" --bin cargo-etcd-deps
command -v pre-commit >/dev/null || { echo "pre-commit is not installed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo/testdata/vendor" "$tmp/vendor"
mkdir "$tmp/workspaces"
export PATH="$bin_dir:$PATH" CARGO_HOME="$tmp/cargo-home" PRE_COMMIT_HOME="$tmp/pre-commit-home"
git_ci() { git -c user.name=ci -c user.email=ci@example.com "$@"; }

# The hooks as they are in the working tree, as a repository pre-commit can install from.
hooks="$tmp/hooks"
mkdir "$hooks"
cp "$repo/.pre-commit-hooks.yaml" "$hooks/"
(cd "$hooks" && git init -q && git add -A && git_ci commit -qm hooks)
rev=$(git -C "$hooks" rev-parse HEAD)

fail() { echo "$1" >&2; cat "$2" >&2; exit 1; }

# fixture FIXTURE DIR: a committed copy of a fixture workspace.
fixture() {
  cp -r "$repo/testdata/workspaces/$1" "$tmp/workspaces/$2"
  (cd "$tmp/workspaces/$2" && git init -q && git add -A && git_ci commit -qm fixture)
}

# try HOOK FIXTURE EXPECTED_EXIT
try() {
  local hook=$1 name=$2 expected=$3 dir="$tmp/workspaces/$2-$1" code log="$tmp/$2-$1.log"
  fixture "$name" "$name-$hook"
  set +e
  (cd "$dir" && pre-commit try-repo "$hooks" "$hook" --all-files) >"$log" 2>&1
  code=$?
  set -e
  if { [ "$expected" -eq 0 ] && [ "$code" -ne 0 ]; } || { [ "$expected" -ne 0 ] && [ "$code" -eq 0 ]; }; then
    fail "pre-commit $hook on $name exited $code, expected $([ "$expected" -eq 0 ] && echo success || echo failure)" "$log"
  fi
  grep -q "cargo etcd-deps check" "$log" || fail "the hook did not run on $name" "$log"
  [ -z "$(git -C "$dir" status --porcelain)" ] || fail "$hook modified files in $name" "$log"
  echo "pre-commit $hook on $name: exit $code as expected"
}

# commit HOOK EXPECTED_MESSAGE [SUBDIR]: with the hook installed, a commit bumping a manifest
# without Cargo.lock is refused, naming the problem, and leaves every file as it was; a commit
# that only edits a comment goes through. With SUBDIR, the workspace is in that subdirectory of
# the repository and the hook is given `args: [--manifest-path, SUBDIR/Cargo.toml]`.
commit() {
  local hook=$1 message=$2 sub=${3:-} log="$tmp/commit-$1${3:+-$3}.log" dir ws
  # The workspace two levels under $tmp, where the fixtures' `../../vendor` is.
  if [ -z "$sub" ]; then dir="$tmp/workspaces/commit-$hook"; ws=$dir; else dir="$tmp/commit-$hook-$sub"; ws="$dir/$sub"; fi
  mkdir -p "$(dirname "$ws")"
  cp -r "$repo/testdata/workspaces/clean" "$ws"
  {
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n' "$hooks" "$rev" "$hook"
    [ -z "$sub" ] || printf '        args: [--manifest-path, %s/Cargo.toml]\n' "$sub"
  } >"$dir/.pre-commit-config.yaml"
  (cd "$dir" && git init -q && git add -A && git_ci commit -qm fixture && pre-commit install >/dev/null)
  local head lock
  head=$(git -C "$dir" rev-parse HEAD)
  lock=$(sha256sum "$ws/Cargo.lock")
  sed -i 's/^etcd-client = "0.17"/etcd-client = "0.16"/' "$ws/Cargo.toml"
  grep -q '^etcd-client = "0.16"' "$ws/Cargo.toml" || fail "the bump did not apply" "$ws/Cargo.toml"
  git -C "$dir" add -A
  set +e
  (cd "$dir" && git_ci commit -m "bump etcd-client") >"$log" 2>&1
  local code=$?
  set -e
  [ "$code" -ne 0 ] || fail "$hook let a manifest bump without Cargo.lock through" "$log"
  [ "$(git -C "$dir" rev-parse HEAD)" = "$head" ] || fail "$hook: the commit was made" "$log"
  grep -q -- "$message" "$log" || fail "$hook: no \"$message\" in the output" "$log"
  ! grep -q "files were modified by this hook" "$log" || fail "$hook modified files" "$log"
  [ "$(sha256sum "$ws/Cargo.lock")" = "$lock" ] || fail "$hook changed Cargo.lock" "$log"
  echo "pre-commit $hook${sub:+ (workspace in $sub/)}: a manifest bump without Cargo.lock is refused"
  git -C "$dir" reset -q --hard
  printf '# a comment\n' >>"$ws/Cargo.toml"
  git -C "$dir" add -A
  (cd "$dir" && git_ci commit -qm "comment") >"$log" 2>&1 || fail "$hook refused an ordinary commit" "$log"
  [ -z "$(git -C "$dir" status --porcelain)" ] || fail "$hook modified files" "$log"
  echo "pre-commit $hook${sub:+ (workspace in $sub/)}: an ordinary commit goes through, nothing modified"
}

# subdir HOOK FIXTURE EXPECTED_EXIT: the fixture in `service/` of a repository, the hook given
# `args: [--manifest-path, service/Cargo.toml]`; without the args it fails (no workspace at the
# root), with them it gates the workspace as at the root.
subdir() {
  local hook=$1 name=$2 expected=$3 dir="$tmp/sub-$2-$1" log="$tmp/sub-$2-$1.log" code
  mkdir -p "$dir"
  cp -r "$repo/testdata/workspaces/$name" "$dir/service"
  printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: %s\n' "$hooks" "$rev" "$hook" >"$dir/.pre-commit-config.yaml"
  (cd "$dir" && git init -q && git add -A && git_ci commit -qm fixture)
  set +e
  (cd "$dir" && pre-commit run "$hook" --all-files) >"$log" 2>&1
  code=$?
  set -e
  [ "$code" -ne 0 ] || fail "$hook passed with no workspace at the repository root" "$log"
  printf '        args: [--manifest-path, service/Cargo.toml]\n' >>"$dir/.pre-commit-config.yaml"
  set +e
  (cd "$dir" && pre-commit run "$hook" --all-files) >"$log" 2>&1
  code=$?
  set -e
  if { [ "$expected" -eq 0 ] && [ "$code" -ne 0 ]; } || { [ "$expected" -ne 0 ] && [ "$code" -eq 0 ]; }; then
    fail "pre-commit $hook on service/$name exited $code, expected $([ "$expected" -eq 0 ] && echo success || echo failure)" "$log"
  fi
  grep -q "cargo etcd-deps check" "$log" || fail "the hook did not run on service/$name" "$log"
  if [ "$expected" -ne 0 ]; then
    grep -q "diverging-versions" "$log" || fail "$hook on service/$name: no finding in the output" "$log"
  fi
  [ -z "$(git -C "$dir" status --porcelain -- service)" ] || fail "$hook modified files in service/$name" "$log"
  echo "pre-commit $hook on service/$name with --manifest-path: exit $code as expected"
}

for hook in cargo-etcd-deps-system cargo-etcd-deps-full-system; do
  try "$hook" two-lines 1
  try "$hook" clean 0
  subdir "$hook" two-lines 1
  subdir "$hook" clean 0
done
commit cargo-etcd-deps-system "out of date"
commit cargo-etcd-deps-full-system "because --locked was passed"
commit cargo-etcd-deps-system "out of date" service
commit cargo-etcd-deps-full-system "because --locked was passed" service
echo "pre-commit: 12 passed, 0 failed"
