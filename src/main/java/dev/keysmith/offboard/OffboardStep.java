package dev.keysmith.offboard;

/**
 * The steps of an offboarding, in the order IAM requires ("Deleting an IAM user" in the IAM User
 * Guide): everything the user has first, then the user. {@link Teardown} runs each.
 */
public enum OffboardStep {
  ACCESS_KEYS("access key"),
  LOGIN_PROFILE("console password"),
  SIGNING_CERTIFICATES("signing certificate"),
  SSH_PUBLIC_KEYS("SSH public key"),
  SERVICE_CREDENTIALS("service-specific credential"),
  MFA_DEVICES("MFA device"),
  GROUPS("group membership"),
  ATTACHED_POLICIES("attached managed policy"),
  INLINE_POLICIES("inline policy"),
  USER("IAM user");

  private final String thing;

  OffboardStep(String thing) {
    this.thing = thing;
  }

  /** What one thing this step removes is called, in words: {@code SSH public key}. */
  public String thing() {
    return thing;
  }
}
