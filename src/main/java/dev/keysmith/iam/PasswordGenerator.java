package dev.keysmith.iam;

import dev.keysmith.core.Secret;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/** Generates console passwords that satisfy the account's password policy. */
public final class PasswordGenerator {
  static final int MIN_LENGTH = 20;
  static final int MAX_LENGTH = 128;

  // No 0 O o 1 l I: people copy these passwords by eye.
  static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  static final String LOWER = "abcdefghijkmnpqrstuvwxyz";
  static final String DIGITS = "23456789";
  // IAM's symbols without & ' < > and backtick, which Slack mrkdwn escapes or reads as markup.
  static final String SYMBOLS = "!@#$%^*()_+-=[]{}|";

  private static final String[] CLASSES = {UPPER, LOWER, DIGITS, SYMBOLS};
  private static final String ALL = String.join("", CLASSES);

  private final SecureRandom random;

  /** A generator drawing every character from {@code random}. */
  public PasswordGenerator(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * A new password of at least 20 characters (more if the policy asks) with an uppercase letter, a
   * lowercase letter, a digit and a symbol, so it meets every class a policy can require and AWS's
   * default "three of four".
   */
  public Secret generate(PasswordPolicy policy) {
    int length = Math.min(MAX_LENGTH, Math.max(policy.minimumLength(), MIN_LENGTH));
    char[] password = new char[length];
    for (int i = 0; i < length; i++) {
      password[i] = pick(i < CLASSES.length ? CLASSES[i] : ALL);
    }
    shuffle(password);
    Secret secret = new Secret(new String(password));
    Arrays.fill(password, '\0');
    return secret;
  }

  private char pick(String from) {
    return from.charAt(random.nextInt(from.length()));
  }

  private void shuffle(char[] chars) {
    for (int i = chars.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      char swap = chars[i];
      chars[i] = chars[j];
      chars[j] = swap;
    }
  }
}
