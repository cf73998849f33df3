locals {
  github_provider = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
}
