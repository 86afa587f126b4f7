#!/usr/bin/env bash
# The release archive for real: cargo-dist builds x86_64-unknown-linux-musl as release.yml does
# on a tag (unless GOMODFIX_DISTRIB names a folder that holds it already), then the Action's
# install script downloads it from a local server laid out like GitHub Releases, checks its
# SHA-256 and installs it; the installed static binary must run on a fixture (exit 1, GM001)
# and name this version and commit. Compiling is stubbed to fail: it must not be needed.
# Needs `dist` (cargo-dist) and musl-gcc (Debian's musl-tools, as dist's workflow installs).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dist smoke: FAILED: $*" >&2; exit 1; }

version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
target=x86_64-unknown-linux-musl
asset="gomodfix-$target.tar.xz"
distrib="${GOMODFIX_DISTRIB:-}"
if [ -z "$distrib" ]; then
  dist build --artifacts=local --target "$target" > "$work/dist.log" 2>&1 ||
    { tail -n 40 "$work/dist.log" >&2; fail "dist build --target $target"; }
  # The installer scripts (gomodfix-installer.sh/.ps1) too.
  dist build --artifacts=global > "$work/dist-global.log" 2>&1 ||
    { tail -n 40 "$work/dist-global.log" >&2; fail "dist build --artifacts=global"; }
  distrib=target/distrib
fi
for f in "$asset" "$asset.sha256"; do
  [ -f "$distrib/$f" ] || fail "no $f in $distrib"
done

mkdir -p "$work/srv/v$version"
cp "$distrib/$asset" "$distrib/$asset.sha256" "$work/srv/v$version/"
python3 - "$work/srv" "$work/port" << 'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
PY
server=$!
for _ in $(seq 50); do [ -f "$work/port" ] && break; sleep 0.1; done
[ -f "$work/port" ] || fail "the local release server did not start"

GOMODFIX_REF="v$version" RUNNER_OS=Linux RUNNER_ARCH=X64 \
  GOMODFIX_RELEASE_URL="http://127.0.0.1:$(cat "$work/port")" \
  GOMODFIX_INSTALL_DIR="$work/bin" GITHUB_PATH="$work/github_path" \
  GOMODFIX_COMPILE_CMD='echo "compiling was not expected" >&2; exit 3' \
  bash action/install.sh 2> "$work/install.log" || { cat "$work/install.log" >&2; fail "action/install.sh"; }
grep -q "sha256 $(cut -d' ' -f1 "$distrib/$asset.sha256")" "$work/install.log" ||
  fail "install did not report the checksum it verified: $(cat "$work/install.log")"
bin="$work/bin/gomodfix"
[ "$(cat "$work/github_path")" = "$work/bin" ] || fail "GITHUB_PATH does not name $work/bin"

# Static: no program interpreter (runs on any Linux, glibc or musl).
if command -v readelf > /dev/null 2>&1; then
  ! readelf -l "$bin" | grep -q 'program interpreter' || fail "$asset's binary is dynamically linked"
fi
commit="$(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
out="$("$bin" --version)"
if [ -z "${GOMODFIX_DISTRIB:-}" ]; then
  [ "$out" = "gomodfix $version ($commit)" ] || fail "--version printed '$out', not '$version ($commit)'"
else # an archive built earlier, maybe at another commit
  [[ "$out" == "gomodfix $version ("*")" ]] || fail "--version printed '$out'"
fi
set +e
out="$("$bin" --output-format concise fixtures/GM001/pos_copy_all_first 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "exit code $code on fixtures/GM001/pos_copy_all_first: $out"
grep -q GM001 <<< "$out" || fail "no GM001: $out"

# The README's `curl … gomodfix-installer.sh | sh`, against the same local release.
[ -f "$distrib/gomodfix-installer.sh" ] || fail "no gomodfix-installer.sh in $distrib"
GOMODFIX_DOWNLOAD_URL="http://127.0.0.1:$(cat "$work/port")/v$version" \
  GOMODFIX_UNMANAGED_INSTALL="$work/by-installer" \
  sh "$distrib/gomodfix-installer.sh" --quiet > "$work/installer.log" 2>&1 ||
  { cat "$work/installer.log" >&2; fail "gomodfix-installer.sh"; }
installed="$(find "$work/by-installer" -type f -name gomodfix | head -n 1)"
[ -n "$installed" ] || fail "gomodfix-installer.sh installed no gomodfix: $(cat "$work/installer.log")"
cmp -s "$installed" "$bin" || fail "the installer and action/install.sh installed different binaries"

echo "dist smoke: $asset built by cargo-dist, installed by action/install.sh (sha256 checked) and by gomodfix-installer.sh, static, finds GM001"
