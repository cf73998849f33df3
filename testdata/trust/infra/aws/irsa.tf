# EKS IAM roles for service accounts.

# Safe: exactly the prod/api ServiceAccount.
resource "aws_iam_role" "api" {
  name = "api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD" }
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/PROD:aud" = "sts.amazonaws.com"
          "oidc.eks.eu-west-1.amazonaws.com/id/PROD:sub" = "system:serviceaccount:prod:api"
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "api" {
  role = aws_iam_role.api.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = "arn:aws:sqs:eu-west-1:111111111111:orders"
    }]
  })
}

# Stale: the ServiceAccount was renamed from worker-old to worker.
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::222222222222:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/STAGING" }
      Condition = {
        StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/STAGING:sub" = "system:serviceaccount:staging:worker-old" }
      }
    }]
  })
}

# Shared: one role for the reports ServiceAccount of production and of staging, and the trust
# admits every ServiceAccount of both namespaces.
resource "aws_iam_role" "reports" {
  name = "reports"
  tags = { env = "production" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/SHARED" }
      Condition = {
        StringLike = {
          "oidc.eks.eu-west-1.amazonaws.com/id/SHARED:sub" = ["system:serviceaccount:prod:*", "system:serviceaccount:staging:*"]
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "reports" {
  role = aws_iam_role.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:aws:s3:::acme-reports/*"
    }]
  })
}
