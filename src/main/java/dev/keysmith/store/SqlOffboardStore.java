package dev.keysmith.store;

import dev.keysmith.offboard.OffboardCause;
import dev.keysmith.offboard.OffboardState;
import dev.keysmith.offboard.OffboardStep;
import dev.keysmith.offboard.OffboardStore;
import dev.keysmith.offboard.Offboarding;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** {@link OffboardStore} in the database. Instants are kept to the millisecond. */
public final class SqlOffboardStore implements OffboardStore {
  private static final String COLUMNS =
      "state, iam_user, iam_user_lower, owner_id, started_by, cause, steps_done, created_at,"
          + " updated_at, failed_step, outcome";
  private static final String SELECT = "SELECT id, " + COLUMNS + " FROM offboardings";

  private final Database db;

  /** A store over {@code db}, which must be open. */
  public SqlOffboardStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean insert(Offboarding o) {
    return db.withConnection(
        "insert offboarding",
        c -> {
          // DO NOTHING: a taken id, or a second offboarding of a user under way, is refused.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO offboardings (id, "
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, o.id());
            bind(ps, 2, o);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Offboarding> find(String id) {
    return query("find offboarding", SELECT + " WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public Optional<Offboarding> findUnderWay(String iamUser) {
    return query(
            "find offboarding under way",
            SELECT + " WHERE iam_user_lower = ? AND state IN ('PLANNED', 'RUNNING')",
            lower(iamUser))
        .stream()
        .findFirst();
  }

  @Override
  public List<Offboarding> findByState(OffboardState state) {
    return query(
        "find offboardings by state",
        SELECT + " WHERE state = ? ORDER BY created_at, id",
        state.name());
  }

  @Override
  public boolean compareAndSet(OffboardState expected, Offboarding next) {
    return db.withConnection(
        "update offboarding",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE offboardings SET state = ?, iam_user = ?, iam_user_lower = ?,"
                      + " owner_id = ?, started_by = ?, cause = ?, steps_done = ?,"
                      + " created_at = ?, updated_at = ?, failed_step = ?, outcome = ?"
                      + " WHERE id = ? AND state = ?")) {
            int i = bind(ps, 1, next);
            ps.setString(i++, next.id());
            ps.setString(i, expected.name());
            return ps.executeUpdate() == 1;
          }
        });
  }

  private List<Offboarding> query(String operation, String sql, String parameter) {
    return db.withConnection(
        operation,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            List<Offboarding> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.add(read(rs));
              }
            }
            return List.copyOf(found);
          }
        });
  }

  /** Binds every column but id, in {@link #COLUMNS} order, from {@code first}; returns the next. */
  private static int bind(PreparedStatement ps, int first, Offboarding o) throws SQLException {
    int i = first;
    ps.setString(i++, o.state().name());
    ps.setString(i++, o.iamUser());
    ps.setString(i++, lower(o.iamUser()));
    ps.setString(i++, o.ownerId());
    ps.setString(i++, o.startedBy());
    ps.setString(i++, o.cause().name());
    ps.setString(
        i++, o.stepsDone().stream().map(OffboardStep::name).collect(Collectors.joining(",")));
    ps.setLong(i++, o.createdAt().toEpochMilli());
    ps.setLong(i++, o.updatedAt().toEpochMilli());
    OffboardStep failedStep = o.failedStep();
    ps.setString(i++, failedStep == null ? null : failedStep.name());
    ps.setString(i++, o.outcome());
    return i;
  }

  private static Offboarding read(ResultSet rs) throws SQLException {
    String steps = rs.getString("steps_done");
    String failedStep = rs.getString("failed_step");
    try {
      return new Offboarding(
          rs.getString("id"),
          OffboardState.valueOf(rs.getString("state")),
          rs.getString("iam_user"),
          rs.getString("owner_id"),
          rs.getString("started_by"),
          OffboardCause.valueOf(rs.getString("cause")),
          steps.isEmpty()
              ? List.of()
              : Arrays.stream(steps.split(",")).map(OffboardStep::valueOf).toList(),
          Instant.ofEpochMilli(rs.getLong("created_at")),
          Instant.ofEpochMilli(rs.getLong("updated_at")),
          step(failedStep),
          rs.getString("outcome"));
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "read offboarding failed: unknown state, cause or step; was the database written by a"
              + " newer Keysmith?");
    }
  }

  private static @Nullable OffboardStep step(@Nullable String name) {
    return name == null ? null : OffboardStep.valueOf(name);
  }

  // IAM compares user names ignoring case; the names are ASCII, so ROOT is exact.
  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
