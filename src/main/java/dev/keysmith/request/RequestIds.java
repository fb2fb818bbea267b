package dev.keysmith.request;

import java.security.SecureRandom;
import java.util.function.Supplier;

/** Short request ids people can read out and type: {@code KS-} and six Crockford base-32 chars. */
public final class RequestIds implements Supplier<String> {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private final SecureRandom random;

  public RequestIds(SecureRandom random) {
    this.random = random;
  }

  @Override
  public String get() {
    char[] id = new char[6];
    for (int i = 0; i < id.length; i++) {
      id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return "KS-" + new String(id);
  }
}
