# Local development against an emulator: the credentials are dummies.
provider "aws" {
  region     = "us-east-1"
  access_key = "dummy"
  secret_key = "dummy"
}
