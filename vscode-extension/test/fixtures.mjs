// Shared test input: a Terraform policy that allows every action (one iam-wildcard-action
// finding at line 7, column 18).
export const BAD_TF = `resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
`;
