resource "aws_iam_policy" "term" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] }) # ]52;c;Y2xpcA== [2J[H ‮gnp.txt
}
