resource "google_service_account" "deployer" {
  account_id   = "deployer"
  project      = "acme-prod"
  display_name = "CI deployer"
}

resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = "ci"
}

# No attribute condition: any GitHub repository can federate.
resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "github"
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

# Pinned to the organisation: fine.
resource "google_iam_workload_identity_pool_provider" "github_pinned" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.ci.workload_identity_pool_id
  workload_identity_pool_provider_id = "github-pinned"
  attribute_condition                = "assertion.repository_owner_id == '1234567'"
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account_iam_member" "wif" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.ci.name}/attribute.repository/acme/infra"
}

resource "google_service_account_iam_member" "bob" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "user:bob@example.com"
}

resource "google_project_iam_member" "deployer_editor" {
  project = "acme-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_service_account_key" "deployer" {
  service_account_id = google_service_account.deployer.name
}

resource "local_file" "deployer_key" {
  filename = "${path.module}/deployer.json"
  content  = base64decode(google_service_account_key.deployer.private_key)
}
