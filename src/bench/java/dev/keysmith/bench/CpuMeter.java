package dev.keysmith.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time by process, and inside a bot by thread group, read from {@code /proc}: what a request
 * costs the machine, not only how long its ack took. A bot's threads are told apart by name: {@code
 * keysmith-http-*} handle Slack's requests up to the ack (Jetty's {@code keysmith-http-io-*} read,
 * check and answer them, the request pool's {@code keysmith-http-N} run Bolt), {@code
 * keysmith-work-*} do the work after it; the rest are the JVM's and the libraries' (GC, JIT, the
 * HTTP client's pool).
 */
final class CpuMeter {
  /** Thread-name prefix of the request threads (up to the ack). */
  static final String ACK_THREADS = "keysmith-http";

  /** Thread-name prefix of the workers (after the ack). */
  static final String AFTER_ACK_THREADS = "keysmith-work";

  // USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on Linux.
  private static final long NANOS_PER_TICK = 10_000_000L;

  /** CPU nanoseconds consumed so far, by where. */
  record Snapshot(long ack, long afterAck, long otherBotThreads, long loadGenerator, long moto) {
    Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          ack - earlier.ack,
          afterAck - earlier.afterAck,
          otherBotThreads - earlier.otherBotThreads,
          loadGenerator - earlier.loadGenerator,
          moto - earlier.moto);
    }

    Snapshot plus(Snapshot other) {
      return new Snapshot(
          ack + other.ack,
          afterAck + other.afterAck,
          otherBotThreads + other.otherBotThreads,
          loadGenerator + other.loadGenerator,
          moto + other.moto);
    }

    Snapshot dividedBy(long n) {
      return new Snapshot(ack / n, afterAck / n, otherBotThreads / n, loadGenerator / n, moto / n);
    }
  }

  private final long motoPid;

  CpuMeter(long motoPid) {
    this.motoPid = motoPid;
  }

  /** Now, for {@code bot}, this process and moto. */
  Snapshot snapshot(BotProcess bot) {
    Map<String, Long> groups = botThreads(bot.pid());
    if (!groups.containsKey(ACK_THREADS)) {
      throw new IllegalStateException(
          bot.name + " has no " + ACK_THREADS + "-* threads to account its requests to");
    }
    long ack = groups.getOrDefault(ACK_THREADS, 0L);
    long afterAck = groups.getOrDefault(AFTER_ACK_THREADS, 0L);
    // The process total keeps the time of threads that have ended; the pools' threads never do.
    return new Snapshot(
        ack,
        afterAck,
        process(bot.pid()) - ack - afterAck,
        process(ProcessHandle.current().pid()),
        process(motoPid));
  }

  private static Map<String, Long> botThreads(long pid) {
    Map<String, Long> byGroup = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException gone) {
          continue; // the thread ended between the listing and the read
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        for (String group : new String[] {ACK_THREADS, AFTER_ACK_THREADS}) {
          if (name.startsWith(group)) {
            byGroup.merge(group, ticks(stat), Long::sum);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the threads of process " + pid, e);
    }
    return byGroup;
  }

  /** CPU nanoseconds process {@code pid} has used so far. */
  static long process(long pid) {
    try {
      return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }

  /**
   * CPU nanoseconds used so far by process {@code pid} and its children now running (such as a
   * PostgreSQL server and its backends). A child that ended took its time along.
   */
  static long processAndChildren(long pid) {
    long total = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        String stat;
        try {
          stat = Files.readString(process.resolve("stat"));
        } catch (NoSuchFileException gone) {
          continue;
        }
        long self = Long.parseLong(process.getFileName().toString());
        if (self == pid || parent(stat) == pid) {
          total += ticks(stat);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the processes", e);
    }
    return total;
  }

  /**
   * The parent of the first process now running whose command line holds {@code fragment}, such as
   * a PostgreSQL backend's database name: its server's process.
   */
  static long parentOfProcessWith(String fragment) {
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        try {
          String cmdline = Files.readString(process.resolve("cmdline")).replace('\0', ' ');
          if (cmdline.contains(fragment)) {
            return parent(Files.readString(process.resolve("stat")));
          }
        } catch (NoSuchFileException gone) {
          // It ended between the listing and the read.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list the processes", e);
    }
    throw new IllegalStateException("no process whose command line holds " + fragment);
  }

  /** The parent process id of one {@code stat} line (field 4). */
  private static long parent(String stat) {
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1)[1]);
  }

  /**
   * CPU nanoseconds the whole machine has been busy so far, all cores together, from the first line
   * of {@code /proc/stat}: user, nice, system, irq, softirq and steal (idle and iowait not).
   */
  static long machineBusy() {
    return machineTicks(1, 2, 3, 6, 7, 8);
  }

  /**
   * The part of {@link #machineBusy} that ran tasks (user, nice and system): what the processes on
   * the machine used, without interrupts and time the hypervisor took.
   */
  static long machineTasks() {
    return machineTicks(1, 2, 3);
  }

  private static long machineTicks(int... fields) {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+", -1);
      long ticks = 0;
      for (int i : fields) {
        ticks += Long.parseLong(f[i]);
      }
      return ticks * NANOS_PER_TICK;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/stat", e);
    }
  }

  /** utime + stime of one {@code stat} line, in nanoseconds. */
  private static long ticks(String stat) {
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
  }
}
