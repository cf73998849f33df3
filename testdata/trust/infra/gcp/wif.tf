# GCP service accounts federated with GitHub Actions and GKE.

resource "google_service_account" "release" {
  project    = "acme-prod"
  account_id = "release"
}

resource "google_project_iam_member" "release_storage" {
  project = "acme-prod"
  role    = "roles/storage.objectAdmin"
  member  = "serviceAccount:${google_service_account.release.email}"
}

# Every ref of acme/app (any branch, any pull request) can impersonate the release account.
resource "google_service_account_iam_member" "release_wif" {
  service_account_id = google_service_account.release.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/attribute.repository/acme/app"
}

# Safe: GKE workload identity for prod/web only.
resource "google_service_account" "web" {
  project    = "acme-prod"
  account_id = "web"
}

resource "google_service_account_iam_member" "web_wi" {
  service_account_id = google_service_account.web.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:acme-prod.svc.id.goog[prod/web]"
}
