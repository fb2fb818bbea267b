package dev.keysmith.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keysmith.store.SqlAuditChain;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Audit rows as a SIEM takes them: one JSON object per line, or CSV (RFC 4180, with a header) whose
 * cells cannot start a spreadsheet formula.
 */
final class AuditExport {
  static final List<String> COLUMNS =
      List.of("at", "id", "requestId", "actor", "action", "details", "hash", "prevHash");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CRLF = "\r\n";

  private final Writer out;
  private final boolean csv;

  AuditExport(Writer out, boolean csv) {
    this.out = out;
    this.csv = csv;
  }

  /** The CSV header; nothing for JSON lines. */
  void header() {
    if (csv) {
      write(String.join(",", COLUMNS) + CRLF);
    }
  }

  /** One row, one line. */
  void row(SqlAuditChain.Row row) {
    write(csv ? csvLine(row) : jsonLine(row) + "\n");
  }

  static String jsonLine(SqlAuditChain.Row row) {
    StringWriter line = new StringWriter(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(line)) {
      g.writeStartObject();
      g.writeStringField("at", row.at().toString());
      g.writeNumberField("id", row.id());
      g.writeStringField("requestId", row.requestId());
      g.writeStringField("actor", row.actor());
      g.writeStringField("action", row.action());
      g.writeFieldName("details");
      g.writeTree(details(row.details()));
      g.writeStringField("hash", row.hash());
      g.writeStringField("prevHash", row.prevHash());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line.toString();
  }

  // Parsed, not copied: a row edited in the database must not break the line it is written on.
  private static JsonNode details(String stored) {
    try {
      JsonNode node = JSON.readTree(stored);
      return node == null ? JSON.getNodeFactory().textNode(stored) : node;
    } catch (JsonProcessingException e) {
      return JSON.getNodeFactory().textNode(stored);
    }
  }

  static String csvLine(SqlAuditChain.Row row) {
    List<@Nullable String> cells =
        Arrays.asList(
            row.at().toString(),
            Long.toString(row.id()),
            row.requestId(),
            row.actor(),
            row.action(),
            row.details(),
            row.hash(),
            row.prevHash());
    StringBuilder line = new StringBuilder(256);
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        line.append(',');
      }
      line.append(cell(cells.get(i)));
    }
    return line.append(CRLF).toString();
  }

  /**
   * One CSV cell: a value a spreadsheet would take for a formula gets a leading {@code '}; quoted
   * when it holds a comma, a quote or a line break, its quotes doubled (RFC 4180).
   */
  static String cell(@Nullable String value) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    String safe = "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    if (safe.indexOf(',') < 0
        && safe.indexOf('"') < 0
        && safe.indexOf('\n') < 0
        && safe.indexOf('\r') < 0) {
      return safe;
    }
    return '"' + safe.replace("\"", "\"\"") + '"';
  }

  private void write(String text) {
    try {
      out.write(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
