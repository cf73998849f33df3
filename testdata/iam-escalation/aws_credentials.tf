# Credentials for other users, and roles to assume.

resource "aws_iam_user" "manager" {
  name = "manager"
}

resource "aws_iam_user_policy" "manager_keys" {
  user = aws_iam_user.manager.name
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["iam:CreateAccessKey", "iam:UpdateAccessKey"], Resource = "arn:aws:iam::111122223333:user/*", # expect
        Condition = { StringEquals = { "aws:ResourceTag/team" = "dev" } } },
    ]
  })
}

resource "aws_iam_user_policy" "manager_tags" {
  user = aws_iam_user.manager.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = ["iam:TagUser", "iam:UntagUser"], Resource = "*" }]
  })
}

data "aws_iam_policy_document" "creds" {
  statement {
    actions   = ["iam:CreateAccessKey"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"] # expect
    resources = ["arn:aws:iam::111122223333:user/*"]
  }
  statement {
    actions   = ["sts:AssumeRole"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["sts:AssumeRole"] # expect
    resources = ["arn:aws:iam::111122223333:role/deploy-*"]
  }
}

# Clean counterparts: keys of the caller itself, a tag condition the holder cannot meet, named
# roles to assume, a date condition no token meets any more.
data "aws_iam_policy_document" "creds_clean" {
  statement {
    actions   = ["iam:CreateAccessKey", "iam:UpdateLoginProfile"]
    resources = ["arn:aws:iam::111122223333:user/$${aws:username}"]
  }
  statement {
    actions   = ["iam:CreateAccessKey"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["dev"]
    }
  }
  statement {
    actions   = ["sts:AssumeRole"]
    resources = ["arn:aws:iam::111122223333:role/deploy", "arn:aws:iam::444455556666:role/readonly"]
  }
  statement {
    actions   = ["iam:CreateLoginProfile"]
    resources = ["*"]
    condition {
      test     = "DateLessThan"
      variable = "aws:TokenIssueTime"
      values   = ["2020-01-01T00:00:00Z"]
    }
  }
}
