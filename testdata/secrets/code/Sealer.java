class Sealer {
  private static final String SEAL = "38AibNyyurlGFb0EkjKW";

  byte[] seal(byte[] data) throws Exception {
    byte[] keyBytes = SEAL.getBytes(StandardCharsets.UTF_8);
    return encrypt(new SecretKeySpec(keyBytes, "AES"), data);
  }
}
