provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

variable "github_token" {
  type    = string
  default = "ghp_exampleexampleexampleexample0000"
}

resource "aws_iam_user" "deploy" {
  name = "deploy"
  tags = { owner = "platform" }
}

resource "aws_iam_user_login_profile" "deploy" {
  user = aws_iam_user.deploy.name
}

resource "aws_iam_access_key" "deploy" {
  user = aws_iam_user.deploy.name
}

output "deploy_secret" {
  value = aws_iam_access_key.deploy.secret
}

output "deploy_key_id" {
  value = aws_iam_access_key.deploy.id
}
