#!/usr/bin/env python3
"""Compare zizmor token/credential audits with nhilint findings on the same lines.
usage: zcompare.py REPO_ROOT ZIZMOR.json NHILINT.json [--show]"""
import json, sys, collections, os
root, zf, nf = sys.argv[1:4]; show = "--show" in sys.argv
TOKEN = {"artipacked", "excessive-permissions", "template-injection", "dangerous-triggers", "github-env",
         "use-trusted-publishing", "github-app", "secrets-inherit", "overprovisioned-secrets",
         "unredacted-secrets", "hardcoded-container-credentials", "insecure-commands"}
z = json.load(open(zf)); n = json.load(open(nf))["findings"]
by = collections.defaultdict(list)
for f in n:
    by[f["path"]].append(f)
def rel(p): return os.path.relpath(p, root)
res = collections.Counter(); miss = []
for f in z:
    if f["ident"] not in TOKEN: continue
    d = f["determinations"]
    if "--all" not in sys.argv and d["confidence"] == "Low" and d["severity"] in ("Informational", "Low", "Medium"): continue
    loc = [l for l in f["locations"] if l["symbolic"]["kind"] == "Primary"][0]
    p = rel(loc["symbolic"]["key"]["Local"]["verbatim_path"])
    a = loc["concrete"]["location"]["start_point"]["row"] + 1
    b = loc["concrete"]["location"]["end_point"]["row"] + 1
    hits = [g for g in by.get(p, []) if g["start_line"] <= b and g["end_line"] >= a] + \
           [g for g in by.get(p, []) for r in g["related"] if r.get("path", p) == p and r.get("start_line", 0) <= b and r.get("end_line", r.get("start_line", 0)) >= a]
    ok = bool(hits)
    res[(f["ident"], ok)] += 1
    if not ok: miss.append((f["ident"], p, a, loc["symbolic"].get("annotation", "")))
for ident in sorted({k for k, _ in res}):
    print(f"  {ident:26} {res[(ident, True)]}/{res[(ident, True)] + res[(ident, False)]}")
if show:
    for m in miss: print("  MISS", *m)
