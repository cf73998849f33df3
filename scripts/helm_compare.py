#!/usr/bin/env python3
"""Differential check of nhilint's Helm renderer against Helm's own library.

Renders each chart directory with `helm-python-sdk` (Helm 4's Go library, offline) and with
nhilint (`cargo run --release --example helm_render`), parses every rendered template as YAML
documents and compares them after normalisation (comments and layout ignored, empty documents
dropped). NOTES.txt is compared as text with surrounding whitespace stripped.

    python3 scripts/helm_compare.py [--nhilint JSON] CHART_DIR...

Prints one line per chart (`same`, or the templates that differ) and a summary; exits 1 when
any chart differs. A chart Helm refuses to render counts as `same` when nhilint reports an
error for the same template.
"""
import json, os, subprocess, sys

import yaml  # PyYAML
import helm_python as helm


def docs(text):
    out = []
    try:
        for d in yaml.safe_load_all(text):
            if d is not None:
                out.append(d)
    except yaml.YAMLError as e:
        return ("yaml-error", str(e).splitlines()[0])
    return out


def main():
    args = sys.argv[1:]
    ours_json = None
    if args[:1] == ["--nhilint"]:
        ours_json = args[1]
        args = args[2:]
    charts = [a.rstrip("/") for a in args]
    if ours_json:
        ours = json.load(open(ours_json))
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        p = subprocess.run(
            ["cargo", "run", "--quiet", "--release", "--example", "helm_render", "--"] + charts,
            cwd=root, capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            sys.exit(2)
        ours = json.loads(p.stdout)
    same = 0
    yaml_errors = 0
    for c in charts:
        name = os.path.basename(c)
        mine = ours.get(name, {})
        try:
            ref = helm.Chart.load(c).render(name="release-name", namespace="default")
            ref_err = None
        except Exception as e:  # Helm refuses the whole chart
            ref, ref_err = {}, str(e).splitlines()[0]
        diffs = []
        if ref_err:
            failed = [k for k, v in mine.items() if v is None]
            if failed:
                same += 1
                print(f"same  {name} (both fail: helm: {ref_err[:120]})")
            else:
                print(f"DIFF  {name}: helm fails ({ref_err[:160]}), nhilint renders")
            continue
        for k in sorted(set(ref) | set(mine)):
            a, b = ref.get(k), mine.get(k)
            if b is None and k in mine:
                diffs.append(f"{k}: nhilint failed")
                continue
            if a is None or b is None:
                if (a or "").strip() or (b or "").strip():
                    diffs.append(f"{k}: only in {'nhilint' if a is None else 'helm'}")
                continue
            if k.endswith("NOTES.txt"):
                if a.strip() != b.strip():
                    diffs.append(f"{k}: notes differ")
                continue
            da, db = docs(a), docs(b)
            if isinstance(db, tuple) and not isinstance(da, tuple):
                yaml_errors += 1
            if da != db:
                diffs.append(f"{k}: documents differ")
        if diffs:
            print(f"DIFF  {name}: " + "; ".join(diffs[:6]) + (" ..." if len(diffs) > 6 else ""))
        else:
            same += 1
            print(f"same  {name}")
    print(f"{same}/{len(charts)} charts render identically; {yaml_errors} YAML syntax errors in nhilint's output")
    sys.exit(0 if same == len(charts) else 1)


if __name__ == "__main__":
    main()
