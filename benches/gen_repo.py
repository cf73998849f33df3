#!/usr/bin/env python3
"""Generate a synthetic repository for throughput benchmarks.

usage: gen_repo.py OUT_DIR [N_FILES]   (default 10,000 files: .tf, .yaml, workflows, .py, .js, .md)
Deterministic (seeded); about 1 file in 50 holds a planted problem.
"""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
rng = random.Random(42)
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def key():
    return "AKIA" + "".join(rng.choice(B32) for _ in range(16))


def tf(i):
    bad = i % 50 == 0
    action = '"*"' if bad else '["s3:GetObject", "s3:PutObject"]'
    return f'''terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0" }}
  }}
}}

variable "env_{i}" {{
  type    = string
  default = "dev"
}}

resource "aws_s3_bucket" "logs_{i}" {{
  bucket = "logs-{i}-${{var.env_{i}}}"
  tags = {{ owner = "team-{i % 17}", env = var.env_{i} }}
}}

resource "aws_iam_role" "app_{i}" {{
  name = "app-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ec2.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
  tags = {{ owner = "team-{i % 17}" }}
}}

resource "aws_iam_role_policy" "app_{i}" {{
  role = aws_iam_role.app_{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {action}
      Resource = "arn:aws:s3:::logs-{i}/*"
    }}]
  }})
}}
'''


def k8s(i):
    bad = i % 50 == 1
    role = "cluster-admin" if bad else "view"
    return f'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
  labels:
    team: team-{i % 17}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
  labels: {{ app: app-{i}, team: team-{i % 17} }}
spec:
  replicas: 2
  selector:
    matchLabels: {{ app: app-{i} }}
  template:
    metadata:
      labels: {{ app: app-{i} }}
    spec:
      serviceAccountName: app-{i}
      automountServiceAccountToken: false
      containers:
        - name: app
          image: ghcr.io/acme/app-{i}:1.{i % 9}.0
          ports: [{{ containerPort: 8080 }}]
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom: {{ secretKeyRef: {{ name: db-{i}, key: password }} }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {role}
subjects:
  - kind: ServiceAccount
    name: app-{i}
    namespace: ns-{i % 23}
'''


def workflow(i):
    perms = "write-all" if i % 50 == 2 else "\n  contents: read"
    return f'''name: ci-{i}
on:
  push:
    branches: [main]
  pull_request:
permissions: {perms}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
      - uses: actions/setup-python@0a5c61591373683505ea898e09a3ea4f39ef2b9c
        with:
          python-version: "3.12"
      - run: |
          pip install -r requirements.txt
          pytest -q tests/test_{i}.py
        env:
          API_TOKEN: ${{{{ secrets.API_TOKEN }}}}
'''


def py(i):
    secret = f'LEGACY = "{key()}"\n' if i % 50 == 3 else ""
    return f'''import os
import logging

import boto3

log = logging.getLogger(__name__)
{secret}

def handler_{i}(event, context):
    """Process one event for service {i}."""
    client = boto3.client("s3", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
    bucket = os.environ["BUCKET"]
    for record in event.get("Records", []):
        key = record["s3"]["object"]["key"]
        log.info("processing %s/%s", bucket, key)
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        yield transform_{i}(body)


def transform_{i}(data: bytes) -> bytes:
    return data.upper()
'''


def js(i):
    return f'''import {{ S3Client, GetObjectCommand }} from "@aws-sdk/client-s3";

const client = new S3Client({{ region: process.env.AWS_REGION }});

export async function handler{i}(event) {{
  const out = [];
  for (const r of event.Records ?? []) {{
    const res = await client.send(new GetObjectCommand({{ Bucket: process.env.BUCKET, Key: r.s3.object.key }}));
    out.push(await res.Body.transformToString());
  }}
  return out.map((s) => s.trim()).filter(Boolean);
}}
'''


def md(i):
    return f"""# Service {i}

This service reads objects from S3 and writes a summary. Configure it with the
`BUCKET` and `AWS_REGION` environment variables. Credentials come from the
instance role; never put access keys in this repository.

## Running

    make run SERVICE={i}

See the runbook for on-call procedures.
""" * 2


kinds = [
    ("infra/mod{d}/main_{i}.tf", tf),
    ("k8s/ns{d}/app_{i}.yaml", k8s),
    (".github/workflows/ci_{i}.yml", workflow),
    ("services/s{d}/handler_{i}.py", py),
    ("web/w{d}/handler_{i}.js", js),
    ("docs/d{d}/service_{i}.md", md),
]
total = 0
for i in range(n):
    pat, fn = kinds[i % len(kinds)]
    path = os.path.join(out, pat.format(d=i // 200, i=i))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = fn(i)
    total += len(text)
    with open(path, "w") as f:
        f.write(text)
print(f"{n} files, {total / 1e6:.1f} MB in {out}")
