package dev.keysmith.offboard;

/**
 * The steps of an offboarding, in the order IAM requires ("Deleting an IAM user" in the IAM User
 * Guide): everything the user has first, then the user. {@link Teardown} runs each.
 */
public enum OffboardStep {
  ACCESS_KEYS("access keys"),
  LOGIN_PROFILE("console password"),
  SIGNING_CERTIFICATES("signing certificates"),
  SSH_PUBLIC_KEYS("SSH public keys"),
  SERVICE_CREDENTIALS("service-specific credentials"),
  MFA_DEVICES("MFA devices"),
  GROUPS("group memberships"),
  ATTACHED_POLICIES("attached managed policies"),
  INLINE_POLICIES("inline policies"),
  USER("the IAM user itself");

  private final String what;

  OffboardStep(String what) {
    this.what = what;
  }

  /** What this step removes, in words: {@code SSH public keys}. */
  public String what() {
    return what;
  }
}
