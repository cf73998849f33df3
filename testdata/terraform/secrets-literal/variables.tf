variable "db_password" {
  description = "database password"
  type        = string
  default     = "not-a-real-pass-4711"
  sensitive   = true
}

variable "admin-secret" {
  type = string
}

variable "api_token" {
  description = "given at apply time (no literal here)"
  type        = string
}

variable "password_length" {
  default = 24
}

variable "secret_name" {
  default = "app/db"
}

locals {
  smtp_password = "placeholder-smtp-0815"
}
