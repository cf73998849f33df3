#!/usr/bin/env python3
"""Generate a repository of N federation chains for benches/trust_graph.sh: per chain one
Terraform role with a GitHub or IRSA trust and an inline policy, and its consumer (a workflow job
or an annotated ServiceAccount). Every 10th chain is broad, every 7th refers to a missing SA."""
import os, sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{out}/infra", exist_ok=True)
os.makedirs(f"{out}/.github/workflows", exist_ok=True)
os.makedirs(f"{out}/k8s", exist_ok=True)
with open(f"{out}/nhilint.toml", "w") as f:
    f.write('[org]\nrepository = "acme/app"\n[environments.production]\nproduction = true\n'
            'ci-environments = ["prod"]\nnamespaces = ["prod"]\n[environments.staging]\n'
            'ci-environments = ["staging"]\nnamespaces = ["staging"]\n')
for i in range(n):
    gh = i % 2 == 0
    env = "prod" if i % 3 else "staging"
    if gh:
        sub = "repo:acme/app:*" if i % 10 == 0 else f"repo:acme/app:environment:{env}"
        op = "StringLike" if i % 10 == 0 else "StringEquals"
        fed = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
        key = "token.actions.githubusercontent.com:sub"
    else:
        sa = f"sa{i}" if i % 7 else f"gone{i}"
        sub = f"system:serviceaccount:{env}:{sa}"
        op = "StringEquals"
        fed = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"
        key = "oidc.eks.eu-west-1.amazonaws.com/id/X:sub"
    with open(f"{out}/infra/role{i}.tf", "w") as f:
        f.write(f'''resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = {{ Federated = "{fed}" }}
      Condition = {{ {op} = {{ "{key}" = "{sub}" }} }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "r{i}" {{
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["s3:PutObject"], Resource = "arn:aws:s3:::b{i}/*" }}]
  }})
}}
''')
    if gh:
        with open(f"{out}/.github/workflows/w{i}.yml", "w") as f:
            f.write(f'''on:
  push:
    branches: [main]
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: {env}
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111111111111:role/role-{i}
          aws-region: eu-west-1
''')
    else:
        with open(f"{out}/k8s/sa{i}.yaml", "w") as f:
            f.write(f'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa{i}
  namespace: {env}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111111111111:role/role-{i}
''')
