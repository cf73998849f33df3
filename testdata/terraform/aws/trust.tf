# Principal "*" narrowed by an organisation condition: not public (peer false positive).
resource "aws_iam_role" "org_reader" {
  name = "org-reader"
  tags = { owner = "platform" }
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:PrincipalOrgID" = "o-abc123def4" }
      }
    }]
  })
}

# Principal "*" with a condition that does not bind the caller: public.
resource "aws_iam_role" "open" {
  name = "open"
  tags = { owner = "platform" }
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"AWS": "*"},
          "Action": "sts:AssumeRole",
          "Condition": {"StringLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}
        }
      ]
    }
  EOF
}

# Third-party account without an external id.
resource "aws_iam_role" "vendor" {
  name = "vendor-audit"
  tags = { owner = "security" }
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# Third-party account with an external id: fine.
resource "aws_iam_role" "vendor_ok" {
  name = "vendor-ok"
  tags = { owner = "security" }
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = "4f1c2b" } }
    }]
  })
}

resource "aws_iam_openid_connect_provider" "gitlab" {
  url            = "https://gitlab.com"
  client_id_list = ["https://gitlab.com"]
}

# GitLab OIDC trust with no subject condition.
resource "aws_iam_role" "gitlab" {
  name = "gitlab-deploy"
  tags = { owner = "platform" }
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.gitlab.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringEquals = { "gitlab.com:aud" = "https://gitlab.com" } }
    }]
  })
}

resource "aws_iam_role" "untagged" {
  name               = "untagged"
  assume_role_policy = data.aws_iam_policy_document.ec2.json
}

data "aws_iam_policy_document" "ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
