# Acting as the role of existing compute: code updates, command runs, sessions.

data "aws_iam_policy_document" "compute" {
  statement {
    actions   = ["lambda:UpdateFunctionCode"] # expect
    resources = ["arn:aws:lambda:eu-west-1:111122223333:function:*"]
  }
  statement {
    actions   = ["glue:UpdateDevEndpoint"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["cloudformation:UpdateStack"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["codebuild:StartBuild"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["ssm:SendCommand"] # expect
    resources = ["arn:aws:ssm:*:*:document/AWS-RunShellScript", "arn:aws:ec2:*:*:instance/*"]
  }
  statement {
    actions   = ["ssm:StartSession"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["ec2-instance-connect:SendSSHPublicKey"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["ecs:ExecuteCommand"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["sagemaker:CreatePresignedNotebookInstanceUrl"] # expect
    resources = ["*"]
  }
  statement {
    actions   = ["ec2:ModifyInstanceAttribute", "ec2:StartInstances"] # expect
    resources = ["*"]
  }
}

# Clean counterparts: named functions, endpoints, stacks, projects and instances; tag conditions.
data "aws_iam_policy_document" "compute_clean" {
  statement {
    actions   = ["lambda:UpdateFunctionCode"]
    resources = ["arn:aws:lambda:eu-west-1:111122223333:function:app"]
  }
  statement {
    actions   = ["glue:UpdateDevEndpoint"]
    resources = ["arn:aws:glue:eu-west-1:111122223333:devEndpoint/dev"]
  }
  statement {
    actions   = ["cloudformation:UpdateStack"]
    resources = ["arn:aws:cloudformation:eu-west-1:111122223333:stack/app/*"]
  }
  statement {
    actions   = ["codebuild:StartBuild"]
    resources = ["arn:aws:codebuild:eu-west-1:111122223333:project/app"]
  }
  statement {
    actions   = ["ssm:SendCommand", "ssm:StartSession"]
    resources = ["arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"]
  }
  statement {
    actions   = ["ec2-instance-connect:SendSSHPublicKey", "ecs:ExecuteCommand", "ec2:ModifyInstanceAttribute"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["app"]
    }
  }
  statement {
    actions   = ["sagemaker:CreatePresignedNotebookInstanceUrl"]
    resources = ["arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/app"]
  }
}
