#!/usr/bin/env python3
"""Generate a synthetic monorepo for the ripgrep comparison and the scaling run (issue 23).

usage: gen_monorepo.py OUT_DIR N_FILES
About 11 KB per file on average (4,000 files ~ 45 MB): Terraform modules (main.tf, variables.tf,
terraform.tfvars), Kubernetes manifests, GitHub workflows, Python / JavaScript / Go code and
Markdown docs, in service directories of 40 files. Deterministic (seeded); about 1 file in 50
holds a planted problem (wildcard policy, cluster-admin binding, write-all workflow, key).
Reuses the file bodies of gen_repo.py, repeated to realistic sizes.
"""
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
# gen_repo.py writes a repository when run; only its body functions are wanted here.
src = open(os.path.join(here, "gen_repo.py")).read().split("\nfor i in range(")[0]
g = {"__name__": "gen_repo_bodies", "sys": sys}
sys_argv = sys.argv
sys.argv = ["gen_repo.py", "/dev/null", "0"]
exec(compile(src, "gen_repo.py", "exec"), g)
sys.argv = sys_argv

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(23)


def tfvars(i):
    return "".join(f'env_{i} = "prod"\nreplicas_{i}_{j} = {j}\n' for j in range(40))


def go(i):
    fn = "".join(
        f"""
func Handle{i}_{j}(ctx context.Context, req *Request) (*Response, error) {{
\tif req == nil {{
\t\treturn nil, errors.New("empty request")
\t}}
\tlog.Printf("service {i} handler {j}: %s", req.ID)
\treturn &Response{{ID: req.ID, Status: http.StatusOK}}, nil
}}
"""
        for j in range(25)
    )
    return f"package svc{i}\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"log\"\n\t\"net/http\"\n)\n{fn}"


KINDS = [
    # (weight, file name, body, repeat range)
    (12, "main.tf", lambda i: g["tf"](i), (6, 22)),
    (4, "variables.tf", lambda i: "".join(
        f'variable "v_{i}_{j}" {{\n  type    = string\n  default = "x{j}"\n  description = "setting {j} of service {i}"\n}}\n\n'
        for j in range(30)), (1, 3)),
    (2, "terraform.tfvars", tfvars, (1, 2)),
    (18, "k8s/deploy.yaml", lambda i: g["k8s"](i), (4, 14)),
    (5, ".github/workflows/ci.yml", lambda i: g["workflow"](i), (1, 1)),
    (18, "app.py", lambda i: g["py"](i), (9, 26)),
    (14, "index.js", lambda i: g["js"](i), (12, 34)),
    (9, "main.go", go, (2, 4)),
    (18, "README.md", lambda i: g["md"](i), (12, 30)),
]
total = sum(k[0] for k in KINDS)

os.makedirs(out, exist_ok=True)
written = 0
for i in range(n):
    r = rng.randrange(total)
    for w, name, body, (lo, hi) in KINDS:
        if r < w:
            break
        r -= w
    svc = f"services/svc{i // 40:05d}"
    base, ext = os.path.splitext(name)
    if name.startswith(".github/workflows/"):
        path = os.path.join(out, f".github/workflows/ci-{i}.yml")
    else:
        path = os.path.join(out, svc, f"{base}-{i}{ext}" if name != "terraform.tfvars" else f"t{i}/terraform.tfvars")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    reps = rng.randint(lo, hi)
    text = body(i)
    if ext in (".yaml",):
        text = "---\n".join(body(i * 1000 + k) for k in range(reps))
    elif name == "main.tf":
        text = "".join(body(i * 1000 + k) for k in range(reps))
    elif reps > 1 and ext not in (".yml", ".tfvars"):
        text = "".join(body(i * 1000 + k) for k in range(reps))
    with open(path, "w") as f:
        f.write(text)
    written += len(text)
print(f"{n} files, {written / 1e6:.1f} MB in {out}", file=sys.stderr)
