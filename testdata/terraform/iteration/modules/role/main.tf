variable "name" {}

variable "policies" {
  type    = map(string)
  default = {}
}

variable "create" {
  default = true
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0
  name  = var.name
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = { for k, v in var.policies : k => v if var.create }

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}
