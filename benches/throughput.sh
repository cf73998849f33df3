#!/usr/bin/env bash
# Whole-repository throughput: nhilint (release, 2 threads) vs ripgrep searching the same tree for
# a set of secret patterns (2 threads) — ripgrep reading every byte is the practical floor.
# usage: benches/throughput.sh [N_FILES]      needs: ripgrep, hyperfine, GNU time (apt)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
OUT="${BENCH_DIR:-/tmp/nhilint-bench-repo}"
rm -rf "$OUT"
python3 benches/gen_repo.py "$OUT" "$N"
cargo build --release -q
BIN="${CARGO_TARGET_DIR:-target}/release/nhilint"
BYTES=$(du -sb "$OUT" | cut -f1)
PATTERNS='(AKIA|ASIA)[A-Z2-7]{16}|gh[pousr]_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20}|xox[baprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{24}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|hvs\.[A-Za-z0-9_-]{24,}'
hyperfine -N --warmup 1 --runs 5 --export-json /tmp/nhilint-throughput.json \
  -n nhilint "$BIN check --quiet --fail-on none -j 2 $OUT" \
  -n ripgrep "rg -j 2 -c --no-messages -e '$PATTERNS' $OUT"
/usr/bin/time -f "nhilint peak RSS %M KB" "$BIN" check --quiet --fail-on none -j 2 "$OUT" > /dev/null
python3 - "$N" "$BYTES" <<'PY'
import json, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
r = {x["command"]: x["median"] for x in json.load(open("/tmp/nhilint-throughput.json"))["results"]}
nh, rg = r["nhilint"], r["ripgrep"]
print(f"files={n} bytes={size} nhilint={nh*1000:.0f}ms ({n/nh:.0f} files/s, {size/nh/1e6:.1f} MB/s) "
      f"ripgrep={rg*1000:.0f}ms ratio={nh/rg:.2f}x")
PY
