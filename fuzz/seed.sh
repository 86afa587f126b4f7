#!/usr/bin/env bash
# Seed the fuzz corpus with every Dockerfile of the fixtures, the corpus and the e2e cases.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/parse_check_fix
i=0
while IFS= read -r -d '' f; do
  cp "$f" "fuzz/corpus/parse_check_fix/seed-$i"
  i=$((i + 1))
done < <(find fixtures corpus tests/e2e/cases fuzz/regressions -type f \( -name 'Dockerfile*' -o -name '*.Dockerfile' -o -name 'Containerfile' -o -name 'dockerfile' \) -print0 2>/dev/null)
echo "seeded $i files"
