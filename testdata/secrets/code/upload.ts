import { S3Client } from "@aws-sdk/client-s3";
const client = new S3Client({
  region: "eu-west-1",
  credentials: { accessKeyId: "AKIAMNMJKYUTP3PIFYCS", secretAccessKey: "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" },
});
