package dev.keysmith.store;

import dev.keysmith.rotation.Rotation;
import dev.keysmith.rotation.RotationState;
import dev.keysmith.rotation.RotationStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link RotationStore} in the database. Instants are kept to the millisecond. */
public final class SqlRotationStore implements RotationStore {
  private static final String COLUMNS =
      "iam_user, owner_id, old_key_id, new_key_id, lost, state, started_at, revealed_at,"
          + " postponed, decided_by, approval_channel, approval_ts, deactivated_at, updated_at";
  private static final String SELECT = "SELECT id, " + COLUMNS + " FROM rotations";
  private final Database db;

  public SqlRotationStore(Database db) {
    this.db = db;
  }

  @Override
  public boolean insert(Rotation r) {
    return db.withConnection(
        "insert rotation",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO rotations (id, "
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT DO NOTHING")) {
            ps.setString(1, r.id());
            bind(ps, 2, r);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<Rotation> find(String id) {
    return db.withConnection(
        "find rotation",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setString(1, id);
            return read(ps).stream().findFirst();
          }
        });
  }

  @Override
  public boolean compareAndSet(RotationState expected, Rotation next) {
    return db.withConnection(
        "update rotation",
        c -> {
          // A second rotation of the same user moving to MINTING is refused, not an error.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE rotations SET iam_user = ?, owner_id = ?, old_key_id = ?, new_key_id = ?,"
                      + " lost = ?, state = ?, started_at = ?, revealed_at = ?, postponed = ?,"
                      + " decided_by = ?, approval_channel = ?, approval_ts = ?, deactivated_at = ?,"
                      + " updated_at = ?"
                      + " WHERE id = ? AND state = ?")) {
            int i = bind(ps, 1, next);
            ps.setString(i++, next.id());
            ps.setString(i, expected.name());
            return Database.executeUnlessDuplicate(c, ps) == 1;
          }
        });
  }

  @Override
  public List<Rotation> findByState(RotationState state) {
    return db.withConnection(
        "find rotations",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(SELECT + " WHERE state = ? ORDER BY started_at, id")) {
            ps.setString(1, state.name());
            return read(ps);
          }
        });
  }

  private static int bind(PreparedStatement ps, int first, Rotation r) throws SQLException {
    int i = first;
    ps.setString(i++, r.iamUser());
    ps.setString(i++, r.ownerId());
    ps.setString(i++, r.oldKeyId());
    ps.setString(i++, r.newKeyId());
    ps.setInt(i++, r.lost() ? 1 : 0);
    ps.setString(i++, r.state().name());
    ps.setLong(i++, r.startedAt().toEpochMilli());
    Instants.set(ps, i++, r.revealedAt());
    ps.setInt(i++, r.postponed() ? 1 : 0);
    ps.setString(i++, r.decidedBy());
    ps.setString(i++, r.approvalChannel());
    ps.setString(i++, r.approvalTs());
    Instants.set(ps, i++, r.deactivatedAt());
    ps.setLong(i++, r.updatedAt().toEpochMilli());
    return i;
  }

  private static List<Rotation> read(PreparedStatement ps) throws SQLException {
    List<Rotation> rotations = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        rotations.add(
            new Rotation(
                rs.getString("id"),
                rs.getString("iam_user"),
                rs.getString("owner_id"),
                rs.getString("old_key_id"),
                rs.getString("new_key_id"),
                rs.getInt("lost") == 1,
                RotationState.valueOf(rs.getString("state")),
                Instant.ofEpochMilli(rs.getLong("started_at")),
                Instants.get(rs, "revealed_at"),
                rs.getInt("postponed") == 1,
                rs.getString("decided_by"),
                rs.getString("approval_channel"),
                rs.getString("approval_ts"),
                Instants.get(rs, "deactivated_at"),
                Instant.ofEpochMilli(rs.getLong("updated_at"))));
      }
    }
    return List.copyOf(rotations);
  }
}
