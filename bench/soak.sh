#!/usr/bin/env bash
# Soak (not a test): the benchmark mix against a release build for SOAK_MINUTES (10), in back-to-back 30 s
# wrk windows, sampling throughput, p99, 5xx answers, socket errors and RSS. Writes bench/soak-results.md and
# fails if any window saw a 5xx or a socket error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
minutes=${SOAK_MINUTES:-10}
out=bench/soak-results.md
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p concord-mock
target/release/concord-mock --port 4330 --log warn > /dev/null 2>&1 & mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -s -o /dev/null http://127.0.0.1:4330/__mock/health && break; sleep 0.01; done
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$mock/status"; }
{
  echo "Soak: $(date -u +%Y-%m-%dT%H:%MZ), ${minutes} min of bench/mix.lua, wrk -t2 -c32, 30 s windows, $(nproc) cores."
  echo
  echo "| window | requests | req/s | p99 ms | 5xx | socket errors | RSS MiB |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  echo "| start | | | | | | $(rss) |"
} > "$out"
failed=0 total=0
for window in $(seq $((minutes * 2))); do
  line=$(wrk -t2 -c32 -d30s -s bench/soak.lua http://127.0.0.1:4330 | grep '^SOAK')
  eval "${line#SOAK }"
  total=$((total + requests))
  [ "$fives" = 0 ] && [ "$socket_errors" = 0 ] || failed=1
  echo "| $window | $requests | $((requests / 30)) | $p99_ms | $fives | $socket_errors | $(rss) |" >> "$out"
done
echo >> "$out"
echo "$total requests in all; peak RSS $(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$mock/status") MiB." >> "$out"
cat "$out"
exit $failed
