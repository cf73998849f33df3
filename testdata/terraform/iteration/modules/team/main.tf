variable "name" {}
variable "admin" {
  default = false
}

output "role_name" {
  value = "team-${var.name}"
}

output "policy_arn" {
  value = var.admin ? "arn:aws:iam::aws:policy/AdministratorAccess" : "arn:aws:iam::aws:policy/ViewOnlyAccess"
}
