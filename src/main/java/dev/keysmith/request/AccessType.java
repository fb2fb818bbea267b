package dev.keysmith.request;

/** What kind of credentials an IAM user gets: access keys, a console password, or both. */
public enum AccessType {
  PROGRAMMATIC("Programmatic (access key)"),
  CONSOLE("AWS Management Console (password)"),
  BOTH("Both");

  private final String label;

  AccessType(String label) {
    this.label = label;
  }

  /** Human-readable label shown in Slack. */
  public String label() {
    return label;
  }

  /** Whether this access type includes an access key. */
  public boolean programmatic() {
    return this != CONSOLE;
  }

  /** Whether this access type includes a console login profile. */
  public boolean console() {
    return this != PROGRAMMATIC;
  }
}
