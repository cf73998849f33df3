# The wildcard is written by the caller; the module's policy only names var.actions.
module "worker" {
  source  = "./modules/worker"
  name    = "worker"
  actions = ["sqs:ReceiveMessage", "*"]
}
