data "azurerm_subscription" "current" {}

resource "azurerm_user_assigned_identity" "app" {
  name                = "app"
  location            = "westeurope"
  resource_group_name = "app"
  tags = {
    owner = "payments"
  }
}

resource "azurerm_role_assignment" "app_owner" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
}

resource "azuread_application" "ci" {
  display_name = "ci"
}

resource "azuread_application_password" "ci" {
  application_id = azuread_application.ci.id
  end_date       = "2099-12-31T00:00:00Z"
}

resource "azuread_application_federated_identity_credential" "gha" {
  application_id = azuread_application.ci.id
  display_name   = "gha"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:acme/infra:environment:production"
}
