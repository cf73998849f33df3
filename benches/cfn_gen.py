#!/usr/bin/env python3
"""Equivalent IAM content as Terraform, CloudFormation YAML and CloudFormation JSON (benches/cfn.sh).

Per unit i: an OIDC-trusted deploy role, an inline policy, a managed policy attached to the role,
a parameter/variable feeding an action, a user with an access key. Every 50th unit has a
wildcard action, so each format yields the same findings. Usage: cfn_gen.py OUT N
"""
import json
import os
import sys

out, n = sys.argv[1], int(sys.argv[2])
per_file = 20


def tf_unit(i):
    star = "*" if i % 50 == 0 else "s3:GetObject"
    return f'''
variable "actions_{i}" {{
  default = ["s3:PutObject", "s3:ListBucket"]
}}
resource "aws_iam_role" "deploy_{i}" {{
  name                 = "deploy-{i}"
  max_session_duration = 3600
  tags                 = {{ team = "team-{i % 17}", env = "prod" }}
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringEquals = {{ "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }}
        StringLike   = {{ "token.actions.githubusercontent.com:sub" = "repo:acme/app-{i}:ref:refs/heads/main" }}
      }}
    }}]
  }})
  inline_policy {{
    name = "inline-{i}"
    policy = jsonencode({{
      Version   = "2012-10-17"
      Statement = [{{ Effect = "Allow", Action = ["{star}", "s3:PutObject"], Resource = "arn:aws:s3:::bucket-{i}/*" }}]
    }})
  }}
}}
resource "aws_iam_policy" "managed_{i}" {{
  name = "managed-{i}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{ Effect = "Allow", Action = var.actions_{i}, Resource = "arn:aws:s3:::bucket-{i}" }},
      {{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }},
    ]
  }})
}}
resource "aws_iam_role_policy_attachment" "managed_{i}" {{
  role       = aws_iam_role.deploy_{i}.name
  policy_arn = aws_iam_policy.managed_{i}.arn
}}
resource "aws_iam_user" "ci_{i}" {{
  name = "ci-{i}"
  tags = {{ team = "team-{i % 17}" }}
}}
'''


def cfn_resources(i):
    star = "*" if i % 50 == 0 else "s3:GetObject"
    return {
        f"Deploy{i}": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": f"deploy-{i}",
                "MaxSessionDuration": 3600,
                "Tags": [{"Key": "team", "Value": f"team-{i % 17}"}, {"Key": "env", "Value": "prod"}],
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:acme/app-{i}:ref:refs/heads/main"},
                        },
                    }],
                },
                "Policies": [{
                    "PolicyName": f"inline-{i}",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": [star, "s3:PutObject"], "Resource": f"arn:aws:s3:::bucket-{i}/*"}],
                    },
                }],
            },
        },
        f"Managed{i}": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": f"managed-{i}",
                "Roles": [{"Ref": f"Deploy{i}"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": {"Ref": f"Actions{i}"}, "Resource": f"arn:aws:s3:::bucket-{i}"},
                        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
                    ],
                },
            },
        },
        f"Ci{i}": {
            "Type": "AWS::IAM::User",
            "Properties": {"UserName": f"ci-{i}", "Tags": [{"Key": "team", "Value": f"team-{i % 17}"}]},
        },
    }


def to_yaml(v, ind=0):
    """A small YAML writer using short-form tags for Ref (the generated values need no quoting
    beyond what is done here)."""
    sp = "  " * ind
    if isinstance(v, dict):
        if list(v.keys()) == ["Ref"]:
            return f"!Ref {v['Ref']}"
        lines = []
        for k, x in v.items():
            r = to_yaml(x, ind + 1)
            if isinstance(x, (dict, list)) and x and not (isinstance(x, dict) and list(x.keys()) == ["Ref"]):
                lines.append(f"{sp}{k}:\n{r}")
            else:
                lines.append(f"{sp}{k}: {r}")
        return "\n".join(lines)
    if isinstance(v, list):
        lines = []
        for x in v:
            r = to_yaml(x, ind + 1)
            if isinstance(x, dict) and not list(x.keys()) == ["Ref"]:
                lines.append(f"{sp}- {r.lstrip()}")
            else:
                lines.append(f"{sp}- {r}")
        return "\n".join(lines)
    if isinstance(v, str):
        return json.dumps(v) if (":" in v or "*" in v or v[:1].isdigit()) else v
    return str(v)


for fmt in ("tf", "yaml", "json"):
    os.makedirs(f"{out}/{fmt}", exist_ok=True)
for f0 in range(0, n, per_file):
    units = range(f0, min(n, f0 + per_file))
    with open(f"{out}/tf/iam_{f0}.tf", "w") as fh:
        fh.write("".join(tf_unit(i) for i in units))
    params = {f"Actions{i}": {"Type": "CommaDelimitedList", "Default": "s3:PutObject,s3:ListBucket"} for i in units}
    res = {}
    for i in units:
        res.update(cfn_resources(i))
    tmpl = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": params, "Resources": res}
    with open(f"{out}/json/iam_{f0}.template.json", "w") as fh:
        json.dump(tmpl, fh, indent=1)
    with open(f"{out}/yaml/iam_{f0}.yaml", "w") as fh:
        fh.write(to_yaml(tmpl) + "\n")
