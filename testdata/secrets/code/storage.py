import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAMNMJKYUTP3PIFYCS",
    aws_secret_access_key="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",
)
