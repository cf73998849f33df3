admin-secret = "fixture-admin-value-99"
