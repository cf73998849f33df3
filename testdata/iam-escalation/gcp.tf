resource "google_service_account" "ci" {
  account_id = "ci"
  project    = "acme-prod"
}

resource "google_project_iam_member" "ci_tokens" {
  project = "acme-prod"
  role    = "roles/iam.serviceAccountTokenCreator" # expect
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_member" "ci_keys" {
  project = "acme-prod"
  role    = "roles/iam.serviceAccountKeyAdmin" # expect
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_binding" "ci_user" {
  project = "acme-prod"
  role    = "roles/iam.serviceAccountUser" # expect
  members = ["serviceAccount:${google_service_account.ci.email}"]
}

resource "google_folder_iam_member" "ci_iam_admin" {
  folder = "folders/123"
  role   = "roles/resourcemanager.folderIamAdmin" # expect
  member = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_organization_iam_member" "ci_security" {
  org_id = "1234567890"
  role   = "roles/iam.securityAdmin" # expect
  member = "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/acme/infra"
}

resource "google_project_iam_member" "ci_owner" {
  project = "acme-prod"
  role    = "roles/owner" # expect
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_custom_role" "deployer" {
  project     = "acme-prod"
  role_id     = "deployer"
  title       = "Deployer"
  permissions = ["run.services.update", "iam.serviceAccounts.actAs", "iam.serviceAccountKeys.create"] # expect
}

# Clean counterparts: a person, a grant on one service account (not the project), a viewer,
# a custom role without escalation permissions.
resource "google_project_iam_member" "alice_owner" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "user:alice@example.com"
}

resource "google_service_account_iam_member" "ci_on_runner" {
  service_account_id = google_service_account.ci.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:runner@acme-prod.iam.gserviceaccount.com"
}

resource "google_project_iam_member" "ci_viewer" {
  project = "acme-prod"
  role    = "roles/viewer"
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_project_iam_custom_role" "reader" {
  project     = "acme-prod"
  role_id     = "reader"
  title       = "Reader"
  permissions = ["run.services.get", "storage.objects.get"]
}

data "google_iam_policy" "project" {
  binding {
    role    = "roles/iam.serviceAccountUser" # expect
    members = ["serviceAccount:${google_service_account.ci.email}", "user:alice@example.com"]
  }
  binding {
    role    = "roles/viewer"
    members = ["serviceAccount:${google_service_account.ci.email}"]
  }
}

resource "google_project_iam_policy" "project" {
  project     = "acme-prod"
  policy_data = data.google_iam_policy.project.policy_data
}
