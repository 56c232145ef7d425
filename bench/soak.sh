#!/usr/bin/env bash
# Soak (not a test): the benchmark mix against a release build for SOAK_MINUTES (10) in one continuous wrk run
# (restarting wrk would strand the creates in flight at each stop, growing the state), sampling RSS and the
# number of stored credentials every 30 s. Writes bench/soak-results.md; fails on any 5xx or socket error.
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
credentials() {
  curl -s http://127.0.0.1:4330/__mock/state | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["state"]["masstack.credential"]))'
}
{
  echo "Soak: $(date -u +%Y-%m-%dT%H:%MZ), ${minutes} min of bench/mix.lua in one wrk -t2 -c32 run, $(nproc) cores."
  echo
  echo "| minute | RSS MiB | stored credentials |"
  echo "|---:|---:|---:|"
  echo "| 0 | $(rss) | $(credentials) |"
} > "$out"
wrk -t2 -c32 -d"${minutes}m" --timeout 5s -s bench/soak.lua http://127.0.0.1:4330 > /tmp/soak-wrk.log &
load=$!
for half in $(seq $((minutes * 2))); do
  sleep 30
  echo "| $(python3 -c "print($half / 2)") | $(rss) | $(credentials) |" >> "$out"
done
wait $load
summary=$(grep '^SOAK' /tmp/soak-wrk.log)
eval "${summary#SOAK }"
{
  echo
  echo "$requests requests ($(grep 'Requests/sec' /tmp/soak-wrk.log | awk '{print $2}') req/s), p99 ${p99_ms} ms, ${fives} answers 5xx, ${socket_errors} socket errors; peak RSS $(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$mock/status") MiB."
} >> "$out"
cat "$out"
[ "$fives" = 0 ] && [ "$socket_errors" = 0 ]
