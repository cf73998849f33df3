# Production caller: its arguments are the module's values.
module "ci_role" {
  source   = "../../modules/gha-role"
  name     = "ci-deploy"
  subjects = ["repo:acme/*"]
}
