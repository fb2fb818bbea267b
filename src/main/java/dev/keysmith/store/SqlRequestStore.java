package dev.keysmith.store;

import dev.keysmith.request.AccessRequest;
import dev.keysmith.request.AccessType;
import dev.keysmith.request.Notifier;
import dev.keysmith.request.RequestState;
import dev.keysmith.request.RequestStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** {@link RequestStore} in the database. Instants are kept to the millisecond. */
public final class SqlRequestStore implements RequestStore {
  private static final String COLUMNS =
      "state, iam_user_name, iam_user_name_lower, group_name, access_type, owner_id,"
          + " requester_id, justification, created_at, updated_at, approval_channel, approval_ts,"
          + " decided_by, decided_at, outcome, progress, offer_expires_at, revealed_at,"
          + " offer_channel, offer_ts, quorum, approvals, lifetime_seconds, extends_request";
  private static final String SELECT = "SELECT id, " + COLUMNS + " FROM requests";
  private static final String INSERT =
      "INSERT INTO requests (id, "
          + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT DO NOTHING";
  private static final String UPDATE =
      "UPDATE requests SET "
          + Arrays.stream(COLUMNS.split(","))
              .map(c -> c.strip() + " = ?")
              .collect(Collectors.joining(", "))
          + " WHERE id = ? AND state = ?";
  private static final String CLAIMING_STATES =
      Arrays.stream(RequestState.values())
          .filter(RequestState::claimsUserName)
          .map(s -> "'" + s.name() + "'")
          .collect(Collectors.joining(", "));

  private final Database db;

