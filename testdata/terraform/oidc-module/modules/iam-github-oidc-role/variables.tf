variable "name" {
  type = string
}

variable "subjects" {
  description = "GitHub subjects allowed to assume the role"
  type        = list(string)
  default     = []
}

variable "audience" {
  type    = string
  default = "sts.amazonaws.com"
}

variable "max_session_duration" {
  type    = number
  default = 3600
}
