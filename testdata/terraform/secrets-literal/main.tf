resource "aws_instance" "app" {
  ami           = "ami-123"
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/bash
    echo "DB_PASSWORD=${var.db_password}" >> /etc/app.env
    echo "API_TOKEN=${var.api_token}" >> /etc/app.env
  EOT
}

resource "aws_lambda_function" "mailer" {
  function_name = "mailer"
  role          = "arn:aws:iam::123456789012:role/mailer"
  environment {
    variables = {
      SMTP_PASSWORD   = local.smtp_password
      ADMIN_SECRET    = var.admin-secret
      PASSWORD_LENGTH = var.password_length
      SECRET_NAME     = var.secret_name
    }
  }
}

resource "aws_ssm_parameter" "db" {
  name  = "/app/db-password"
  type  = "SecureString"
  value = var.db_password
}
