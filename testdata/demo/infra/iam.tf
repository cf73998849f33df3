# Demo: a CI role with an admin policy next to a guardrail.
# Real problem: the GitHub OIDC trust admits every repository of the organisation.
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
    }]
  })
  tags = { owner = "platform" }
}

# Real problem: the deploy role may do anything.
resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

# Near-miss: Deny with "*" is a guardrail, not a grant.
resource "aws_iam_policy" "guardrail" {
  name = "deny-insecure-transport"
  policy = jsonencode({
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# Near-miss: the documentation example key.
variable "example_key" {
  default = "AKIAIOSFODNN7EXAMPLE"
}
