#!/usr/bin/env bash
# Runs Schemathesis (pinned in requirements.txt, installed into .venv on first use) against a release build of
# the mock: every operation, all checks, phases examples, coverage, fuzzing and stateful, a fixed seed, and a
# JUnit report in tests/reports/schemathesis/. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/schemathesis"
venv="$root/.venv"
reports="$root/tests/reports/schemathesis"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$(sed -n 's/^schemathesis==//p' "$here/requirements.txt")"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi

cargo build --release --quiet -p concord-mock
log=$(mktemp)
"$root/target/release/concord-mock" --port 0 --log warn --journal 100 > "$log" &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  url=$(sed -n 's/^Concord mock server listening on //p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "the mock did not start"; exit 1; }

mkdir -p "$reports"
cd "$here" # schemathesis.toml is read from here
"$venv/bin/schemathesis" run "$root/spec/openapi.yaml" \
  --url "$url" \
  --header "X-Mock-Tenant: schemathesis" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --seed 20261122 \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" \
  --report junit --report-dir "$reports" \
  --no-color
