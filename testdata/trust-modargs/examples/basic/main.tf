# An example call: its sample values must not become facts of the module.
module "example" {
  source   = "../../modules/gha-role"
  name     = "ci-deploy"
  subjects = ["repo:example-org/*"]
}
