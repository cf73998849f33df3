variable "extra_actions" {
  type    = list(string)
  default = ["*"]
}

locals {
  read_actions = ["s3:GetObject", "s3:ListBucket"]
}

# Deny statements never grant; actions that require Resource "*" are fine.
resource "aws_iam_policy" "guardrails" {
  name = "guardrails"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Deny", Action = "*", Resource = "*", Condition = { Bool = { "aws:SecureTransport" = "false" } } },
      { Effect = "Allow", Action = ["sts:GetCallerIdentity", "ec2:DescribeInstances", "ecr:GetAuthorizationToken"], Resource = "*" },
    ]
  })
}

# A wildcard action that arrives through a variable default.
resource "aws_iam_role_policy" "ci" {
  name = "ci"
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = concat(local.read_actions, var.extra_actions)
      Resource = "arn:aws:s3:::artifacts/*"
    }]
  })
}

resource "aws_iam_role" "ci" {
  name = "ci"
  tags = { owner = "build" }
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "codebuild.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policy.json")
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::data/*"]
  }
}

data "aws_iam_policy_document" "combined" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]

  dynamic "statement" {
    for_each = ["dynamodb:*", "sqs:SendMessage"]
    content {
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
