# Permissions on policies: new versions, attachments, inline policies, boundaries, groups.

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "ops_bad" {
  role = aws_iam_role.ops.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "*" }, # expect
      { Effect = "Allow", Action = ["iam:AttachRolePolicy"], Resource = "arn:aws:iam::111122223333:role/*" }, # expect
      { Effect = "Allow", Action = "iam:PutUserPolicy", Resource = "arn:aws:iam::111122223333:user/*" }, # expect
      { Effect = "Allow", Action = "iam:DeleteRolePermissionsBoundary", Resource = "*" }, # expect
      { Effect = "Allow", Action = "iam:AddUserToGroup", NotResource = "arn:aws:iam::111122223333:group/admins" }, # expect
    ]
  })
}

resource "aws_iam_role" "self" {
  name               = "self"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "self" {
  role = aws_iam_role.self.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:PutRolePolicy", Resource = aws_iam_role.self.arn }, # expect
    ]
  })
}

resource "aws_iam_policy" "versioned" {
  name = "app-versioned"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:SetDefaultPolicyVersion", Resource = "arn:aws:iam::111122223333:policy/app-*" }, # expect
    ]
  })
}

resource "aws_iam_user" "app" {
  name = "app"
}

resource "aws_iam_user_policy_attachment" "app" {
  user       = aws_iam_user.app.name
  policy_arn = aws_iam_policy.versioned.arn
}

# Clean counterparts: AWS-managed policies, a named role, a policy ARN condition, a tag
# condition, a boundary condition, a named group, a Deny that takes the allow back.
resource "aws_iam_role_policy" "ops_clean" {
  role = aws_iam_role.ops.id
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:CreatePolicyVersion", Resource = "arn:aws:iam::aws:policy/job-function/*" },
      { Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "arn:aws:iam::111122223333:role/app",
        Condition = { ArnEquals = { "iam:PolicyARN" = "arn:aws:iam::aws:policy/ReadOnlyAccess" } } },
      { Effect = "Allow", Action = "iam:AttachUserPolicy", Resource = "*",
        Condition = { ArnEquals = { "iam:PolicyARN" = "arn:aws:iam::aws:policy/ReadOnlyAccess" } } },
      { Effect = "Allow", Action = "iam:PutRolePolicy", Resource = "*",
        Condition = { StringEquals = { "iam:PermissionsBoundary" = "arn:aws:iam::111122223333:policy/boundary" } } },
      { Effect = "Allow", Action = "iam:DeleteRolePermissionsBoundary", Resource = "arn:aws:iam::111122223333:role/sandbox" },
      { Effect = "Allow", Action = ["iam:AttachRolePolicy", "iam:PutRolePolicy"], Resource = "arn:aws:iam::*:role/aws-service-role/fsx.amazonaws.com/*" },
      { Effect = "Allow", Action = "iam:AddUserToGroup", Resource = "arn:aws:iam::111122223333:group/readers" },
    ]
  })
}

resource "aws_iam_role" "guarded" {
  name               = "guarded"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "guarded_allow" {
  role = aws_iam_role.guarded.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "guarded_deny" {
  role = aws_iam_role.guarded.id
  policy = jsonencode({
    Statement = [{ Effect = "Deny", Action = "iam:*", Resource = "*" }]
  })
}
