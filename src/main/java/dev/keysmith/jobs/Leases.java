package dev.keysmith.jobs;

/**
 * What a replica is in the middle of outside a job (a reveal, a mint, a provisioning), held in the
 * shared store so that no other replica undoes or repeats it while it lives. A lease runs for the
 * replica's {@link Replica#leaseTerm} and is renewed by {@link #renewAll}; when its replica stops,
 * it runs out, and the work it covered may be taken up by whoever holds it next.
 *
 * <p>Subjects are named {@code what:id}, like {@code reveal:KS-ABC123}.
 */
public interface Leases {
  /**
   * Holds {@code subject} for this replica unless a lease on it still runs, this replica's own
   * included (two threads of one replica exclude each other too); whether it took the lease. The
   * caller releases it when the work is done.
   */
  boolean tryHold(String subject);

  /** Gives up this replica's lease on {@code subject}, if it holds one. */
  void release(String subject);

  /**
   * Renews everything this replica holds: its leases, the jobs it runs and the Slack messages it is
   * delivering. A timer calls it every {@link Replica#renewEvery}; returns how many it renewed.
   */
  int renewAll();

  /**
   * Ends every lease and claim, whoever holds it. Only for a replica that knows it is alone (the
   * sole process of a SQLite database, at start): what a stop left held was cut off, and is taken
   * up at once instead of when it would have run out.
   */
  int endAll();

  /**
   * Ends this replica's own leases and claims at a clean stop, once nothing of its work runs any
   * more: what it still held (a job, a message on its way) goes back to waiting, and is taken up by
   * another replica at once rather than when the leases would have run out. Returns how many it
   * handed over.
   */
  int handOver();
}
