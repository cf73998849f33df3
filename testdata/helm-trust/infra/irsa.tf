# Roles for the ServiceAccounts the payments chart creates in production (values-prod.yaml).

# Admits exactly the ServiceAccount the production values create.
resource "aws_iam_role" "payments" {
  name = "payments"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PAY" }
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/PAY:aud" = "sts.amazonaws.com"
          "oidc.eks.eu-west-1.amazonaws.com/id/PAY:sub" = "system:serviceaccount:prod:payments"
        }
      }
    }]
  })
}

# Still admits the ServiceAccount's old name: the production ledger account is refused.
resource "aws_iam_role" "ledger" {
  name = "ledger"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PAY" }
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/PAY:aud" = "sts.amazonaws.com"
          "oidc.eks.eu-west-1.amazonaws.com/id/PAY:sub" = "system:serviceaccount:prod:ledger-v1"
        }
      }
    }]
  })
}
