#!/usr/bin/env bash
# CI pipelines: 2,000 generated GitHub Actions workflows (2-4 jobs each, federation steps, run
# scripts that use secrets so the bash analysis runs, ~110 lines per file) scanned by a release
# build on 2 threads. Target: <= 2 s wall.
# usage: benches/ci.sh [N_WORKFLOWS]      needs: hyperfine (apt), python3
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
OUT="${BENCH_DIR:-/tmp/nhilint-ci-bench}"
rm -rf "$OUT"
python3 benches/ci_gen.py "$OUT" "$N"
cargo build --release -q
BIN="${CARGO_TARGET_DIR:-target}/release/nhilint"
echo "files: $(find "$OUT" -type f | wc -l), bytes: $(du -sb "$OUT" | cut -f1)"
"$BIN" check --format json --fail-on none -j 2 "$OUT" | python3 -c '
import json, sys, collections
d = json.load(sys.stdin)
print("findings:", len(d["findings"]), dict(collections.Counter(f["rule_id"] for f in d["findings"])))
print("errors:", len(d["errors"]))'
hyperfine -N --warmup 1 --runs 5 \
  -n "all rules" "$BIN check --quiet --fail-on none -j 2 $OUT" \
  -n "ci rules only" "$BIN check --quiet --fail-on none -j 2 --select ci $OUT"
