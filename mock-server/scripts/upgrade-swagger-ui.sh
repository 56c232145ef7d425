#!/usr/bin/env bash
# Upgrades the vendored Swagger UI (mock-server/ui/vendor/swagger-ui/). Used only to upgrade: the files are
# checked in, so `cargo build` never needs Node or npm. Records the version, licence, the tarball's npm
# integrity and each file's SHA-256 in VENDOR.json; `cargo test -p concord-mock --test ui` recomputes them.
#
#   mock-server/scripts/upgrade-swagger-ui.sh 5.35.0
set -euo pipefail
version="${1:?usage: $0 <swagger-ui-dist version>}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/ui/vendor/swagger-ui"
# The files the explorer loads, plus the licence texts that must travel with them.
files=(swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "swagger-ui-dist@$version" --json --silent > pack.json)
tarball="$(cd "$work" && node -e 'console.log(require("./pack.json")[0].filename)')"
integrity="$(cd "$work" && node -e 'console.log(require("./pack.json")[0].integrity)')"
tar -xzf "$work/$tarball" -C "$work"
license="$(node -e 'console.log(require(process.argv[1]).license)' "$work/package/package.json")"
got="$(node -e 'console.log(require(process.argv[1]).version)' "$work/package/package.json")"

rm -rf "$dest"
mkdir -p "$dest"
for f in "${files[@]}"; do cp "$work/package/$f" "$dest/$f"; done

{
  printf '{\n  "package": "swagger-ui-dist",\n  "version": "%s",\n  "license": "%s",\n' "$got" "$license"
  printf '  "source": "https://registry.npmjs.org/swagger-ui-dist/-/%s",\n' "$tarball"
  printf '  "integrity": "%s",\n  "sha256": {\n' "$integrity"
  n=${#files[@]}; i=0
  for f in "${files[@]}"; do
    i=$((i + 1)); sep=','; [ "$i" -eq "$n" ] && sep=''
    printf '    "%s": "%s"%s\n' "$f" "$(sha256sum "$dest/$f" | cut -d' ' -f1)" "$sep"
  done
  printf '  }\n}\n'
} > "$dest/VENDOR.json"
echo "swagger-ui-dist $got vendored into $dest"
