#!/usr/bin/env bash
# The pip package as users get it: build the wheel with maturin (pyproject.toml), install it
# into a fresh venv, and run the installed `gomodfix` on a fixture and with --version; then
# run the wheel-installing pre-commit hook (pre-commit-mirror/) with `pre-commit try-repo`
# against a repository holding a broken Dockerfile. Run by .ci/run.
# GOMODFIX_WHEEL_DIR: a folder with an already built wheel (skips the build).
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "wheel smoke: FAILED: $*" >&2; exit 1; }

version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
wheels="${GOMODFIX_WHEEL_DIR:-}"
if [ -z "$wheels" ]; then
  command -v maturin > /dev/null 2>&1 || python3 -m pip install --quiet 'maturin>=1.9,<2'
  wheels="$work/wheels"
  # Release profile in ./target: cargo reuses what an earlier release build compiled.
  maturin build --release --quiet --out "$wheels"
fi
found=("$wheels"/gomodfix-"$version"-*.whl)
wheel="${found[0]}"
[ -f "$wheel" ] || fail "no wheel for $version in $wheels"

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-index "$wheel"
bin="$work/venv/bin/gomodfix"
[ -x "$bin" ] || fail "the wheel installed no gomodfix script"

out="$("$bin" --version)"
commit="$(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
if [ -z "${GOMODFIX_WHEEL_DIR:-}" ]; then
  [ "$out" = "gomodfix $version ($commit)" ] || fail "--version printed '$out', expected 'gomodfix $version ($commit)'"
else # a wheel built earlier, maybe at another commit
  [[ "$out" == "gomodfix $version ("*")" ]] || fail "--version printed '$out'"
fi

set +e
out="$("$bin" --output-format concise fixtures/GM001/pos_copy_all_first 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "exit code $code on fixtures/GM001/pos_copy_all_first (expected 1): $out"
grep -q 'GM001' <<< "$out" || fail "no GM001 finding: $out"

# The pre-commit mirror's hook, installing this wheel (found through PIP_FIND_LINKS) in the
# environment pre-commit makes for it.
"$work/venv/bin/python" -m pip install --quiet 'pre-commit>=3'
mirror="$work/mirror"
cp -r pre-commit-mirror "$mirror"
git -C "$mirror" init --quiet
git -C "$mirror" add -A
git -C "$mirror" -c user.name=ci -c user.email=ci@example.com commit --quiet -m mirror
project="$work/project"
cp -r fixtures/GM001/pos_copy_all_first "$project"
git -C "$project" init --quiet
git -C "$project" add -A
set +e
out="$(cd "$project" && PIP_FIND_LINKS="$(dirname "$wheel")" PRE_COMMIT_HOME="$work/pre-commit-home" \
  "$work/venv/bin/pre-commit" try-repo "$mirror" gomodfix --all-files 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "pre-commit hook exit code $code (expected 1, findings): $out"
grep -q 'GM001' <<< "$out" || fail "the pre-commit hook reported no GM001: $out"
grep -q "gomodfix==$version" pre-commit-mirror/pyproject.toml ||
  fail "pre-commit-mirror/pyproject.toml does not pin gomodfix==$version"

echo "wheel smoke: $(basename "$wheel") installs gomodfix $version ($commit); the CLI and the pre-commit hook find GM001"
