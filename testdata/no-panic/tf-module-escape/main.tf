module "net" {
  source = "./net"
  doc    = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:Get\\ü\", \"Resource\": \"*\"}]}"
}
