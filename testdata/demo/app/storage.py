import os

import boto3

# Near-miss: credentials come from the environment.
client = boto3.client(
    "s3",
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)

# Real problem: a hard-coded key id in code.
LEGACY_KEY_ID = "AKIAZ7VRSQ5TJWXM3K2B"
