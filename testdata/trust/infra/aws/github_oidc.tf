# GitHub Actions roles.

locals {
  github_provider = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
}

# Safe: production deploys only from the protected `prod` environment.
resource "aws_iam_role" "deploy_prod" {
  name = "deploy-prod"
  tags = { owner = "platform", env = "production" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:prod"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deploy_prod" {
  role = aws_iam_role.deploy_prod.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecs:UpdateService", "ecs:DescribeServices"]
      Resource = "arn:aws:ecs:eu-west-1:111111111111:service/prod/app"
    }]
  })
}

# Safe: staging deploys only from the `staging` environment, in the staging account.
resource "aws_iam_role" "deploy_staging" {
  name = "deploy-staging"
  tags = { owner = "platform", env = "staging" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:staging"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "deploy_staging" {
  role = aws_iam_role.deploy_staging.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecs:UpdateService"]
      Resource = "arn:aws:ecs:eu-west-1:222222222222:service/staging/app"
    }]
  })
}

# Unsafe: main-only trust, but the preview workflow runs on pull_request_target; admin rights.
resource "aws_iam_role" "preview" {
  name = "preview"
  tags = { owner = "web" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "preview_admin" {
  role       = aws_iam_role.preview.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

# Unsafe: any repository of the organisation can assume it (read-only, so one level lower).
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ci_read" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# Stale: still trusts the repository's old name.
resource "aws_iam_role" "legacy_sync" {
  name = "legacy-sync"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/old-app:ref:refs/heads/main" }
      }
    }]
  })
}

# Unused: trusted for this repository, holds permissions, no workflow assumes it any more.
resource "aws_iam_role" "release_old" {
  name = "release-old"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "release_old" {
  role = aws_iam_role.release_old.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = "arn:aws:s3:::acme-releases/*"
    }]
  })
}
