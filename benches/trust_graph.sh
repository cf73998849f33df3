#!/usr/bin/env bash
# Trust graph: N federation chains (role + trust + policy + workflow or ServiceAccount), timed for
# `check --select trust-*` (the six project rules over the joined graph) and `inventory` (json,
# dot). usage: benches/trust_graph.sh [N_CHAINS]      needs: python3, GNU time
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
OUT="${BENCH_DIR:-/tmp/nhilint-trust-bench}"
rm -rf "$OUT"
python3 benches/gen_trust.py "$OUT" "$N"
cargo build --release -q
BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/nhilint"
cd "$OUT"
run() {
  local label="$1"; shift
  local best=""
  for _ in 1 2 3; do
    local t
    t=$( { /usr/bin/time -f "%e %U %S %M" "$@" > /dev/null; } 2>&1 | tail -1)
    if [ -z "$best" ] || [ "$(echo "$t" | cut -d' ' -f1)" \< "$(echo "$best" | cut -d' ' -f1)" ]; then best="$t"; fi
  done
  echo "$label: wall=${best%% *}s (user sys maxrss_kb: ${best#* })"
}
echo "chains=$N files=$(find . -type f | wc -l)"
run "check (all rules)" "$BIN" check --quiet --fail-on none -j 2 .
run "check --select trust-*" "$BIN" check --quiet --fail-on none -j 2 --select 'trust-*' .
run "inventory json" "$BIN" inventory --format json -j 2 .
run "inventory dot" "$BIN" inventory --format dot -j 2 .
