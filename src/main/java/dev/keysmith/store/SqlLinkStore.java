package dev.keysmith.store;

import dev.keysmith.rotation.LinkRequest;
import dev.keysmith.rotation.LinkState;
import dev.keysmith.rotation.LinkStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@link LinkStore} in the database. Instants are kept to the millisecond. */
public final class SqlLinkStore implements LinkStore {
  private static final String COLUMNS =
      "state, iam_user, iam_user_lower, owner_id, previous_owner_id, iam_groups, requester_id,"
          + " created_at, expires_at, updated_at, approval_channel, approval_ts, decided_by,"
          + " outcome";
  private static final String SELECT = "SELECT id, " + COLUMNS + " FROM links";

  private final Database db;

  /** A store over {@code db}, which must be open. */
  public SqlLinkStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean insert(LinkRequest link) {
    return db.withConnection(
        "insert link",
        c -> {
          // DO NOTHING: a taken id, or a second PENDING link of the same user, is refused, not an
          // error.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO links (id, "
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            ps.setString(1, link.id());
            bind(ps, 2, link);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<LinkRequest> find(String id) {
    return query("find link", SELECT + " WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public Optional<LinkRequest> findPending(String iamUser) {
    return query(
            "find pending link",
            SELECT + " WHERE iam_user_lower = ? AND state = 'PENDING'",
            lower(iamUser))
        .stream()
        .findFirst();
  }

  @Override
  public List<LinkRequest> findByState(LinkState state) {
    return query(
        "find links by state", SELECT + " WHERE state = ? ORDER BY created_at, id", state.name());
  }

  @Override
  public boolean compareAndSet(LinkState expected, LinkRequest next) {
    return db.withConnection(
        "update link",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE links SET state = ?, iam_user = ?, iam_user_lower = ?,"
                      + " owner_id = ?, previous_owner_id = ?, iam_groups = ?, requester_id = ?,"
                      + " created_at = ?, expires_at = ?, updated_at = ?, approval_channel = ?,"
                      + " approval_ts = ?, decided_by = ?, outcome = ? WHERE id = ? AND state = ?")) {
            int i = bind(ps, 1, next);
            ps.setString(i++, next.id());
            ps.setString(i, expected.name());
            return ps.executeUpdate() == 1;
          }
        });
  }

  private List<LinkRequest> query(String operation, String sql, String parameter) {
    return db.withConnection(
        operation,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            List<LinkRequest> links = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                links.add(read(rs));
              }
            }
            return List.copyOf(links);
          }
        });
  }

  /** Binds every column but id, in {@link #COLUMNS} order, from {@code first}; returns the next. */
  private static int bind(PreparedStatement ps, int first, LinkRequest r) throws SQLException {
    int i = first;
    ps.setString(i++, r.state().name());
    ps.setString(i++, r.iamUser());
    ps.setString(i++, lower(r.iamUser()));
    ps.setString(i++, r.ownerId());
    ps.setString(i++, r.previousOwnerId());
    // IAM group names never hold a line break.
    ps.setString(i++, String.join("\n", r.groups()));
    ps.setString(i++, r.requesterId());
    ps.setLong(i++, r.createdAt().toEpochMilli());
    ps.setLong(i++, r.expiresAt().toEpochMilli());
    ps.setLong(i++, r.updatedAt().toEpochMilli());
    ps.setString(i++, r.approvalChannel());
    ps.setString(i++, r.approvalTs());
    ps.setString(i++, r.decidedBy());
    ps.setString(i++, r.outcome());
    return i;
  }

  private static LinkRequest read(ResultSet rs) throws SQLException {
    String groups = rs.getString("iam_groups");
    LinkState state;
    try {
      state = LinkState.valueOf(rs.getString("state"));
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "read link failed: unknown state; was the database written by a newer Keysmith?");
    }
    return new LinkRequest(
        rs.getString("id"),
        state,
        rs.getString("iam_user"),
        rs.getString("owner_id"),
        rs.getString("previous_owner_id"),
        groups.isEmpty() ? List.of() : List.of(groups.split("\n")),
        rs.getString("requester_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("approval_channel"),
        rs.getString("approval_ts"),
        rs.getString("decided_by"),
        rs.getString("outcome"));
  }

  // IAM compares user names ignoring case; the names are ASCII, so ROOT is exact.
  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
