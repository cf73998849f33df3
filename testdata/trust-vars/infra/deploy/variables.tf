variable "github_subjects" {
  description = "Subjects that may assume the deploy role"
  type        = list(string)
  default     = ["repo:acme/*"]
}
