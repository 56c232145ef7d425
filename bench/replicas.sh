#!/usr/bin/env bash
# Scale-out benchmark (a benchmark, not a test): the in-memory mock (one process) against one replica on
# Redis and three replicas on one Redis together, side by side in one run, with wrk on loopback. For three
# replicas, three wrk processes run at once, one per replica (a client-side round robin: no load balancer's
# own cost in the figure); their req/s add up. Writes bench/replicas-results.md.
#   BENCH_CONNECTIONS (30)  BENCH_DURATION (15s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
conns=${BENCH_CONNECTIONS:-30}
duration=${BENCH_DURATION:-15s}
out=bench/replicas-results.md
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server; }
cargo build --release -q -p concord-mock --bin concord-mock

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_http() { for _ in $(seq 3000); do curl -s -o /dev/null "$1" && return 0; sleep 0.01; done; return 1; }

redis_port=4399
redis-server --port $redis_port --bind 127.0.0.1 --save "" --appendonly no > /dev/null & pids+=("$!")
for _ in $(seq 300); do redis-cli -p $redis_port ping > /dev/null 2>&1 && break; sleep 0.01; done
redis_url="redis://127.0.0.1:$redis_port/"

simple=(-H "Authorization: Bearer demo-masstack-token" -H "x-auth-roles: API_KEY" -H "X-Mock-Tenant: bench-simple")
simple_path=/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials

# wrk against each URL at once (connections split evenly); prints "total req/s, worst p99 ms, non-2xx-4xx".
run() {
  local workload=$1; shift
  local n=$#; local files=() waits=()
  for url in "$@"; do
    local f; f=$(mktemp); files+=("$f")
    if [ "$workload" = mix ]; then
      wrk -t1 -c$((conns / n)) -d"$duration" --latency -s bench/mix.lua "$url" > "$f" &
    else
      wrk -t1 -c$((conns / n)) -d"$duration" --latency "${simple[@]}" "$url$simple_path" > "$f" &
    fi
    waits+=("$!")
  done
  wait "${waits[@]}"
  python3 - "${files[@]}" <<'PY'
import re, sys
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = p99 = 0.0; errors = 0
for path in sys.argv[1:]:
    text = open(path).read()
    rps += float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = max(p99, ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m: errors += sum(int(x) for x in m.groups())
print("%.0f %.2f %d" % (rps, p99, errors))
PY
  rm -f "${files[@]}"
}

start_mock() { # port, extra args…
  local port=$1; shift
  target/release/concord-mock --port "$port" --log warn "$@" > /dev/null 2>&1 & pids+=("$!")
  wait_http "http://127.0.0.1:$port/__mock/health"
}

start_mock 4320
read -r mem_mix mem_mix99 mem_mix_err < <(run mix http://127.0.0.1:4320)
read -r mem_get mem_get99 mem_get_err < <(run get http://127.0.0.1:4320)
kill "${pids[-1]}"

start_mock 4321 --redis-url "$redis_url" --redis-prefix bench-one
read -r one_mix one_mix99 one_mix_err < <(run mix http://127.0.0.1:4321)
read -r one_get one_get99 one_get_err < <(run get http://127.0.0.1:4321)
kill "${pids[-1]}"

for port in 4322 4323 4324; do start_mock $port --redis-url "$redis_url" --redis-prefix bench-three; done
urls=(http://127.0.0.1:4322 http://127.0.0.1:4323 http://127.0.0.1:4324)
read -r three_mix three_mix99 three_mix_err < <(run mix "${urls[@]}")
read -r three_get three_get99 three_get_err < <(run get "${urls[@]}")

ratio() { python3 -c "print(f'{$1 / $2:.2f}×')"; }
cat > "$out" <<MD
Run: $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; redis-server $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/') on loopback; wrk, $conns connections in all, ${duration} per cell. Everything (wrk, Redis, the replicas) shares the same $(nproc) cores.

| setup | mix req/s | mix p99 ms | simplest GET req/s | GET p99 ms | socket errors |
|---|---:|---:|---:|---:|---:|
| one process, in memory | $mem_mix | $mem_mix99 | $mem_get | $mem_get99 | $((mem_mix_err + mem_get_err)) |
| one replica on Redis | $one_mix | $one_mix99 | $one_get | $one_get99 | $((one_mix_err + one_get_err)) |
| three replicas on one Redis, together | $three_mix | $three_mix99 | $three_get | $three_get99 | $((three_mix_err + three_get_err)) |

| ratio | mix | simplest GET |
|---|---:|---:|
| one replica on Redis / in memory | $(ratio "$one_mix" "$mem_mix") | $(ratio "$one_get" "$mem_get") |
| three replicas on Redis / in memory | $(ratio "$three_mix" "$mem_mix") | $(ratio "$three_get" "$mem_get") |
| three replicas / one replica, on Redis | $(ratio "$three_mix" "$one_mix") | $(ratio "$three_get" "$one_get") |
MD
cat "$out"
