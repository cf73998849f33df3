path "secret/data/shop/payments/*" {
  capabilities = ["read"]
}
