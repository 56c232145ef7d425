#!/usr/bin/env bash
# The validating proxy's cost (a benchmark, not a test): the simplest GET (MasStack's credential list) sent to
# an upstream mock directly and through a second mock in front of it (`--upstream masstack=…`, which checks
# both ways, journals and counts drift), side by side in one run with wrk on loopback. Latency at one
# connection (what a developer's page feels), throughput at BENCH_CONNECTIONS. Writes bench/proxy-results.md.
#   BENCH_CONNECTIONS (32)  BENCH_DURATION (10s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
conns=${BENCH_CONNECTIONS:-32}
duration=${BENCH_DURATION:-10s}
out=bench/proxy-results.md
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p concord-mock --bin concord-mock

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_http() { for _ in $(seq 3000); do curl -s -o /dev/null "$1" && return 0; sleep 0.01; done; return 1; }

# wrk → "req/s p50 p90 p99 max" (latencies in ms)
bench() {
  local c=$1 url=$2
  wrk -t1 -c"$c" -d"$duration" --latency -H "Authorization: Bearer demo-masstack-token" \
    -H "x-auth-roles: API_KEY" -H "X-Mock-Tenant: bench" "$url" | python3 bench/wrk-summary.py 3
}

path=/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials
target/release/concord-mock --port 4320 --log warn > /dev/null 2>&1 & upstream=$!; pids+=("$upstream")
target/release/concord-mock --port 4321 --log warn --upstream masstack=http://127.0.0.1:4320 > /dev/null 2>&1 & proxy=$!; pids+=("$proxy")
# CPU time of a process so far, in clock ticks (utime + stime).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_http "http://127.0.0.1:4320/__mock/health"
wait_http "http://127.0.0.1:4321/__mock/health"
direct="http://127.0.0.1:4320$path"
proxied="http://127.0.0.1:4321$path"
# Warm both (connection pools, allocator).
bench 4 "$direct" > /dev/null
bench 4 "$proxied" > /dev/null
read -r d1 d1_50 d1_90 d1_99 _ < <(bench 1 "$direct")
read -r p1 p1_50 p1_90 p1_99 _ < <(bench 1 "$proxied")
u0=$(ticks "$upstream")
read -r dn dn_50 dn_90 dn_99 _ < <(bench "$conns" "$direct")
u1=$(ticks "$upstream"); x1=$(ticks "$proxy")
read -r pn pn_50 pn_90 pn_99 _ < <(bench "$conns" "$proxied")
u2=$(ticks "$upstream"); x2=$(ticks "$proxy")
secs=${duration%s}
hz=$(getconf CLK_TCK)
# CPU µs per request: the upstream alone, then the upstream and the proxy of a proxied request.
per() { python3 -c "print(f'{1e6 * $1 / $hz / ($2 * $secs):.0f} µs')"; }
drifted=$(curl -s http://127.0.0.1:4321/__mock/drift | python3 -c 'import json,sys; print(json.load(sys.stdin)["drifted"])')

added() { python3 -c "print(f'{$2 - $1:.3f} ms')"; }
pct() { python3 -c "print(f'{100 * $1 / $2:.0f}%')"; }
cat > "$out" <<MD
Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; wrk -t1 -d$duration on loopback (wrk, the proxy and the upstream share the 2 cores).

| path | connections | req/s | p50 ms | p90 ms | p99 ms |
|---|---:|---:|---:|---:|---:|
| client → upstream mock | 1 | $d1 | $d1_50 | $d1_90 | $d1_99 |
| client → proxy → upstream mock | 1 | $p1 | $p1_50 | $p1_90 | $p1_99 |
| client → upstream mock | $conns | $dn | $dn_50 | $dn_90 | $dn_99 |
| client → proxy → upstream mock | $conns | $pn | $pn_50 | $pn_90 | $pn_99 |

| figure | value |
|---|---|
| p50 added by the proxy, 1 connection | $(added "$d1_50" "$p1_50") |
| p99 added by the proxy, 1 connection | $(added "$d1_99" "$p1_99") |
| proxy throughput / direct, $conns connections | $(pct "$pn" "$dn") |
| CPU per request: upstream alone | $(per $((u1 - u0)) "$dn") |
| CPU per proxied request: upstream / proxy | $(per $((u2 - u1)) "$pn") / $(per $((x2 - x1)) "$pn") |
| operations with drift after the run (the upstream is undrifted) | $drifted |
MD
cat "$out"
