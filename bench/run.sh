#!/usr/bin/env bash
# Load benchmark (a benchmark, not a test): the Concord mock against Prism 5.16 serving the same spec and a bare
# axum hello-world (the ceiling), in one run, with wrk on loopback. Writes bench/results.md.
#   BENCH_CONNECTIONS (32)  BENCH_DURATION (20s)  BENCH_MILLION (1: run the mock past 1,000,000 requests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
conns=${BENCH_CONNECTIONS:-32}
duration=${BENCH_DURATION:-20s}
out=bench/results.md
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -x bench/node_modules/.bin/prism ] || npm ci --prefix bench --no-audit --no-fund --loglevel=error
# The binary people download: the `dist` profile (thin LTO, one codegen unit), built on its own. Built together
# with the example it would take the example's dev-dependencies' features (reqwest's native TLS): a binary
# linked to OpenSSL that nobody runs, 1.5 MB more resident and a little slower. The ceiling gets the same
# profile.
cargo build --profile dist -q -p concord-mock --bin concord-mock
cargo build --profile dist -q -p concord-mock --example hello-ceiling

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
wait_http() { for _ in $(seq 3000); do curl -s -o /dev/null "$1" && return 0; sleep 0.01; done; return 1; }

# wrk → "req/s p50 p90 p99 max" (latencies in ms)
bench() {
  local url=$1; shift
  wrk -t2 -c"$conns" -d"$duration" --latency "$@" "$url" | python3 bench/wrk-summary.py
}

# Its own tenant, so the mix's state does not change what it reads.
simple_headers=(-H "Authorization: Bearer demo-masstack-token" -H "x-auth-roles: API_KEY" -H "X-Mock-Tenant: bench-simple")
simple_path=/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials

# The mock: start-up to first served request, idle RSS, the mix, the simplest GET, peak RSS.
port=4310
t0=$(date +%s%N)
target/dist/concord-mock --port $port --log warn > /dev/null 2>&1 & mock=$!; pids+=("$mock")
wait_http "http://127.0.0.1:$port/__mock/health"
startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 1
idle_kb=$(rss_kb "$mock")
read -r m_rps m50 m90 m99 mmax < <(bench "http://127.0.0.1:$port" -s bench/mix.lua)
read -r g_rps g50 g90 g99 gmax < <(bench "http://127.0.0.1:$port$simple_path" "${simple_headers[@]}")
mock_hwm=$(hwm_kb "$mock")

# The ceiling.
target/dist/examples/hello-ceiling 4311 > /dev/null & hello=$!; pids+=("$hello")
wait_http "http://127.0.0.1:4311/"
read -r h_rps h50 h90 h99 hmax < <(bench "http://127.0.0.1:4311$simple_path")
kill "$hello"

# Prism, default settings, its log discarded.
bench/node_modules/.bin/prism mock spec/openapi.yaml -p 4312 -h 127.0.0.1 > /dev/null 2>&1 & prism=$!; pids+=("$prism")
wait_http "http://127.0.0.1:4312$simple_path"
sleep 1
prism_idle=$(rss_kb "$prism")
read -r p_rps p50 p90 p99 pmax < <(bench "http://127.0.0.1:4312" -s bench/mix.lua)
read -r pg_rps pg50 pg90 pg99 pgmax < <(bench "http://127.0.0.1:4312$simple_path" "${simple_headers[@]}")
prism_hwm=$(hwm_kb "$prism")
kill "$prism"

# RSS over a million requests of the mix (journal bounded, creates deleted again).
million=""
if [ "${BENCH_MILLION:-1}" = 1 ]; then
  before=$(rss_kb "$mock")
  secs=$(python3 -c "import math; print(math.ceil(1_100_000 / max($m_rps, 1)))")
  served=$(wrk -t2 -c"$conns" -d"${secs}s" -s bench/mix.lua "http://127.0.0.1:$port" | awk '/requests in/ {print $1}')
  after=$(rss_kb "$mock")
  million="| RSS before / after $served more requests of the mix | $((before / 1024)) MiB / $((after / 1024)) MiB |"
fi

ratio() { python3 -c "print(f'{$1 / $2:.1f}×')"; }
pct() { python3 -c "print(f'{100 * $1 / $2:.0f}%')"; }
cat > "$out" <<MD
Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t2 -c$conns -d$duration on loopback (wrk shares the 2 cores with the server); the mock and the ceiling built with the \`dist\` profile, as shipped.

| server | workload | req/s | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---:|---:|---:|---:|---:|
| Concord mock | mix (bench/mix.lua) | $m_rps | $m50 | $m90 | $m99 | $mmax |
| Prism 5.16 | mix (bench/mix.lua) | $p_rps | $p50 | $p90 | $p99 | $pmax |
| Concord mock | simplest GET (list credentials) | $g_rps | $g50 | $g90 | $g99 | $gmax |
| Prism 5.16 | simplest GET (list credentials) | $pg_rps | $pg50 | $pg90 | $pg99 | $pgmax |
| axum hello-world (ceiling) | fixed GET | $h_rps | $h50 | $h90 | $h99 | $hmax |

| ratio or figure | value |
|---|---|
| mock / Prism, mix | $(ratio "$m_rps" "$p_rps") |
| mock / Prism, simplest GET | $(ratio "$g_rps" "$pg_rps") |
| mock simplest GET / ceiling | $(pct "$g_rps" "$h_rps") |
| mock start-up to first served request | ${startup_ms} ms |
| mock idle RSS / peak RSS | $(python3 -c "print(f'{$idle_kb / 1024:.1f}')") MiB / $((mock_hwm / 1024)) MiB |
| Prism idle RSS / peak RSS | $((prism_idle / 1024)) MiB / $((prism_hwm / 1024)) MiB |
$million
MD
cat "$out"
