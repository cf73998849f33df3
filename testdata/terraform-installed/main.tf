# A root module after `terraform init`: the registry module below is installed under
# .terraform/modules and evaluated from there.
module "ci" {
  source  = "acme-corp/ci-role/aws"
  version = "1.2.0"

  name  = "ci-deploy"
  repos = ["acme/*"]
}

module "pinned" {
  source  = "acme-corp/ci-role/aws"
  version = "1.2.0"

  name  = "ci-release"
  repos = ["acme/release:ref:refs/heads/main"]
}
