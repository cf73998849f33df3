variable "name" {
  type = string
}

variable "subjects" {
  description = "GitHub OIDC subjects that may assume the role"
  type        = list(string)
}
