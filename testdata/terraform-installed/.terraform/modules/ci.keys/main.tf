variable "user" {}

resource "aws_iam_user" "this" {
  name = var.user
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}
