# SAML trusts are not OIDC trusts; ForAllValues on the audience restricts it; an object key
# written twice keeps its last value (Terraform accepts it).

resource "aws_iam_saml_provider" "corp" {
  name                   = "corp"
  saml_metadata_document = "<EntityDescriptor/>"
}

data "aws_iam_policy_document" "saml" {
  statement {
    actions = ["sts:AssumeRoleWithSAML"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_saml_provider.corp.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "SAML:aud"
      values   = ["https://signin.aws.amazon.com/saml"]
    }
  }
}

resource "aws_iam_role" "saml" {
  name               = "corp-admins"
  assume_role_policy = data.aws_iam_policy_document.saml.json
  tags               = { owner = "platform" }
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  tags = { owner = "platform" }
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        "ForAllValues:StringEquals" = {
          "token.actions.githubusercontent.com:aud" = ["sts.amazonaws.com"]
        }
        StringEquals = {
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main"
        }
      }
    }]
  })
}

locals {
  grant = {
    role   = "roles/viewer"
    member = "serviceAccount:ci@acme.iam.gserviceaccount.com"
    role   = "roles/owner"
  }
}

resource "google_project_iam_member" "ci" {
  project = "acme"
  role    = local.grant.role
  member  = local.grant.member
}
