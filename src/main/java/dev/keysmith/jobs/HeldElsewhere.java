package dev.keysmith.jobs;

/**
 * Thrown by a job whose work a replica holds at this moment (its lease on {@code subject} still
 * runs): the {@link Scheduler} runs the job again once that lease would have run out, without
 * counting a failure, so the work is taken up should the holder stop before it ends.
 */
public final class HeldElsewhere extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String what;

  public HeldElsewhere(String subject) {
    super(words(subject));
    this.what = words(subject);
  }

  private static String words(String subject) {
    return subject + " is held by a replica at work on it";
  }

  /** What is held, in words for the log and the job's last error. */
  public String what() {
    return what;
  }
}
