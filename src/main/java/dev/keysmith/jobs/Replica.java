package dev.keysmith.jobs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * This process among the replicas that share Keysmith's database: the name its claims and leases
 * carry, and how long one holds without renewal. A replica renews what it holds every quarter of
 * the term, so a stop is noticed by the others within one term, while a pause of a few seconds (a
 * long garbage collection, a slow database) loses nothing.
 */
public record Replica(String id, Duration leaseTerm) {
  /** How long a claim or lease holds once its replica stops renewing it. */
  public static final Duration LEASE_TERM = Duration.ofMinutes(1);

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  public Replica {
    Objects.requireNonNull(id, "id");
    if (id.isBlank() || id.length() > 100) {
      throw new IllegalArgumentException("a replica id is 1 to 100 characters");
    }
    if (leaseTerm.compareTo(Duration.ofSeconds(4)) < 0) {
      throw new IllegalArgumentException("a lease term shorter than 4 s cannot be renewed in time");
    }
  }

  /**
   * A replica named for this host and a random suffix, so two replicas on one host, or a restart,
   * never share a name: what a stopped process held is never taken for its successor's.
   */
  public static Replica ofThisHost(SecureRandom random) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "keysmith";
    }
    host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "");
    if (host.isEmpty()) {
      host = "keysmith";
    }
    if (host.length() > 60) {
      host = host.substring(0, 60);
    }
    StringBuilder suffix = new StringBuilder(8);
    for (int i = 0; i < 8; i++) {
      suffix.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return new Replica(host + "-" + suffix, LEASE_TERM);
  }

  /** When a claim or lease taken or renewed at {@code now} runs out. */
  public Instant leaseEnd(Instant now) {
    return now.plus(leaseTerm);
  }

  /** How often the replica renews what it holds. */
  public Duration renewEvery() {
    return leaseTerm.dividedBy(4);
  }
}
