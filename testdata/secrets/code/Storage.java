class Storage {
  AwsCredentials creds = AwsBasicCredentials.create("AKIAMNMJKYUTP3PIFYCS", "a/5a8RCz2T94iryXYTQKWsNZEt0r6zjmxMSUf8Ri");
  TokenCredential azure = new ClientSecretCredentialBuilder()
      .tenantId("72f988bf-86f1-41af-91ab-2d7cd011db47")
      .clientId("0b7e1a9d-3c3f-4a8e-9f1e-5d2c7b6a4e10")
      .clientSecret("BCs8Q~SyqzHt5sARYC0pyIhA.O.N9bFk_TAmun.U")
      .build();
}
