resource "azurerm_user_assigned_identity" "pipeline" {
  name                = "pipeline"
  location            = "westeurope"
  resource_group_name = "ops"
}

resource "azurerm_role_assignment" "pipeline_uaa" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "User Access Administrator" # expect
  principal_id         = azurerm_user_assigned_identity.pipeline.principal_id
}

resource "azurerm_role_assignment" "pipeline_owner_rg" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/app"
  role_definition_name = "Owner" # expect
  principal_id         = azurerm_user_assigned_identity.pipeline.principal_id
}

resource "azurerm_role_definition" "assigner" {
  name  = "assigner"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions = ["Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Authorization/roleAssignments/write"] # expect
  }
}

data "azuread_service_principal" "msgraph" {
  client_id = "00000003-0000-0000-c000-000000000000"
}

resource "azuread_service_principal" "automation" {
  client_id = "11111111-1111-1111-1111-111111111111"
}

resource "azuread_app_role_assignment" "automation_apps" {
  app_role_id         = data.azuread_service_principal.msgraph.app_role_ids["Application.ReadWrite.All"] # expect
  principal_object_id = azuread_service_principal.automation.object_id
  resource_object_id  = data.azuread_service_principal.msgraph.object_id
}

resource "azuread_application" "tool" {
  display_name = "tool"
  required_resource_access {
    resource_app_id = "00000003-0000-0000-c000-000000000000"
    resource_access {
      id   = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8" # expect
      type = "Role"
    }
  }
}

# Clean counterparts: Contributor, a person, a custom role whose not_actions take the
# authorization writes back, a read-only Graph permission.
resource "azurerm_role_assignment" "pipeline_contrib" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.pipeline.principal_id
}

resource "azurerm_role_assignment" "alice_owner" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner"
  principal_id         = "22222222-2222-2222-2222-222222222222"
  principal_type       = "User"
}

resource "azurerm_role_definition" "ops" {
  name  = "ops"
  scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
  permissions {
    actions     = ["*"]
    not_actions = ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"]
  }
}

resource "azuread_app_role_assignment" "automation_read" {
  app_role_id         = data.azuread_service_principal.msgraph.app_role_ids["User.Read.All"]
  principal_object_id = azuread_service_principal.automation.object_id
  resource_object_id  = data.azuread_service_principal.msgraph.object_id
}
