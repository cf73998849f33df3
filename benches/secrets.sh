#!/usr/bin/env bash
# Secrets: nhilint's secrets engine alone (MB/s, one thread), then the nhilint CLI (secrets rules
# only), detect-secrets and secretlint on the same generated corpus: wall time and finding count.
#
#   benches/secrets.sh [CORPUS_DIR] [MEGABYTES]      (defaults: target/secrets-corpus 32)
#
# detect-secrets is installed into /tmp/ds-venv (pip) and secretlint with its recommended preset
# into /tmp/secretlint (npm) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-target/secrets-corpus}
MB=${2:-32}

cargo run --release -q --example secrets_bench -- "$DIR" "$MB"
cargo build --release -q

if [ ! -x /tmp/ds-venv/bin/detect-secrets ]; then
  python3 -m venv /tmp/ds-venv && /tmp/ds-venv/bin/pip install -q detect-secrets
fi
if [ ! -x /tmp/secretlint/node_modules/.bin/secretlint ]; then
  mkdir -p /tmp/secretlint && (cd /tmp/secretlint && npm install --silent secretlint @secretlint/secretlint-rule-preset-recommend)
fi

ABS=$(cd "$DIR" && pwd)
timed() { # name, count-command, command...
  local name=$1 counter=$2; shift 2
  local start end
  start=$(date +%s.%N)
  "$@" > /tmp/secrets-bench-out.txt 2>/tmp/secrets-bench-err.txt || true
  end=$(date +%s.%N)
  local n
  n=$(python3 -c "$counter" < /tmp/secrets-bench-out.txt)
  python3 -c "print(f'{\"$name\":<34} {($end - $start):8.2f} s  {$n:6d} findings')"
}

echo "--- same corpus, whole tools (wall time; 2 cores) ---"
timed "nhilint check --select secrets -j1" \
  "import json,sys; print(len(json.load(sys.stdin)['findings']))" \
  target/release/nhilint check "$ABS" --select secrets --format json -j 1
timed "nhilint check --select secrets" \
  "import json,sys; print(len(json.load(sys.stdin)['findings']))" \
  target/release/nhilint check "$ABS" --select secrets --format json
timed "detect-secrets scan --all-files" \
  "import json,sys; print(sum(len(v) for v in json.load(sys.stdin)['results'].values()))" \
  bash -c "cd '$ABS' && /tmp/ds-venv/bin/detect-secrets scan --all-files ."
echo '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}' > /tmp/secretlint/.secretlintrc.json
timed "secretlint (preset-recommend)" \
  "import json,sys; print(sum(len(r.get('messages', [])) for r in json.load(sys.stdin)))" \
  bash -c "cd /tmp/secretlint && node_modules/.bin/secretlint --secretlintrc /tmp/secretlint/.secretlintrc.json --format json '$ABS/**/*'"
