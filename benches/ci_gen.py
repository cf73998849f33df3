#!/usr/bin/env python3
"""Generate N GitHub Actions workflows (plus a few GitLab/CircleCI/Azure/Bitbucket files) for
benches/ci.sh. Deterministic: the same N gives the same tree. usage: ci_gen.py OUT_DIR N"""
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(5)
wf = os.path.join(out, ".github", "workflows")
os.makedirs(wf, exist_ok=True)

TRIGGERS = [
    "on:\n  push:\n    branches: [main]\n  pull_request:\n",
    "on:\n  pull_request_target:\n    types: [opened, synchronize]\n",
    "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        type: choice\n        options: [dev, prod]\n",
    "on:\n  push:\n    tags: ['v*']\n",
    "on: [push, pull_request]\n",
]
PERMS = [
    "permissions:\n  contents: read\n",
    "permissions:\n  contents: write\n  id-token: write\n",
    "permissions: write-all\n",
    "",
    "permissions: {}\n",
]


def job(i, j):
    k = rnd.randrange(6)
    lines = [f"  job{j}:", "    runs-on: " + rnd.choice(["ubuntu-latest", "[self-hosted, linux]", "windows-latest"])]
    if rnd.random() < 0.3:
        lines.append("    environment: " + rnd.choice(["production", "staging"]))
    if rnd.random() < 0.3:
        lines += ["    permissions:", "      contents: read", "      id-token: write"]
    lines += ["    env:", f"      API_TOKEN: ${{{{ secrets.API_TOKEN_{i % 50} }}}}", "      GOFLAGS: -mod=mod"]
    lines += ["    steps:", "      - uses: actions/checkout@v4"]
    if k == 0:
        lines += [
            "      - uses: aws-actions/configure-aws-credentials@v4",
            "        with:",
            f"          role-to-assume: arn:aws:iam::1111222233{i % 100:02d}:role/deploy-{j}",
            "          aws-region: eu-west-1",
        ]
    elif k == 1:
        lines += [
            "      - uses: google-github-actions/auth@v2",
            "        with:",
            f"          workload_identity_provider: projects/{i}/locations/global/workloadIdentityPools/gh/providers/gh",
            f"          service_account: sa-{j}@proj-{i}.iam.gserviceaccount.com",
        ]
    elif k == 2:
        lines += [
            "      - uses: some-vendor/deploy-action@v3",
            "        with:",
            "          token: ${{ secrets.DEPLOY_TOKEN }}",
        ]
    elif k == 3:
        lines += [
            "      - uses: actions/checkout@v4",
            "        with:",
            "          ref: ${{ github.event.pull_request.head.sha }}",
        ]
    lines += [
        "      - name: build and test",
        "        run: |",
        "          set -euo pipefail",
        "          echo \"building $GITHUB_SHA\"",
        "          make build",
        "          make test ARGS=\"-v -race\"",
        "          if [ -n \"$API_TOKEN\" ]; then",
        "            curl -sf -H \"Authorization: Bearer $API_TOKEN\" https://api.example.org/notify",
        "          fi",
        "          echo \"$API_TOKEN\" | docker login ghcr.io -u bot --password-stdin",
        "          for f in dist/*; do sha256sum \"$f\" >> checksums.txt; done",
    ]
    if rnd.random() < 0.2:
        lines.append("          echo \"${{ secrets.SIGNING_KEY }}\" > key.pem")
    lines += ["      - uses: actions/upload-artifact@v4", "        with:", "          name: dist", "          path: dist/"]
    return "\n".join(lines)


for i in range(n):
    body = [f"name: workflow {i}", rnd.choice(TRIGGERS).rstrip("\n"), rnd.choice(PERMS).rstrip("\n"), "jobs:"]
    for j in range(rnd.randrange(2, 5)):
        body.append(job(i, j))
    if rnd.random() < 0.1:
        body += ["  shared:", "    uses: other-org/workflows/.github/workflows/release.yml@v1", "    secrets: inherit"]
    with open(os.path.join(wf, f"wf{i:05d}.yml"), "w") as f:
        f.write("\n".join(x for x in body if x) + "\n")
