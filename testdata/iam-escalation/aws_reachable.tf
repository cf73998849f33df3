# An escalation held by a role anyone may assume: severity raised.

resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

resource "aws_iam_role_policy" "open" {
  role = aws_iam_role.open.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:AttachUserPolicy", Resource = "*" }, # expect
    ]
  })
}
