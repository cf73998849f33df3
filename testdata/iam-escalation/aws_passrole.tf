# iam:PassRole with a service that runs code with the passed role.

resource "aws_iam_role" "deployer" {
  name               = "deployer"
  assume_role_policy = "{}"
}

resource "aws_iam_policy" "pass_any" {
  name = "pass-any"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" }, # expect
    ]
  })
}

resource "aws_iam_policy" "compute" {
  name = "compute"
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["ec2:RunInstances", "ec2:Describe*"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role_policy_attachment" "deployer_pass" {
  role       = aws_iam_role.deployer.name
  policy_arn = aws_iam_policy.pass_any.arn
}

resource "aws_iam_role_policy_attachment" "deployer_compute" {
  role       = aws_iam_role.deployer.name
  policy_arn = aws_iam_policy.compute.arn
}

data "aws_iam_policy_document" "services" {
  statement {
    actions   = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"] # expect
    resources = ["arn:aws:iam::111122223333:role/*"]
  }
  statement {
    actions   = ["iam:PassRole", "glue:CreateDevEndpoint"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "cloudformation:CreateStack"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "sagemaker:CreateNotebookInstance"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"] # expect
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Clean counterparts: PassRole alone, a named role, a service the companion does not run under,
# companions in a policy without PassRole.
data "aws_iam_policy_document" "services_clean" {
  statement {
    actions   = ["iam:PassRole", "iam:GetRole"]
    resources = ["*"]
  }
  statement {
    actions   = ["iam:PassRole", "lambda:CreateFunction"]
    resources = ["arn:aws:iam::111122223333:role/app-lambda"]
  }
  statement {
    actions   = ["iam:PassRole", "lambda:CreateFunction"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "compute_only" {
  statement {
    actions   = ["ec2:RunInstances", "glue:CreateDevEndpoint"]
    resources = ["*"]
  }
}
