#!/usr/bin/env bash
# Scaling run against ripgrep (issue 23): generated monorepos (benches/gen_monorepo.py) of the
# given sizes; nhilint `check -j 2` and `rg -j 2` with the secret patterns of throughput.sh,
# interleaved (nhilint, rg, nhilint, rg, ...), RUNS each; medians of wall, user+sys CPU and
# peak RSS from GNU time. The machine may be shared: compare CPU as well as wall.
# usage: benches/scaling.sh [SIZES...]   env: RUNS (3), BIN (target/release/nhilint),
#        BENCH_DIR (/tmp/nhilint-scaling), ARGS (extra nhilint arguments, e.g. "--select secrets")
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] && SIZES=("$@") || SIZES=(1000 4000 16000)
RUNS="${RUNS:-3}"
BIN="${BIN:-target/release/nhilint}"
DIR="${BENCH_DIR:-/tmp/nhilint-scaling}"
ARGS="${ARGS:-}"
PATTERNS='(AKIA|ASIA)[A-Z2-7]{16}|gh[pousr]_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20}|xox[baprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{24}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|hvs\.[A-Za-z0-9_-]{24,}'
mkdir -p "$DIR"
T=$(mktemp)
printf '| files | MB | nhilint wall | nhilint CPU | nhilint RSS | rg wall | rg CPU | rg RSS | wall ratio | CPU ratio |\n|---|---|---|---|---|---|---|---|---|---|\n'
for n in "${SIZES[@]}"; do
  repo="$DIR/mono-$n"
  [ -d "$repo" ] || python3 benches/gen_monorepo.py "$repo" "$n" >/dev/null
  mb=$(du -sb "$repo" | awk '{printf "%.1f", $1/1e6}')
  : > "$T.nh"; : > "$T.rg"
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -a -o "$T.nh" "$BIN" check --quiet --fail-on none -j 2 $ARGS "$repo" > /dev/null
    /usr/bin/time -f "%e %U %S %M" -a -o "$T.rg" rg -j 2 -c --no-messages -e "$PATTERNS" "$repo" > /dev/null || true
  done
  python3 - "$n" "$mb" "$T.nh" "$T.rg" <<'PY'
import statistics as s, sys
n, mb, a, b = sys.argv[1:]
def med(p):
    rows = [list(map(float, l.split())) for l in open(p) if l.strip() and l.split()[0][0].isdigit()]
    return s.median(r[0] for r in rows), s.median(r[1] + r[2] for r in rows), s.median(r[3] for r in rows) / 1024
nw, nc, nr = med(a); rw, rc, rr = med(b)
print(f"| {int(n):,} | {mb} | {nw:.2f} s | {nc:.2f} s | {nr:.0f} MB | {rw:.2f} s | {rc:.2f} s | {rr:.0f} MB | {nw/max(rw,1e-3):.1f}x | {nc/max(rc,1e-3):.1f}x |")
PY
done
rm -f "$T" "$T.nh" "$T.rg"
