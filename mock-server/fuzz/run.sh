#!/usr/bin/env bash
# The fuzz target, built and run for a bounded time (CI: 60 s): any request through the whole pipeline must
# be answered, never with a panic or a 5xx. cargo-fuzz is installed, pinned, into target/tools/;
# RUSTC_BOOTSTRAP=1 lets the stable toolchain build libFuzzer's instrumentation. No sanitizer: the mock's
# crates forbid unsafe code, and what is checked is panics and answers.
#   FUZZ_SECONDS (60)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/target/tools/cargo-fuzz"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install --quiet cargo-fuzz --version 0.13.1 --locked --root "$tools"
fi
cd "$root/mock-server"
RUSTC_BOOTSTRAP=1 "$tools/bin/cargo-fuzz" run --sanitizer none request -- \
  -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=4096 -print_final_stats=1
