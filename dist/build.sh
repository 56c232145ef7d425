#!/usr/bin/env bash
# Builds the release binaries of the mock for every platform the npm packages serve, from this machine, and
# packs the npm packages: one launcher (`concord-mock`) and one package per platform (`@concord-mock/<os>-<cpu>`,
# the binary inside, selected by npm through `os`/`cpu`; no install script, no download).
#
#   dist/build.sh [TARGET...]      default: every target below
#
# Output (ignored, under target/dist/): bin/<target>/concord-mock[.exe] (stripped), SHA256SUMS, sizes.txt,
# npm/*.tgz. Cross-compiling uses cargo-zigbuild with Zig from PyPI, pinned, in target/tools/zig (a venv).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/target/dist"
tools="$root/target/tools/zig"

# target triple → npm platform (`<process.platform>-<process.arch>`)
declare -A PLATFORM=(
  [x86_64-unknown-linux-musl]=linux-x64
  [aarch64-unknown-linux-musl]=linux-arm64
  [x86_64-apple-darwin]=darwin-x64
  [aarch64-apple-darwin]=darwin-arm64
  [x86_64-pc-windows-gnu]=win32-x64
)
ALL=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${ALL[@]}")
# The budget for the binary people download most (linux x64), in bytes.
BUDGET=$((20 * 1024 * 1024))

if [ ! -x "$tools/bin/cargo-zigbuild" ]; then
  echo "installing cargo-zigbuild and Zig (PyPI, pinned) into $tools"
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check cargo-zigbuild==0.24.1 ziglang==0.17.1
fi
export PATH="$tools/bin:$PATH"
# cargo-zigbuild finds Zig through the ziglang module of the venv's Python.
export CARGO_ZIGBUILD_ZIG_PATH="$tools/bin/python3 -m ziglang"
# mimalloc's Windows code stamps __DATE__, which Zig's clang makes an error (-Werror=date-time).
export CFLAGS_x86_64_pc_windows_gnu="-Wno-date-time"

version=$(cargo metadata --no-deps --format-version 1 --manifest-path "$root/Cargo.toml" |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="concord-mock"))')

rm -rf "$out" && mkdir -p "$out/bin" "$out/npm"
for target in "${targets[@]}"; do
  [ -n "${PLATFORM[$target]:-}" ] || { echo "unknown target $target (known: ${ALL[*]})"; exit 2; }
  rustup target add "$target" >/dev/null
  echo "building $target"
  cargo zigbuild --quiet --locked --profile dist -p concord-mock --bin concord-mock --target "$target" \
    --manifest-path "$root/Cargo.toml"
  exe=concord-mock
  [[ $target == *windows* ]] && exe=concord-mock.exe
  mkdir -p "$out/bin/$target"
  cp "$root/target/$target/dist/$exe" "$out/bin/$target/$exe"
done

(cd "$out/bin" && sha256sum */concord-mock* > ../SHA256SUMS && stat -c '%s %n' */concord-mock* > ../sizes.txt)
cat "$out/sizes.txt"
if [ -f "$out/bin/x86_64-unknown-linux-musl/concord-mock" ]; then
  size=$(stat -c %s "$out/bin/x86_64-unknown-linux-musl/concord-mock")
  if [ "$size" -gt "$BUDGET" ]; then
    echo "linux x64 binary is $size bytes, over the budget of $BUDGET"
    exit 1
  fi
fi

# npm: one package per platform, then the launcher naming them all.
optional=""
for target in "${targets[@]}"; do
  platform=${PLATFORM[$target]}
  os=${platform%-*}
  cpu=${platform#*-}
  dir="$out/npm/$platform"
  mkdir -p "$dir/bin"
  cp "$out/bin/$target/"concord-mock* "$dir/bin/"
  cat > "$dir/package.json" <<JSON
{
  "name": "@concord-mock/$platform",
  "version": "$version",
  "description": "The concord-mock binary for $os $cpu ($target). Installed by the concord-mock package; not used directly.",
  "license": "MIT OR Apache-2.0",
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin"],
  "preferUnplugged": true
}
JSON
  (cd "$out/npm" && npm pack --silent --pack-destination "$out/npm" "./$platform" >/dev/null)
  optional="$optional    \"@concord-mock/$platform\": \"$version\","$'\n'
done
launcher="$out/npm/launcher"
cp -r "$root/dist/npm/launcher" "$launcher"
cat > "$launcher/package.json" <<JSON
{
  "name": "concord-mock",
  "version": "$version",
  "description": "A stateful mock of the Magicline, Paysafe, ES Loyalty and MasStack APIs. npx concord-mock --port 4010",
  "license": "MIT OR Apache-2.0",
  "bin": { "concord-mock": "bin/concord-mock.js" },
  "files": ["bin", "README.md"],
  "engines": { "node": ">=18" },
  "optionalDependencies": {
${optional%,$'\n'}
  }
}
JSON
(cd "$out/npm" && npm pack --silent --pack-destination "$out/npm" ./launcher >/dev/null)
ls -la "$out/npm"/*.tgz
