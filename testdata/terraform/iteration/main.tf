# Iteration forms: module for_each over a map, resource for_each over a set and a for
# expression with a filter, count with count.index, splats, dynamic blocks.

locals {
  ci_roles = ["roles/owner"]

  publishers = {
    publish = { admin = true }
    read    = { admin = false }
  }
}

module "roles" {
  source = "./modules/role"

  for_each = {
    admin = {
      policies = {
        AdministratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"
      }
    }
    readonly = {
      policies = {
        ReadOnlyAccess = "arn:aws:iam::aws:policy/ReadOnlyAccess"
      }
    }
  }

  name     = each.key
  policies = each.value.policies
}

resource "google_service_account" "ci" {
  account_id = "ci"
}

resource "google_project_iam_member" "ci" {
  count = length(local.ci_roles)

  project = "acme"
  role    = local.ci_roles[count.index]
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "aws_iam_role" "ci" {
  for_each = { for k, v in local.publishers : k => v if v.admin }

  name = "ci-${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ci" {
  for_each = toset(["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"])

  role       = aws_iam_role.ci["publish"].name
  policy_arn = each.value
}

resource "aws_iam_user" "bots" {
  for_each = toset(["build", "deploy", "lint"])
  name     = "bot-${each.key}"
}

resource "aws_iam_user_policy" "bots" {
  for_each = aws_iam_user.bots

  user = each.value.name
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

data "aws_iam_policy_document" "services" {
  dynamic "statement" {
    for_each = toset(["s3", "sqs"])
    content {
      actions   = ["${statement.value}:*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "services" {
  name   = "services"
  policy = data.aws_iam_policy_document.services.json
}

resource "aws_iam_role" "none" {
  count = 0
  name  = "never-created"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

output "bot_names" {
  value = [for u in local.splat_users : u]
}

locals {
  splat_users = [{ name = "a" }, { name = "b" }][*].name
}

# for_each over another resource: one instance per instance of `aws_iam_role.svc`, each.value
# its body (attributes it does not set read as references: `aws_iam_role.svc["api"].arn`).
resource "aws_iam_role" "svc" {
  for_each = {
    api = "arn:aws:iam::aws:policy/AdministratorAccess"
    web = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  }
  name = "svc-${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = { owner = "platform", policy = each.value }
}

resource "aws_iam_role_policy_attachment" "svc" {
  for_each   = aws_iam_role.svc
  role       = each.value.name
  policy_arn = each.value.tags.policy
}

resource "aws_iam_role_policy" "svc_logs" {
  for_each = { for k, r in aws_iam_role.svc : k => r.name if k != "web" }
  role     = each.value
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "logs:*"
      Resource = "*"
    }]
  })
}

# for_each over a module: one instance per module instance, each.value its outputs.
module "teams" {
  source   = "./modules/team"
  for_each = { ops = true, dev = false }
  name     = each.key
  admin    = each.value
}

resource "aws_iam_role_policy_attachment" "teams" {
  for_each   = module.teams
  role       = each.value.role_name
  policy_arn = each.value.policy_arn
}
