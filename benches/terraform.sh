#!/usr/bin/env bash
# Terraform throughput: generate 5,000 .tf files (500 module directories of 10 files: variables,
# locals, jsonencode/heredoc/policy-document policies, OIDC trusts, GCP and Azure identities,
# a module call per directory) and time a release `nhilint check` on 2 threads.
#
#   benches/terraform.sh            # build release, generate, time 3 runs
#   N_DIRS=100 benches/terraform.sh # smaller
set -euo pipefail
cd "$(dirname "$0")/.."
N_DIRS=${N_DIRS:-500}
OUT=${OUT:-$(mktemp -d)}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/nhilint"

gen_dir() {
  local d=$1 i=$2
  mkdir -p "$d/modules/role"
  cat >"$d/variables.tf" <<TF
variable "subjects_$i" {
  type    = list(string)
  default = ["repo:acme/app-$i:ref:refs/heads/$( [ $((i % 50)) -eq 0 ] && echo "*" || echo main)"]
}
variable "actions_$i" {
  default = ["s3:GetObject", "s3:PutObject"]
}
variable "session_$i" {
  default = 3600
}
TF
  cat >"$d/locals.tf" <<TF
locals {
  name_$i   = "svc-$i"
  bucket_$i = "arn:aws:s3:::bucket-$i"
  tags_$i   = merge({ team = "team-$((i % 17))" }, { env = "prod" })
}
TF
  cat >"$d/providers.tf" <<TF
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { owner = "platform" }
  }
}
TF
  cat >"$d/iam.tf" <<TF
resource "aws_iam_role" "app_$i" {
  name                 = local.name_$i
  max_session_duration = var.session_$i
  tags                 = local.tags_$i
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "app_$i" {
  role = aws_iam_role.app_$i.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = var.actions_$i, Resource = "\${local.bucket_$i}/*" },
      { Effect = "Allow", Action = ["sts:GetCallerIdentity", "ec2:DescribeInstances"], Resource = "*" },
      { Effect = "Deny", Action = "*", Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } },
    ]
  })
}
TF
  cat >"$d/heredoc.tf" <<TF
resource "aws_iam_policy" "logs_$i" {
  name   = "logs-$i"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:CreateLogStream"], "Resource": "arn:aws:logs:*:*:log-group:/app/$i:*"}
      ]
    }
  EOT
}
TF
  cat >"$d/document.tf" <<TF
data "aws_iam_policy_document" "read_$i" {
  statement {
    sid       = "Read"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = ["arn:aws:dynamodb:eu-west-1:111122223333:table/t$i"]
  }
  dynamic "statement" {
    for_each = ["sqs:SendMessage", "sqs:ReceiveMessage"]
    content {
      actions   = [statement.value]
      resources = ["arn:aws:sqs:eu-west-1:111122223333:q$i"]
    }
  }
}

resource "aws_iam_policy" "read_$i" {
  policy = data.aws_iam_policy_document.read_$i.json
}
TF
  cat >"$d/oidc.tf" <<TF
module "ci_role_$i" {
  source   = "./modules/role"
  subjects = var.subjects_$i
}
TF
  cat >"$d/gcp.tf" <<TF
resource "google_service_account" "sa_$i" {
  account_id = "sa-$i"
  project    = "acme-$((i % 7))"
}

resource "google_project_iam_member" "sa_$i" {
  project = "acme-$((i % 7))"
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:\${google_service_account.sa_$i.email}"
}
TF
  cat >"$d/azure.tf" <<TF
resource "azurerm_user_assigned_identity" "id_$i" {
  name                = "id-$i"
  location            = "westeurope"
  resource_group_name = "rg-$i"
  tags                = { owner = "team-$i" }
}

resource "azurerm_role_assignment" "id_$i" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-$i"
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.id_$i.principal_id
}
TF
  cat >"$d/modules/role/main.tf" <<'TF'
variable "subjects" {
  type = list(string)
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = var.subjects
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = { owner = "ci" }
}
TF
}

for i in $(seq 1 "$N_DIRS"); do
  gen_dir "$OUT/stack-$i" "$i"
done
count=$(find "$OUT" -name '*.tf' | wc -l)
echo "generated $count .tf files in $OUT"

for run in 1 2 3; do
  start=$(date +%s.%N)
  "$BIN" check --jobs 2 --format json "$OUT" >/tmp/nhilint-tf-bench.json || true
  end=$(date +%s.%N)
  n=$(python3 -c 'import json;print(len(json.load(open("/tmp/nhilint-tf-bench.json"))["findings"]))')
  printf 'run %d: %.2f s wall, %s findings\n' "$run" "$(echo "$end - $start" | bc)" "$n"
done
[ -n "${KEEP:-}" ] || rm -rf "$OUT"
