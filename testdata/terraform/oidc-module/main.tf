# Root module in the style of terraform-aws-modules: the subjects are passed to a
# module-like directory through a variable.
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      team = "platform"
    }
  }
}

module "github_oidc_role" {
  source = "./modules/iam-github-oidc-role"

  name = "deploy"
  subjects = [
    "repo:acme/infra:ref:refs/heads/main",
    "repo:acme/*",
  ]
  max_session_duration = 43200
}
