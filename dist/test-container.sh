#!/usr/bin/env bash
# Builds the container image (dist/container/Containerfile) around the static linux x64 binary that
# dist/build.sh made, runs it with Debian's podman, and checks that it answers /__mock/health — from outside
# and through its own HEALTHCHECK — and that it refuses to listen on 0.0.0.0 without an admin token.
#
# This machine's quirks, handled here: crun refuses its hybrid cgroup layout, so runc runs the container;
# the sandbox forbids raising rlimits, so the container gets explicit (lower) ones; no bridge network, so
# it shares the host's network.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/dist/bin/x86_64-unknown-linux-musl"
[ -x "$bin/concord-mock" ] || { echo "build the binary first: dist/build.sh x86_64-unknown-linux-musl"; exit 1; }
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
fi
run() {
  podman --runtime runc run --rm --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 "$@"
}
tag=localhost/concord-mock:ci
podman build --quiet --format docker -f "$root/dist/container/Containerfile" -t "$tag" "$bin" >/dev/null
podman image inspect "$tag" --format 'image {{.Id}}: user {{.Config.User}}, {{.Size}} bytes' | cut -c1-200

# Without a token it refuses 0.0.0.0 and says how to allow it.
if refused=$(run "$tag" 2>&1); then
  echo "the image started on 0.0.0.0 without an admin token"; exit 1
fi
echo "$refused" | grep -q "CONCORD_MOCK_ADMIN_TOKEN" || { echo "unexpected refusal: $refused"; exit 1; }
echo "without a token: refused ($(echo "$refused" | grep "^error" | cut -c1-100)…)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="ci-$RANDOM$RANDOM"
name="concord-ci-$port"
podman --runtime runc run -d --name "$name" --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -e CONCORD_MOCK_ADMIN_TOKEN="$token" -e CONCORD_MOCK_PORT="$port" "$tag" >/dev/null
trap 'podman --runtime runc rm -f "$name" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/__mock/health" -H "Authorization: Bearer $token" >/dev/null && break
  sleep 0.1
done
health=$(curl -sf "http://127.0.0.1:$port/__mock/health" -H "Authorization: Bearer $token")
[[ $health == *'"status":"ok"'* ]] || { echo "health: $health"; podman logs "$name"; exit 1; }
echo "the container answers /__mock/health on 0.0.0.0:$port with the admin token"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/__mock/health")
[ "$code" = 401 ] || { echo "without the token the admin API answered $code"; exit 1; }
podman --runtime runc healthcheck run "$name" && echo "its HEALTHCHECK (concord-mock --health-check) passes"
user=$(podman --runtime runc top "$name" user | tail -1 | tr -d ' ')
[ "$user" != root ] || { echo "the mock runs as root"; exit 1; }
echo "it runs as user $user"
