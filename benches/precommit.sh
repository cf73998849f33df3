#!/usr/bin/env bash
# Pre-commit latency: a generated 10,000-file repository, 10 changed files passed as arguments
# (exactly what `pre-commit` does), checked by the release binary. Explicit file arguments must
# not walk the tree, so the time must not depend on the repository's size.
#
#   bash benches/precommit.sh            # builds the release binary if needed
#   NHILINT=/path/to/nhilint FILES=10000 RUNS=30 bash benches/precommit.sh
#
# Prints the median and mean wall time (hyperfine when installed, else a bash timing loop).
set -euo pipefail
cd "$(dirname "$0")/.."
FILES="${FILES:-10000}"
RUNS="${RUNS:-30}"
TARGET="${CARGO_TARGET_DIR:-target}"
NHILINT="${NHILINT:-$TARGET/release/nhilint}"
if [ ! -x "$NHILINT" ]; then
  cargo build --release --quiet
fi
NHILINT="$(cd "$(dirname "$NHILINT")" && pwd)/$(basename "$NHILINT")"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK" 2>/dev/null || true' EXIT
REPO="$WORK/repo"
mkdir -p "$REPO"

# A mixed repository: Terraform, Kubernetes YAML, workflows, Python, plain text, 100 folders.
python3 - "$REPO" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
tf = '''resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole",
      Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
  tags = {{ owner = "team-{i}" }}
}}

resource "aws_iam_role_policy" "p{i}" {{
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "{action}", Resource = "*" }}]
  }})
}}
'''
k8s = '''apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: binding-{i}
  namespace: ns-{i}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {role}
subjects:
  - kind: ServiceAccount
    name: sa-{i}
    namespace: ns-{i}
'''
py = '''import os

def handler_{i}(event):
    key = os.environ["API_KEY_{i}"]
    return {{"status": 200, "key_len": len(key)}}
'''
for i in range(n):
    d = os.path.join(root, f"mod{i % 100:03d}")
    os.makedirs(d, exist_ok=True)
    k = i % 4
    if k == 0:
        name, text = f"iam_{i}.tf", tf.format(i=i, action="*" if i % 40 == 0 else "s3:GetObject")
    elif k == 1:
        name, text = f"rbac_{i}.yaml", k8s.format(i=i, role="cluster-admin" if i % 40 == 1 else "view")
    elif k == 2:
        name, text = f"app_{i}.py", py.format(i=i)
    else:
        name, text = f"notes_{i}.md", f"# module {i}\n\nNothing to see.\n" * 3
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
PY
(cd "$REPO" && git init -q && git add -A &&
  git -c user.name=b -c user.email=b@example.invalid -c gc.auto=0 -c maintenance.auto=false commit -qm base)

# The 10 "changed" files pre-commit would pass: a mix of kinds, some with findings.
cd "$REPO"
CHANGED=(mod000/iam_0.tf mod001/rbac_1.yaml mod002/app_2.py mod003/notes_3.md mod004/iam_4.tf
         mod005/rbac_5.yaml mod006/app_6.py mod040/iam_40.tf mod041/rbac_41.yaml mod007/notes_7.md)
echo "repository: $FILES files in $REPO; checking ${#CHANGED[@]} files with $NHILINT"
"$NHILINT" check "${CHANGED[@]}" --fail-on none -q
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs "$RUNS" -N --style basic --export-json "$WORK/h.json" \
    "$NHILINT check ${CHANGED[*]} --fail-on none -q" 2>&1 | grep -E "Time|Range"
  python3 -c 'import json,sys,statistics as s; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print(f"median {s.median(t)*1000:.1f} ms over {len(t)} runs")' "$WORK/h.json"
else
  ts=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N); "$NHILINT" check "${CHANGED[@]}" --fail-on none -q >/dev/null; e=$(date +%s%N)
    ts+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "median %.1f ms, mean %.1f ms, min %.1f ms (%d runs)\n", a[int((NR+1)/2)]/1000, s/NR/1000, a[1]/1000, NR}'
fi
# For comparison: the whole repository (a full walk).
s=$(date +%s%N); "$NHILINT" check . --fail-on none -q >/dev/null; e=$(date +%s%N)
echo "full scan of all $FILES files: $(( (e - s) / 1000000 )) ms"
