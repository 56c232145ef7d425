#!/usr/bin/env bash
# A vendor is one folder, end to end: copies the checkout to a scratch folder, adds the fictional vendor
# tests/fixtures/vendors/acme-stores to its spec/vendors/ (the only change), runs `cargo regen` there, then
# checks that the SDK compiles with the new vendor in its generated client, that the mock built from the
# scratch document serves every documented answer of all five vendors (--self-check), and that the mock's
# data-driven status tests pass. The checkout itself is not touched.
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
echo "--- the mock serves every documented answer of the five vendors"
cargo run --quiet -p concord-mock -- --self-check
echo "--- the mock's data-driven status tests"
cargo test --quiet -p concord-mock --test statuses
