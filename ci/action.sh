#!/usr/bin/env bash
# The shell step of the GitHub Action (action.yml at the repository root); tests/action.rs runs
# it locally with the variables GitHub sets.
#
# Installs cargo-etcd-deps from the action's own checkout ($GITHUB_ACTION_PATH) unless the
# cache restored it, runs `check` in the working directory, writes a SARIF file when asked and
# the Markdown report to the job summary, and records the gate's exit code in $GITHUB_OUTPUT
# (`exit-code`; the action's last step exits with it, after the SARIF upload). Exits 0 when
# the check gave an answer (0 or 1), else with the tool's code (2: usage or input error, 3).
#
# Reads: GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT, RUNNER_TEMP, GITHUB_STEP_SUMMARY
# (optional), and the action's inputs as INPUT_ARGS (split on whitespace), INPUT_FORMAT,
# INPUT_SARIF (true/false), INPUT_WORKING_DIRECTORY (relative to GITHUB_WORKSPACE).
set -euo pipefail
: "${GITHUB_ACTION_PATH:?}" "${GITHUB_WORKSPACE:?}" "${GITHUB_OUTPUT:?}" "${RUNNER_TEMP:?}"

root="$RUNNER_TEMP/cargo-etcd-deps"
bin="$root/bin/cargo-etcd-deps"
if [ ! -x "$bin" ]; then
  echo "::group::cargo install --locked --path $GITHUB_ACTION_PATH"
  cargo install --locked --root "$root" --path "$GITHUB_ACTION_PATH"
  echo "::endgroup::"
fi

cd "$GITHUB_WORKSPACE"
cd "${INPUT_WORKING_DIRECTORY:-.}"
read -r -a args <<<"${INPUT_ARGS:-}"

set +e
"$bin" check "${args[@]}" --format "${INPUT_FORMAT:-github}"
code=$?
set -e
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
if [ "$code" -ge 2 ]; then
  echo "::error title=cargo etcd-deps::cargo etcd-deps check exited $code (see its message above)"
  exit "$code"
fi

if [ "${INPUT_SARIF:-false}" = "true" ]; then
  sarif="$RUNNER_TEMP/etcd-deps.sarif"
  "$bin" check "${args[@]}" --format sarif --output "$sarif" || true
  echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "$bin" check "${args[@]}" --format markdown >>"$GITHUB_STEP_SUMMARY" || true
fi
