#!/usr/bin/env bash
# Browser tests of the mock's web page: installs Debian's chromium and the pinned playwright-core when a
# fresh machine lacks them, builds the release mock, and runs tests/browser/*.test.mjs against it.
# Screenshots of each screen land in tests/reports/browser/screenshots/ (ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v "${CHROMIUM_BIN:-chromium}" >/dev/null 2>&1; then
  echo "installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
cargo build --release -p concord-mock --quiet --manifest-path "$root/Cargo.toml"
export CONCORD_MOCK_BIN="$root/target/release/concord-mock"
export CHROMIUM_BIN="$(command -v "${CHROMIUM_BIN:-chromium}")"
cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec
