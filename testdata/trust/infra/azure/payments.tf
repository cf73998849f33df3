# Safe: AKS workload identity for prod/payments only. The client id is computed by Azure, so the
# ServiceAccount's annotation is matched through the federated credential that admits it.
resource "azurerm_user_assigned_identity" "payments" {
  name                = "payments"
  location            = "westeurope"
  resource_group_name = "prod"
  tags                = { owner = "payments", env = "production" }
}

resource "azurerm_federated_identity_credential" "payments" {
  name                = "payments-aks"
  resource_group_name = "prod"
  parent_id           = azurerm_user_assigned_identity.payments.id
  issuer              = azurerm_kubernetes_cluster.prod.oidc_issuer_url
  subject             = "system:serviceaccount:prod:payments"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "payments_kv" {
  scope                = "/subscriptions/0000/resourceGroups/prod/providers/Microsoft.KeyVault/vaults/payments"
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.payments.principal_id
}
