#!/usr/bin/env bash
# Kubernetes throughput: 20,000 generated YAML documents (plain manifests as multi-document
# streams, Helm templates, and a Kustomize base with 20 overlays) scanned by the release binary
# with 2 threads, every rule on (the k8s project rules build the RBAC graph once each).
#
#   bash benches/kubernetes.sh                 # DOCS=20000 RUNS=5 OVERLAYS=3
#   NHILINT=/path/to/nhilint DOCS=40000 OVERLAYS=20 bash benches/kubernetes.sh
#
# OVERLAYS overlays each render the 2,000-document Kustomize base, so the project sees
# 2,000 x OVERLAYS more objects (and facts) than the 20,000 files' documents.
#
# Prints the wall time of each run, the median, and the findings count of the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS="${DOCS:-20000}"
RUNS="${RUNS:-5}"
OVERLAYS="${OVERLAYS:-3}"
TARGET="${CARGO_TARGET_DIR:-target}"
NHILINT="${NHILINT:-$TARGET/release/nhilint}"
if [ ! -x "$NHILINT" ]; then
  cargo build --release --quiet
fi
WORK="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK" 2>/dev/null || true' EXIT
REPO="$WORK/repo"
mkdir -p "$REPO"

python3 - "$REPO" "$DOCS" "$OVERLAYS" <<'PY'
import os, sys
root, total, overlays = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
docs = [
'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: ns-{n}
  labels:
    team: team-{n}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/app-{i}
''',
'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{n}
  labels:
    app.kubernetes.io/name: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
    spec:
      serviceAccountName: app-{i}
      automountServiceAccountToken: false
      initContainers:
        - name: migrate
          image: ghcr.io/acme/app:{i}
          args: ["migrate"]
      containers:
        - name: app
          image: ghcr.io/acme/app:{i}
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{ name: app-{i}-db, key: password }}
            - name: TOKEN_TTL
              value: "3600"
          resources:
            limits: {{ cpu: 500m, memory: 256Mi }}
''',
'''apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-{i}
  namespace: ns-{n}
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get"]
''',
'''apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-{i}
  namespace: ns-{n}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-{i}
subjects:
  - kind: ServiceAccount
    name: app-{i}
    namespace: ns-{n}
''',
'''apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}
  namespace: ns-{n}
data:
  LOG_FORMAT: json
  FEATURES: "a,b,c"
  app.properties: |
    server.port=8080
    db.url=jdbc:postgresql://db-{n}:5432/app
    db.password=${{DB_PASSWORD}}
''',
]
helm = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "c.fullname" . }}}}-{i}
  labels:
    {{{{- include "c.labels" . | nindent 4 }}}}
spec:
  template:
    spec:
      serviceAccountName: {{{{ include "c.serviceAccountName" . }}}}
      containers:
        - name: app
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag }}}}"
          env:
            {{{{- range $k, $v := .Values.env }}}}
            - name: {{{{ $k }}}}
              value: {{{{ $v | quote }}}}
            {{{{- end }}}}
'''
written = 0
i = 0
per_file = 20
# 80% plain multi-document files, 10% Helm templates, 10% Kustomize (base + overlays).
plain_docs = total * 8 // 10
helm_docs = total // 10
n = 0
while written < plain_docs:
    d = os.path.join(root, "manifests", f"team-{n % 50}")
    os.makedirs(d, exist_ok=True)
    parts = []
    for _ in range(per_file):
        parts.append(docs[i % len(docs)].format(i=i, n=n % 50))
        i += 1
    with open(os.path.join(d, f"app-{n}.yaml"), "w") as f:
        f.write("---\n".join(parts))
    written += per_file
    n += 1
h = 0
while written < plain_docs + helm_docs:
    d = os.path.join(root, "charts", f"chart-{h // 10}", "templates")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"deploy-{h}.yaml"), "w") as f:
        f.write("---\n".join(helm.format(i=h * 10 + k) for k in range(10)))
    written += 10
    h += 1
base = os.path.join(root, "kustomize", "base")
os.makedirs(base, exist_ok=True)
res = []
k = 0
while written < total - overlays:
    name = f"res-{k}.yaml"
    with open(os.path.join(base, name), "w") as f:
        f.write("---\n".join(docs[(k + j) % len(docs)].format(i=100000 + k * 10 + j, n=k % 7) for j in range(10)))
    res.append(name)
    written += 10
    k += 1
with open(os.path.join(base, "kustomization.yaml"), "w") as f:
    f.write("resources:\n" + "".join(f"  - {r}\n" for r in res))
for o in range(overlays):
    d = os.path.join(root, "kustomize", "overlays", f"env-{o}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "kustomization.yaml"), "w") as f:
        f.write(f"namespace: env-{o}\ncommonLabels:\n  team: env-{o}\nresources:\n  - ../../base\n"
                "patches:\n  - path: patch.yaml\n")
    with open(os.path.join(d, "patch.yaml"), "w") as f:
        f.write(docs[1].format(i=100000, n=0).replace("replicas: 2", f"replicas: {o + 1}"))
    written += 1
print(f"generated {written} documents", file=sys.stderr)
PY

FILES=$(find "$REPO" -type f | wc -l)
BYTES=$(du -sb "$REPO" | cut -f1)
echo "repository: $FILES files, $BYTES bytes, $DOCS documents, $OVERLAYS overlays"
times=()
for r in $(seq "$RUNS"); do
  s=$(date +%s.%N)
  "$NHILINT" check --format json --fail-on none -j 2 "$REPO" > "$WORK/out.json"
  e=$(date +%s.%N)
  t=$(echo "$e - $s" | bc)
  times+=("$t")
  echo "run $r: ${t}s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median wall: ${median}s (2 threads)"
python3 -c "import json,sys; d=json.load(open('$WORK/out.json')); print('findings:', len(d['findings']), 'errors:', len(d['errors']))"
if command -v /usr/bin/time >/dev/null; then
  /usr/bin/time -f "last run: %e s wall, %U s user, %S s sys, %M KB max RSS" \
    "$NHILINT" check --format json --fail-on none -j 2 "$REPO" > /dev/null
fi
