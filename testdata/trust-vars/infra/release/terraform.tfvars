release_subject = "repo:acme/app:*"
