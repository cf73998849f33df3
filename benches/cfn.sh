#!/usr/bin/env bash
# Template throughput against Terraform, per MB: the same IAM content (benches/cfn_gen.py) as
# Terraform, CloudFormation YAML (short-form tags) and CloudFormation JSON; a release
# `nhilint check` of each tree, 3 runs, best wall time; MB/s of each.
#
#   benches/cfn.sh            # 2,000 units (100 files per format)
#   N=500 benches/cfn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
OUT=${OUT:-$(mktemp -d)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/nhilint"
python3 benches/cfn_gen.py "$OUT" "$N"
for fmt in tf yaml json; do
  bytes=$(cat "$OUT/$fmt"/* | wc -c)
  best=999999
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$BIN" check "$OUT/$fmt" --format json --jobs 2 >"$OUT/$fmt.json" || true
    e=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $e - $s))")
  done
  n=$(python3 -c "import json; print(len(json.load(open('$OUT/$fmt.json'))['findings']))")
  python3 -c "print(f'$fmt: {$bytes/1e6:.2f} MB, best {$best:.2f} s, {$bytes/1e6/$best:.2f} MB/s, $n findings')"
done
