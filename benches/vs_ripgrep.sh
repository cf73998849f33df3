#!/usr/bin/env bash
# nhilint against ripgrep on one existing tree, interleaved (nhilint, rg, nhilint, rg, ...), both
# on 2 threads: medians of wall, user+sys CPU and peak RSS (GNU time), the ratios, and the load
# average before and after. Issue 23's trees: `python3 benches/gen_monorepo.py DIR 4000` (the
# monorepo) and `python3 benches/gen_trust.py DIR 2000` (trust-dense).
# usage: benches/vs_ripgrep.sh DIR [nhilint check arguments, e.g. --select secrets]
#        env: RUNS (5), BIN (target/release/nhilint)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$1"; shift
RUNS="${RUNS:-5}"
BIN="${BIN:-target/release/nhilint}"
PATTERNS='(AKIA|ASIA)[A-Z2-7]{16}|gh[pousr]_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20}|xox[baprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{24}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----|npm_[A-Za-z0-9]{36}|pypi-AgE[A-Za-z0-9_-]{50,}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|hvs\.[A-Za-z0-9_-]{24,}'
T=$(mktemp)
: > "$T.nh"; : > "$T.rg"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S %M" -a -o "$T.nh" "$BIN" check --quiet --fail-on none -j 2 "$@" "$DIR" > /dev/null
  /usr/bin/time -f "%e %U %S %M" -a -o "$T.rg" rg -j 2 -c --no-messages -e "$PATTERNS" "$DIR" > /dev/null || true
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T.nh" "$T.rg" <<'PY'
import statistics as s, sys
def med(p):
    rows = [list(map(float, l.split())) for l in open(p) if l.strip() and l.split()[0][0].isdigit()]
    return s.median(r[0] for r in rows), s.median(r[1] + r[2] for r in rows), s.median(r[3] for r in rows) / 1024
nw, nc, nr = med(sys.argv[1]); rw, rc, rr = med(sys.argv[2])
print(f"nhilint: wall {nw:.3f} s, CPU {nc:.3f} s, {nr:.0f} MB | rg: wall {rw:.3f} s, CPU {rc:.3f} s, {rr:.0f} MB | wall ratio {nw/max(rw,1e-3):.1f}x, CPU ratio {nc/max(rc,1e-3):.1f}x")
PY
rm -f "$T" "$T.nh" "$T.rg"
