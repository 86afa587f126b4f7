#!/usr/bin/env bash
# Installs gomodfix for the GitHub Action (action.yml): the prebuilt binary of the release the
# action was used at (`uses: gomodfix/gomodfix@v0.1.0`), from the assets cargo-dist publishes,
# checked against its .sha256 file. Compiles with cargo only when there is nothing to download:
# the action used at a branch or commit, a runner OS/arch with no build, or a release without
# that asset (HTTP 404). A wrong checksum, or any other download error, fails the step.
#
# Environment (action.yml sets the first four from the runner):
#   GOMODFIX_REF           the action's ref (github.action_ref); v1.2.3 or 1.2.3 is a release
#   RUNNER_OS, RUNNER_ARCH Linux|macOS|Windows, X64|ARM64
#   GITHUB_PATH            file the install folder is appended to (optional)
#   GOMODFIX_INSTALL_DIR   where the binary goes (default $RUNNER_TEMP/gomodfix-bin)
#   GOMODFIX_RELEASE_URL   base of the release downloads, <base>/<tag>/<asset> (default the
#                          releases of Cargo.toml's `repository`, the project's one address)
#   GOMODFIX_COMPILE_CMD   the fallback (default: cargo install --locked --path <action folder>)
set -euo pipefail

say() { echo "gomodfix-install: $*" >&2; }
die() { say "error: $*"; exit 1; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repository="$(sed -n 's/^repository *= *"\(.*\)"/\1/p' "$here/Cargo.toml" | head -n 1)"
base="${GOMODFIX_RELEASE_URL:-$repository/releases/download}"
base="${base%/}"
install_dir="${GOMODFIX_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gomodfix-bin}"
ref="${GOMODFIX_REF:-}"

compile() {
  say "$1; compiling from source instead"
  if [ -n "${GOMODFIX_COMPILE_CMD:-}" ]; then
    bash -c "$GOMODFIX_COMPILE_CMD"
  else
    cargo install --locked --path "$here"
  fi
  exit 0
}

# The release tag: only a version ref names a release.
if [[ "$ref" =~ ^v?([0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?)$ ]]; then
  tag="v${BASH_REMATCH[1]}"
else
  compile "the action's ref '${ref}' is not a release tag"
fi

# cargo-dist's target triples (dist-workspace.toml) for the runner.
os="${RUNNER_OS:-$(uname -s)}"
arch="${RUNNER_ARCH:-$(uname -m)}"
case "$os" in
  Linux | linux) os=linux ;;
  macOS | Darwin | darwin) os=macos ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
esac
case "$arch" in
  X64 | x86_64 | amd64) arch=x86_64 ;;
  ARM64 | arm64 | aarch64) arch=aarch64 ;;
esac
case "$os/$arch" in
  linux/x86_64 | linux/aarch64) target="$arch-unknown-linux-musl"; ext=tar.xz; exe=gomodfix ;;
  macos/x86_64 | macos/aarch64) target="$arch-apple-darwin"; ext=tar.xz; exe=gomodfix ;;
  windows/x86_64) target="x86_64-pc-windows-msvc"; ext=zip; exe=gomodfix.exe ;;
  *) compile "no prebuilt gomodfix for $os/$arch" ;;
esac
asset="gomodfix-$target.$ext"
url="$base/$tag/$asset"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch URL FILE: prints the HTTP status (000 when there was no answer).
fetch() {
  curl --silent --show-error --location --retry 3 --output "$2" --write-out '%{http_code}' "$1" ||
    true
}

status="$(fetch "$url" "$work/$asset")"
case "$status" in
  200) ;;
  404) compile "release $tag has no asset $asset ($url: 404)" ;;
  *) die "downloading $url failed (HTTP $status)" ;;
esac
status="$(fetch "$url.sha256" "$work/$asset.sha256")"
[ "$status" = 200 ] || die "downloading $url.sha256 failed (HTTP $status); not installing an unverified binary"

expected="$(tr -d '\r' < "$work/$asset.sha256" | awk '{print tolower($1); exit}')"
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "$asset.sha256 holds no SHA-256: '$expected'"
if command -v sha256sum > /dev/null 2>&1; then
  actual="$(sha256sum "$work/$asset" | awk '{print $1}')"
elif command -v shasum > /dev/null 2>&1; then
  actual="$(shasum -a 256 "$work/$asset" | awk '{print $1}')"
else
  actual="$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$work/$asset")"
fi
[ "$actual" = "$expected" ] ||
  die "checksum mismatch for $asset: expected $expected, got $actual; refusing to install it"

mkdir -p "$work/x"
case "$ext" in
  tar.xz) tar -xJf "$work/$asset" -C "$work/x" ;;
  zip)
    if command -v unzip > /dev/null 2>&1; then
      unzip -q "$work/$asset" -d "$work/x"
    elif command -v 7z > /dev/null 2>&1; then
      7z x -y -o"$work/x" "$work/$asset" > /dev/null
    else
      python3 -m zipfile -e "$work/$asset" "$work/x"
    fi
    ;;
esac
bin="$(find "$work/x" -type f -name "$exe" | head -n 1)"
[ -n "$bin" ] || die "$asset has no $exe"

mkdir -p "$install_dir"
cp "$bin" "$install_dir/$exe"
chmod +x "$install_dir/$exe"
if [ -n "${GITHUB_PATH:-}" ]; then
  # Windows runners read GITHUB_PATH as a Windows path (Git Bash's /d/a/... is not one).
  if command -v cygpath > /dev/null 2>&1; then
    cygpath -w "$install_dir" >> "$GITHUB_PATH"
  else
    echo "$install_dir" >> "$GITHUB_PATH"
  fi
fi
say "installed gomodfix $tag ($target, sha256 $actual) in $install_dir"
