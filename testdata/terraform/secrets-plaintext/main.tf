# Secrets that flow into configuration kept in plain text (tf-secret-in-plaintext-config).

resource "aws_iam_user" "app" {
  name = "app"
}

resource "aws_iam_access_key" "app" {
  user = aws_iam_user.app.name
}

resource "random_password" "db" {
  length = 32
}

locals {
  app_secret = aws_iam_access_key.app.secret
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  environment {
    variables = {
      APP_KEY_ID = aws_iam_access_key.app.id
      APP_SECRET = local.app_secret
    }
  }
}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  user_data = base64encode(templatefile("${path.module}/user_data.tpl", {
    key_id = aws_iam_access_key.app.id
    secret = aws_iam_access_key.app.secret
  }))

  provisioner "file" {
    content     = "db_password=${random_password.db.result}"
    destination = "/etc/app.conf"
  }
}

resource "aws_ssm_parameter" "db_plain" {
  name  = "/app/db"
  type  = "String"
  value = random_password.db.result
}

resource "aws_ssm_parameter" "db_secure" {
  name  = "/app/db-secure"
  type  = "SecureString"
  value = random_password.db.result
}

resource "aws_s3_object" "creds" {
  bucket  = "app-config"
  key     = "credentials"
  content = <<-EOT
    [default]
    aws_access_key_id = ${aws_iam_access_key.app.id}
    aws_secret_access_key = ${aws_iam_access_key.app.secret}
  EOT
}

resource "aws_elastic_beanstalk_environment" "app" {
  name        = "app"
  application = "app"
  setting {
    namespace = "aws:elasticbeanstalk:application:environment"
    name      = "APP_SECRET"
    value     = aws_iam_access_key.app.secret
  }
}

resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = "arn:aws:iam::123456789012:role/build"
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    environment_variable {
      name  = "APP_SECRET"
      value = aws_iam_access_key.app.secret
    }
    environment_variable {
      name  = "DB_PASSWORD"
      type  = "PARAMETER_STORE"
      value = aws_ssm_parameter.db_secure.name
    }
  }
  artifacts {
    type = "NO_ARTIFACTS"
  }
  source {
    type = "NO_SOURCE"
  }
}

resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name  = "app"
    image = "app:1"
    environment = [
      { name = "DB_PASSWORD", value = random_password.db.result }
    ]
  }])
}

resource "kubernetes_secret_v1" "db" {
  metadata {
    name = "db"
  }
  data = {
    password = random_password.db.result
  }
}

resource "aws_dynamodb_table_item" "creds" {
  table_name = "creds"
  hash_key   = "id"
  item = jsonencode({
    id     = { S = "app" }
    secret = { S = aws_iam_access_key.app.secret }
  })
}
