variable "doc" {}

resource "aws_iam_policy" "net" {
  policy = var.doc
}