  /** A store over {@code db}, which must be open. */
  public SqlRequestStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean insert(AccessRequest request) {
    return db.withConnection(
        "insert request",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, request.id());
            bindColumns(ps, 2, request);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<AccessRequest> find(String id) {
    List<AccessRequest> found = query("find request", SELECT + " WHERE id = ?", id);
    return found.stream().findFirst();
  }

  @Override
  public boolean compareAndSet(RequestState expected, AccessRequest next) {
    return db.withConnection(
        "update request",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            int i = bindColumns(ps, 1, next);
            ps.setString(i++, next.id());
            ps.setString(i, expected.name());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean compareAndSetApprovals(AccessRequest before, AccessRequest next) {
    return db.withConnection(
        "count an approval",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(UPDATE + " AND approvals = ?")) {
            int i = bindColumns(ps, 1, next);
            ps.setString(i++, next.id());
            ps.setString(i++, before.state().name());
            ps.setString(i, approvals(before.approvals()));
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean recordApprovalMessage(String id, Notifier.MessageRef approval) {
    return recordMessage("approval", id, approval);
  }

  @Override
  public boolean recordOfferMessage(String id, Notifier.MessageRef offer) {
    return recordMessage("offer", id, offer);
  }

  /** Writes only the message columns, so no state change can be lost to a stale copy. */
  private boolean recordMessage(String which, String id, Notifier.MessageRef where) {
    return db.withConnection(
        "record " + which + " message",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE requests SET "
                      + which
                      + "_channel = ?, "
                      + which
                      + "_ts = ? WHERE id = ?")) {
            ps.setString(1, where.channel());
            ps.setString(2, where.ts());
            ps.setString(3, id);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public List<AccessRequest> findByState(RequestState state) {
    return query(
        "find requests by state",
        SELECT + " WHERE state = ? ORDER BY created_at, id",
        state.name());
  }

  @Override
  public List<AccessRequest> findExtensions(String rootId) {
    return query(
        "find extensions of a user",
        SELECT + " WHERE extends_request = ? ORDER BY created_at, id",
        rootId);
  }

  @Override
  public List<AccessRequest> findClaiming(String iamUserName) {
    return query(
        "find requests claiming a user name",
        SELECT
            + " WHERE iam_user_name_lower = ? AND state IN ("
            + CLAIMING_STATES
            + ") ORDER BY created_at, id",
        lower(iamUserName));
  }

  private List<AccessRequest> query(String operation, String sql, String parameter) {
    return db.withConnection(
        operation,
        (Connection c) -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
              List<AccessRequest> requests = new ArrayList<>();
              while (rs.next()) {
                requests.add(read(rs));
              }
              return List.copyOf(requests);
            }
          }
        });
  }

  /** Binds every column but id, in {@link #COLUMNS} order, from {@code first}; returns the next. */
  private static int bindColumns(PreparedStatement ps, int first, AccessRequest r)
      throws SQLException {
    int i = first;
    ps.setString(i++, r.state().name());
    ps.setString(i++, r.iamUserName());
    ps.setString(i++, lower(r.iamUserName()));
    ps.setString(i++, r.groupName());
    ps.setString(i++, r.accessType().name());
    ps.setString(i++, r.ownerId());
    ps.setString(i++, r.requesterId());
    ps.setString(i++, r.justification());
    Instants.set(ps, i++, r.createdAt());
    Instants.set(ps, i++, r.updatedAt());
    ps.setString(i++, r.approvalChannel());
    ps.setString(i++, r.approvalTs());
    ps.setString(i++, r.decidedBy());
    Instants.set(ps, i++, r.decidedAt());
    ps.setString(i++, r.outcome());
    ps.setString(i++, String.join("\n", r.progress()));
    Instants.set(ps, i++, r.offerExpiresAt());
    Instants.set(ps, i++, r.revealedAt());
    ps.setString(i++, r.offerChannel());
    ps.setString(i++, r.offerTs());
    ps.setInt(i++, r.quorum());
    ps.setString(i++, approvals(r.approvals()));
    Duration lifetime = r.lifetime();
    if (lifetime == null) {
      ps.setNull(i++, java.sql.Types.INTEGER);
    } else {
      ps.setLong(i++, lifetime.toSeconds());
    }
    ps.setString(i++, r.extendsRequest());
    return i;
  }

  /** One line per approval: the approver's id and the epoch millisecond. */
  private static String approvals(List<AccessRequest.Approval> approvals) {
    return approvals.stream()
        .map(a -> a.approver() + " " + a.at().toEpochMilli())
        .collect(Collectors.joining("\n"));
  }

  private static List<AccessRequest.Approval> approvals(String joined) {
    return lines(joined).stream()
        .map(
            line -> {
              int space = line.indexOf(' ');
              return new AccessRequest.Approval(
                  line.substring(0, space),
                  Instant.ofEpochMilli(Long.parseLong(line.substring(space + 1))));
            })
        .toList();
  }

  private static AccessRequest read(ResultSet rs) throws SQLException {
    return new AccessRequest(
        rs.getString("id"),
        enumValue(RequestState.class, rs.getString("state")),
        rs.getString("iam_user_name"),
        rs.getString("group_name"),
        enumValue(AccessType.class, rs.getString("access_type")),
        rs.getString("owner_id"),
        rs.getString("requester_id"),
        rs.getString("justification"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("approval_channel"),
        rs.getString("approval_ts"),
        rs.getString("decided_by"),
        Instants.get(rs, "decided_at"),
        rs.getString("outcome"),
        lines(rs.getString("progress")),
        Instants.get(rs, "offer_expires_at"),
        Instants.get(rs, "revealed_at"),
        rs.getString("offer_channel"),
        rs.getString("offer_ts"),
        rs.getInt("quorum"),
        approvals(rs.getString("approvals")),
        lifetime(rs),
        rs.getString("extends_request"));
  }

  private static @Nullable Duration lifetime(ResultSet rs) throws SQLException {
    long seconds = rs.getLong("lifetime_seconds");
    return rs.wasNull() ? null : Duration.ofSeconds(seconds);
  }

  private static List<String> lines(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split("\n"));
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name) {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "read request failed: unknown "
              + type.getSimpleName()
              + "; was the database written by a newer Keysmith?");
    }
  }

  // IAM compares user names ignoring case; the names are ASCII, so ROOT is exact.
  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
