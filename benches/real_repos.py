#!/usr/bin/env python3
"""Precision benchmark on real repositories checked out locally (never committed here).

    python3 benches/real_repos.py [--nhilint BIN] [--config FILE] [--save DIR] REPO_DIR...

For each repository: findings, time, findings per path class and per rule (from
`nhilint check --statistics --format json`). `--save DIR` also writes each repository's full
JSON report to DIR/<name>.json, for triage by hand. Totals and the rules summed over all
repositories come last. Exit code 0 unless nhilint fails (exit 2) on a repository.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter


def run(bin_, repo, extra):
    start = time.monotonic()
    # From inside the repository: paths (and so path classes) are relative to its root even
    # when the checkout has no .git.
    p = subprocess.run([bin_, "check", ".", "-q", *extra], capture_output=True, text=True,
                       cwd=repo)
    took = time.monotonic() - start
    if p.returncode not in (0, 1):
        sys.exit(f"{repo}: nhilint exited {p.returncode}: {p.stderr.strip()[:500]}")
    return p.stdout, took


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nhilint", default="target/release/nhilint")
    ap.add_argument("--config", help="nhilint.toml for every repository")
    ap.add_argument("--save", help="folder for the full JSON reports")
    ap.add_argument("repos", nargs="+")
    a = ap.parse_args()
    a.nhilint = os.path.abspath(a.nhilint)
    extra = ["--config", os.path.abspath(a.config)] if a.config else []
    rules, classes = Counter(), Counter()
    total, total_time = 0, 0.0
    print(f"{'repository':44} {'findings':>8} {'seconds':>8}  path classes")
    for repo in a.repos:
        out, took = run(a.nhilint, repo, ["--statistics", "--format", "json", *extra])
        s = json.loads(out)
        name = os.path.basename(os.path.normpath(repo))
        cls = ", ".join(f"{n} {c}" for c, n in sorted(s["path_classes"].items()))
        print(f"{name:44} {s['total']:8} {took:8.2f}  {cls}")
        for r in s["rules"]:
            print(f"{'':6}{r['count']:5}  {r['rule_id']}")
            rules[r["rule_id"]] += r["count"]
        classes.update(s["path_classes"])
        total += s["total"]
        total_time += took
        if a.save:
            os.makedirs(a.save, exist_ok=True)
            full, _ = run(a.nhilint, repo, ["--format", "json", *extra])
            with open(os.path.join(a.save, name + ".json"), "w") as f:
                f.write(full)
    print(f"\n{'total':44} {total:8} {total_time:8.2f}  "
          + ", ".join(f"{n} {c}" for c, n in sorted(classes.items())))
    for rule, n in rules.most_common():
        print(f"{n:11}  {rule}")


if __name__ == "__main__":
    main()
