package dev.keysmith.request;

import java.security.SecureRandom;
import java.util.function.Supplier;

/**
 * Short ids people can read out and type: a prefix ({@code KS-} for requests, {@code RT-} for
 * rotations) and six Crockford base-32 characters.
 */
public final class RequestIds implements Supplier<String> {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private final String prefix;
  private final SecureRandom random;

  public RequestIds(SecureRandom random) {
    this("KS-", random);
  }

  public RequestIds(String prefix, SecureRandom random) {
    this.prefix = prefix;
    this.random = random;
  }

  @Override
  public String get() {
    char[] id = new char[6];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return prefix + new String(id);
  }
}
