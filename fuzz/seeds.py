#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, built from testdata/ (our own fixtures) into OUT/<target>/.

Each target's input format is the one its harness in src/fuzzing.rs reads: plain text for the
parsers; a language byte + source for `code`; a flavour byte + script for `ci_script`; files
joined by lines holding only `@@` for `terraform` and `kustomize`; `path\\ntext` for `scan`.
"""
import hashlib
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]
MAX = 16384

CODE = {".py": 0, ".js": 1, ".ts": 2, ".go": 3, ".java": 4}


def put(target, data):
    if not data or len(data) > MAX:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


files = []
for dirpath, _, names in os.walk(os.path.join(ROOT, "testdata")):
    for n in sorted(names):
        p = os.path.join(dirpath, n)
        with open(p, "rb") as f:
            files.append((os.path.relpath(p, os.path.join(ROOT, "testdata")), f.read()))

for rel, data in files:
    ext = os.path.splitext(rel)[1]
    put("scan", rel.encode() + b"\n" + data)
    if ext in (".tf", ".tfvars", ".hcl"):
        put("hcl", data)
        put("terraform", data)
    if ext in (".yml", ".yaml", ".tpl"):
        put("yaml", data)
        if os.path.basename(rel).startswith("kustomization"):
            # the kustomization with its sibling resources
            d = os.path.dirname(rel)
            sib = [x for r, x in files if os.path.dirname(r) == d and r != rel]
            put("kustomize", b"\n@@\n".join([data] + sib[:5]))
    if ext == ".json":
        put("json", data)
    if ext in CODE:
        put("code", bytes([CODE[ext]]) + data)
    if ext == ".sh":
        for flavour in range(3):
            put("ci_script", bytes([flavour]) + data)

# Terraform: each fixture folder as one project (its .tf files joined).
by_dir = {}
for rel, data in files:
    if rel.endswith(".tf"):
        by_dir.setdefault(os.path.dirname(rel), []).append(data)
for parts in by_dir.values():
    put("terraform", b"\n@@\n".join(parts[:5]))

# Helm: each fixture chart's values.yaml, its helpers and up to two templates (the `helm` harness
# reads values, templates/a.yaml, templates/_helpers.tpl, templates/b.yaml).
charts = {}
for rel, data in files:
    parts = rel.split("/")
    if "templates" in parts:
        i = parts.index("templates")
        charts.setdefault("/".join(parts[:i]), []).append((parts[-1], data))
for chart, tpls in charts.items():
    values = dict(files).get(chart + "/values.yaml", b"")
    helpers = [d for n, d in tpls if n.startswith("_")][:1] or [b""]
    others = [d for n, d in tpls if not n.startswith("_")]
    for i in range(0, max(len(others), 1), 2):
        pair = (others[i:i + 2] + [b"", b""])[:2]
        put("helm", b"\n@@\n".join([values, pair[0], helpers[0], pair[1]]))

# Hand-written seeds (fuzz/seeds/<target>/*) as they are.
seeds = os.path.join(ROOT, "fuzz", "seeds")
for target in os.listdir(seeds):
    for n in os.listdir(os.path.join(seeds, target)):
        with open(os.path.join(seeds, target, n), "rb") as f:
            put(target, f.read())
