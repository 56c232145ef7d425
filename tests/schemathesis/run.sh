#!/usr/bin/env bash
# Runs Schemathesis (pinned in requirements.txt, installed into .venv on first use) against a release build of
# the mock: every operation, all checks, phases examples, coverage, fuzzing and stateful, a fixed seed, and a
# JUnit report in tests/reports/schemathesis/; then the same against a plain document served with --spec.
# Exits non-zero on any failure.
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
mkdir -p "$reports"
cd "$here" # schemathesis.toml is read from here

# Starts the mock with the given arguments and sets $url; stopped on exit.
mocks=()
trap 'kill "${mocks[@]}" 2>/dev/null || true' EXIT
start_mock() {
  local log
  log=$(mktemp)
  "$root/target/release/concord-mock" --port 0 --log warn --journal 100 "$@" > "$log" &
  mocks+=($!)
  url=""
  for _ in $(seq 100); do
    url=$(sed -n 's/^Concord mock server listening on //p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
  done
  rm -f "$log"
  [ -n "$url" ] || { echo "the mock did not start"; exit 1; }
}

run() {
  "$venv/bin/schemathesis" run "$@" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --seed 20261122 \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" \
    --no-color
}

echo "--- the embedded contract (four vendor APIs)"
start_mock
run "$root/spec/openapi.yaml" --url "$url" --header "X-Mock-Tenant: schemathesis" \
  --report junit --report-dir "$reports"

# A plain document (no x-concord extensions) served with --spec: its behaviour inferred from its paths. The
# demo data (--demo-data) adds credentials, so that every scheme checks them (Schemathesis's auth checks need a wrong one to fail).
echo "--- a plain document served with --spec (mock-server/tests/fixtures/plain-stores.yaml)"
plain="$root/mock-server/tests/fixtures/plain-stores.yaml"
start_mock --spec "$plain" --demo-data "$here/plain-stores-seed.json"
run "$plain" --url "$url" \
  --header "Authorization: Basic $(printf 'schemathesis:secret' | base64)" \
  --header "X-Api-Key: st-key"
