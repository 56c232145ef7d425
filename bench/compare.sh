#!/usr/bin/env bash
# Before/after benchmark (a benchmark, not a test): the mock built from another git revision against the mock
# of this tree, side by side in one run, alternating A B A B … so the machine's noise falls on both. wrk on
# loopback, the same mix (bench/mix.lua) and simplest GET as bench/run.sh. Prints a Markdown table.
#   bash bench/compare.sh [BEFORE_REF]   (default: the parent of the commit that added the rules engine)
#   BENCH_CONNECTIONS (32)  BENCH_DURATION (15s)  BENCH_ROUNDS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
before_ref=${1:-$(git log --format=%H --grep='generic engine; vendors/ deleted' -n1)^}
conns=${BENCH_CONNECTIONS:-32}
duration=${BENCH_DURATION:-15s}
rounds=${BENCH_ROUNDS:-3}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  git worktree remove --force "$work/before" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git worktree add -q --detach "$work/before" "$before_ref"
# The old revision builds in its own target folder (kept between runs: target/bench-before).
(cd "$work/before" && CARGO_TARGET_DIR="$root/target/bench-before" cargo build --release -q -p concord-mock --bin concord-mock)
cargo build --release -q -p concord-mock --bin concord-mock
before_bin=target/bench-before/release/concord-mock
after_bin=target/release/concord-mock

wait_http() { for _ in $(seq 3000); do curl -s -o /dev/null "$1" && return 0; sleep 0.01; done; return 1; }
rps() { wrk -t2 -c"$conns" -d"$duration" "$@" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }

simple_headers=(-H "Authorization: Bearer demo-masstack-token" -H "x-auth-roles: API_KEY" -H "X-Mock-Tenant: bench-simple")
simple_path=/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials

# One server per revision, both up for the whole run; each round measures A then B.
"$before_bin" --port 4320 --log warn > /dev/null 2>&1 & pids+=("$!")
"$after_bin" --port 4321 --log warn > /dev/null 2>&1 & pids+=("$!")
wait_http http://127.0.0.1:4320/__mock/health
wait_http http://127.0.0.1:4321/__mock/health

declare -a bm am bg ag
for r in $(seq "$rounds"); do
  bm+=("$(rps -s bench/mix.lua http://127.0.0.1:4320)")
  am+=("$(rps -s bench/mix.lua http://127.0.0.1:4321)")
  bg+=("$(rps "${simple_headers[@]}" "http://127.0.0.1:4320$simple_path")")
  ag+=("$(rps "${simple_headers[@]}" "http://127.0.0.1:4321$simple_path")")
  echo "round $r: mix ${bm[-1]} → ${am[-1]}, GET ${bg[-1]} → ${ag[-1]}" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bmm=$(median "${bm[@]}"); amm=$(median "${am[@]}"); bgm=$(median "${bg[@]}"); agm=$(median "${ag[@]}")
echo "| workload | before ($(git rev-parse --short "$before_ref")) req/s | after ($(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')) req/s | after / before |"
echo "|---|---:|---:|---:|"
echo "| mix (bench/mix.lua), median of $rounds | $bmm | $amm | $(python3 -c "print(f'{$amm / $bmm:.2f}')") |"
echo "| simplest GET, median of $rounds | $bgm | $agm | $(python3 -c "print(f'{$agm / $bgm:.2f}')") |"
echo "| rounds (mix before → after) | ${bm[*]} → ${am[*]} | | |"
