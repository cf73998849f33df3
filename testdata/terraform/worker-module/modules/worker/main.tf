variable "name" {
  type = string
}

variable "actions" {
  type    = list(string)
  default = ["sqs:ReceiveMessage"]
}

resource "aws_iam_role" "this" {
  name = var.name
  tags = { owner = "queue-team" }
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "this" {
  role = aws_iam_role.this.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "arn:aws:sqs:eu-west-1:111122223333:work" }]
  })
}
