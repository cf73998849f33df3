#!/bin/bash
cat > /root/.aws/credentials <<CREDS
[default]
aws_access_key_id = ${key_id}
aws_secret_access_key = ${secret}
CREDS
