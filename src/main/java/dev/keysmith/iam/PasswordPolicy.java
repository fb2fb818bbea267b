package dev.keysmith.iam;

/**
 * The parts of an IAM account password policy a generated password must satisfy.
 *
 * @param minimumLength at least 6, at most 128, as IAM allows
 */
public record PasswordPolicy(
    int minimumLength,
    boolean requireUppercase,
    boolean requireLowercase,
    boolean requireNumbers,
    boolean requireSymbols) {

  /**
   * AWS's policy when the account sets none: at least 8 characters with three of uppercase,
   * lowercase, numbers and symbols. Requiring all four satisfies "three of".
   */
  public static final PasswordPolicy AWS_DEFAULT = new PasswordPolicy(8, true, true, true, true);

  public PasswordPolicy {
    if (minimumLength < 6 || minimumLength > 128) {
      throw new IllegalArgumentException("IAM password minimum length must be 6..128");
    }
  }
}
