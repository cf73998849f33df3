const s3 = new S3({ credentials: { accessKeyId: "AKIA52FFG662QNNYXDBQ", secretAccessKey: "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" } });
