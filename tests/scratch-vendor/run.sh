#!/usr/bin/env bash
# A vendor is one folder, end to end: copies the checkout to a scratch folder, adds the fictional vendor
# tests/fixtures/vendors/acme-stores to its spec/vendors/ (the only change), runs `cargo regen` there, then
# checks that the SDK compiles with the new vendor in its generated client and facade, that the new vendor is
# callable through the facade against the mock built from the same document (tests/scratch-vendor/acme_stores.rs),
# that this mock serves every documented answer of all five vendors (--self-check), and that the mock's
# data-driven status tests pass, and that a mistake in a vendor's declarations stops `cargo regen` (file, line,
# exit 2) and, hand-written into the document, the mock (message, exit 2, no panic). The checkout is not touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Its own target folder: the scratch crates must not overwrite the checkout's binaries.
export CARGO_TARGET_DIR="$root/target/scratch-vendor"

cd "$root"
git ls-files -z | xargs -0 cp --parents -t "$scratch"
cp -r tests/fixtures/vendors/acme-stores "$scratch/spec/vendors/"

cd "$scratch"
cargo regen
grep -q "acme_stores_create_store" spec/openapi.yaml
grep -q "acme_stores_create_store" spec/README.md
grep -q "fn acme_stores_create_store" sdk/src/generated.rs
grep -q "AcmeStores(types::AcmeStoresError)" sdk/src/generated_facade.rs
grep -q "AcmeStoresBasicAuth:acme:secret" mock-server/fixtures/demo.json
echo "--- the SDK compiles with the new vendor (Api::AcmeStores, VendorError::AcmeStores)"
cargo build --quiet -p concord-sdk
echo "--- the new vendor through the facade: client.acme_stores() against the scratch mock"
mkdir -p sdk/examples && cp "$root/tests/scratch-vendor/acme_stores.rs" sdk/examples/
# Two builds: target flags apply to every package named, and the mock binary must be fresh.
cargo build --quiet -p concord-mock --bin concord-mock
cargo build --quiet -p concord-sdk --example acme_stores
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CARGO_TARGET_DIR/debug/concord-mock" --port "$port" > "$scratch/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true; rm -rf "$scratch"' EXIT
# A debug build compiles the contract's schemas at start-up: give it a minute on a loaded machine.
up=
for _ in $(seq 600); do
  if curl -fsS "http://127.0.0.1:$port/__mock/health" > /dev/null 2>&1; then up=1; break; fi
  kill -0 $mock 2>/dev/null || break
  sleep 0.1
done
if [ -z "$up" ]; then
  echo "the scratch mock did not come up on port $port:" >&2
  cat "$scratch/mock.log" >&2
  exit 1
fi
"$CARGO_TARGET_DIR/debug/examples/acme_stores" "http://127.0.0.1:$port"
kill $mock
echo "--- the mock serves every documented answer of the five vendors"
cargo run --quiet -p concord-mock -- --self-check
echo "--- the mock's data-driven status tests"
cargo test --quiet -p concord-mock --test statuses
echo "--- a mistake in a vendor's declarations: cargo regen names the vendor file and line, exits 2, writes nothing"
cp spec/openapi.yaml "$scratch/document-before"
sed -i "0,/body: '{medium}'/s//body: '{nosuch}'/" spec/vendors/magicline/openapi.yaml
status=0
cargo regen 2> "$scratch/regen.err" || status=$?
cat "$scratch/regen.err"
[ "$status" -eq 2 ] || { echo "cargo regen exited $status, not 2" >&2; exit 1; }
grep -qE '^error: spec/vendors/magicline/openapi.yaml:[0-9]+ \(addAccessMedium\): x-concord-rules\[[0-9]+\]: .*unknown name `nosuch`' "$scratch/regen.err"
cmp -s spec/openapi.yaml "$scratch/document-before" || { echo "cargo regen wrote the document" >&2; exit 1; }
echo "--- the same mistake written into spec/openapi.yaml by hand: the mock says so and exits 2, no panic"
sed -i "0,/body: '{medium}'/s//body: '{nosuch}'/" spec/openapi.yaml
cargo build --quiet -p concord-mock --bin concord-mock
status=0
timeout 120 "$CARGO_TARGET_DIR/debug/concord-mock" --port 0 2> "$scratch/mock.err" || status=$?
cat "$scratch/mock.err"
[ "$status" -eq 2 ] || { echo "the mock exited $status, not 2" >&2; exit 1; }
grep -q '^error: the embedded document (spec/openapi.yaml): magicline_add_access_medium .*unknown name `nosuch`' "$scratch/mock.err"
if grep -q panicked "$scratch/mock.err"; then echo "the mock panicked" >&2; exit 1; fi
