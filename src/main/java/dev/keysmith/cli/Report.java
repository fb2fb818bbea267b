package dev.keysmith.cli;

import java.io.PrintStream;

/** What {@link SetupCheck} printed so far: one line per check, and how many failed. */
final class Report {
  private final PrintStream out;
  private int passed;
  private int failed;
  private int skipped;

  Report(PrintStream out) {
    this.out = out;
  }

  void ok(String what, String detail) {
    passed++;
    out.println("ok    " + what + ": " + detail);
  }

  void fail(String what, String whatToDo) {
    failed++;
    out.println("FAIL  " + what + ": " + whatToDo);
  }

  void skip(String what, String why) {
    skipped++;
    out.println("skip  " + what + ": " + why);
  }

  /** Prints the summary line; the exit code, {@link SetupCheck#PASSED} only when all passed. */
  int finish() {
    if (failed == 0 && skipped == 0) {
      out.println("All " + passed + " checks passed.");
      return SetupCheck.PASSED;
    }
    out.println(
        failed
            + " of "
            + (passed + failed + skipped)
            + " checks failed"
            + (skipped == 0 ? "" : ", " + skipped + " skipped")
            + ".");
    return SetupCheck.FAILED;
  }
}
