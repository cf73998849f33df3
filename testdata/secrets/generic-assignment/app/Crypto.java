class Crypto {
  // the line above a finding is shown as context: its value must be masked too
  static final String IV_MATERIAL = "Zqumpm08hsE8JNpj";
  static final String SIGNING_KEY = "JOQGa2rb19FlY0mG1ylvuhfJXqIEnome";
}
