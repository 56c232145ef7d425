#!/usr/bin/env bash
# Installs the packed npm packages (dist/build.sh) offline, from their tarballs, into fresh folders and runs
# them through npx: linux x64 natively, linux arm64 under qemu-user (Debian's qemu-user-static, registered
# with binfmt_misc so the launcher's child process runs emulated too); the macOS and Windows binaries are
# checked by file format only (nothing here can run them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
npmdir="$root/target/dist/npm"
version=$(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$npmdir/launcher/package.json")
launcher="$npmdir/concord-mock-$version.tgz"

if ! command -v file >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq file >/dev/null
fi

fresh() {
  local dir
  dir=$(mktemp -d)
  (cd "$dir" && npm init -y >/dev/null)
  echo "$dir"
}

# Starts `npx concord-mock --port 0` in $1, waits for its URL, asks for health and a vendor call.
serve_and_call() {
  local dir=$1 label=$2
  local log="$dir/mock.log"
  (cd "$dir" && exec npx --offline concord-mock --port 0 --log warn > "$log" 2>&1) &
  local pid=$!
  local url=""
  for _ in $(seq 1 200); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log" | head -1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "$label: no URL printed"; cat "$log"; kill $pid; exit 1; }
  local health code
  health=$(curl -sf "$url/__mock/health")
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/customers/1001/access-code" -H "X-API-KEY: demo-magicline-key")
  kill -TERM $pid
  wait $pid || true
  [[ $health == *'"status":"ok"'* ]] || { echo "$label: health answered $health"; exit 1; }
  [ "$code" = 200 ] || { echo "$label: the vendor call answered $code"; exit 1; }
  echo "$label: npx concord-mock served $url (health ok, Magicline access code 200)"
}

# linux x64, natively
dir=$(fresh)
(cd "$dir" && npm install --offline --no-audit --no-fund --loglevel=error "$launcher" "$npmdir/concord-mock-linux-x64-$version.tgz")
[ ! -e "$dir/node_modules/@concord-mock/linux-arm64" ] || { echo "npm installed another platform's package"; exit 1; }
(cd "$dir" && npx --offline concord-mock --help | head -1)
(cd "$dir" && npx --offline concord-mock --version) | tee "$dir/version.txt"
grep -q "(contract " "$dir/version.txt"
serve_and_call "$dir" "linux x64"

# linux arm64, under qemu-user
if [ -f "$npmdir/concord-mock-linux-arm64-$version.tgz" ]; then
  if ! command -v qemu-aarch64-static >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
  fi
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    # The ELF header of an aarch64 executable, and which of its bytes to compare (as Debian's binfmt entry).
    printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' \
      > /proc/sys/fs/binfmt_misc/register
  fi
  dir=$(fresh)
  (cd "$dir" && npm install --offline --no-audit --no-fund --loglevel=error --os=linux --cpu=arm64 --force "$launcher" "$npmdir/concord-mock-linux-arm64-$version.tgz")
  file -b "$dir/node_modules/@concord-mock/linux-arm64/bin/concord-mock" | tee /dev/stderr | grep -q "ARM aarch64"
  export CONCORD_MOCK_PLATFORM=linux-arm64
  (cd "$dir" && npx --offline concord-mock --version)
  serve_and_call "$dir" "linux arm64 (qemu-user)"
  unset CONCORD_MOCK_PLATFORM
fi

# the others: built, not run
check_format() {
  local tgz=$1 pattern=$2 exe=$3
  [ -f "$tgz" ] || return 0
  local dir
  dir=$(mktemp -d)
  tar -xzf "$tgz" -C "$dir"
  local kind
  kind=$(file -b "$dir/package/bin/$exe")
  [[ $kind == *$pattern* ]] || { echo "$tgz: $kind, expected $pattern"; exit 1; }
  echo "$(basename "$tgz"): $kind (built, not run here)"
}
check_format "$npmdir/concord-mock-darwin-x64-$version.tgz" "Mach-O 64-bit x86_64" concord-mock
check_format "$npmdir/concord-mock-darwin-arm64-$version.tgz" "Mach-O 64-bit arm64" concord-mock
# Apple Silicon kills an unsigned arm64 binary: it must carry a code signature (the ad-hoc one the linker adds).
if [ -f "$npmdir/concord-mock-darwin-arm64-$version.tgz" ]; then
  dir=$(mktemp -d)
  tar -xzf "$npmdir/concord-mock-darwin-arm64-$version.tgz" -C "$dir"
  python3 - "$dir/package/bin/concord-mock" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
_, _, _, _, ncmds, _, _, _ = struct.unpack_from("<IiiIIIII", data, 0)
offset, commands = 32, []
for _ in range(ncmds):
    command, size = struct.unpack_from("<II", data, offset)
    commands.append(command)
    offset += size
LC_CODE_SIGNATURE = 0x1D
assert LC_CODE_SIGNATURE in commands, "the macOS arm64 binary has no code signature"
print("darwin-arm64: carries a code signature (LC_CODE_SIGNATURE)")
PY
fi
check_format "$npmdir/concord-mock-win32-x64-$version.tgz" "PE32+ executable (console) x86-64" concord-mock.exe
