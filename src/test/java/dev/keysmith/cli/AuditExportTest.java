package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keysmith.store.SqlAuditChain;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuditExportTest {
  @Test
  void cell_formulaStart_isDefused() {
    assertEquals("'=1+2", AuditExport.cell("=1+2"));
    assertEquals("'+cmd", AuditExport.cell("+cmd"));
    assertEquals("'-2", AuditExport.cell("-2"));
    assertEquals("'@SUM(A1)", AuditExport.cell("@SUM(A1)"));
    assertEquals(
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        AuditExport.cell("=HYPERLINK(\"http://x\",\"y\")"));
  }

  @Test
  void cell_commaQuoteOrLineBreak_isQuotedWithQuotesDoubled() {
    assertEquals("\"a,b\"", AuditExport.cell("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", AuditExport.cell("say \"hi\""));
    assertEquals("\"line\nbreak\"", AuditExport.cell("line\nbreak"));
    assertEquals("plain", AuditExport.cell("plain"));
    assertEquals("", AuditExport.cell(null));
  }

  @Test
  void csvLine_rowWithoutRequestOrHash_leavesThoseCellsEmpty() {
    SqlAuditChain.Row row =
        new SqlAuditChain.Row(
            7,
            Instant.parse("2026-01-02T03:04:05Z"),
            null,
            "keysmith",
            "keys.linked",
            "{}",
            null,
            null);

    assertEquals("2026-01-02T03:04:05Z,7,,keysmith,keys.linked,{},,\r\n", AuditExport.csvLine(row));
  }

  @Test
  void jsonLine_detailsNotJson_isKeptAsText() {
    SqlAuditChain.Row row =
        new SqlAuditChain.Row(
            7, Instant.parse("2026-01-02T03:04:05Z"), "KS-1", "U1", "a", "{broken", "p", "h");

    assertEquals(
        "{\"at\":\"2026-01-02T03:04:05Z\",\"id\":7,\"requestId\":\"KS-1\",\"actor\":\"U1\","
            + "\"action\":\"a\",\"details\":\"{broken\",\"hash\":\"h\",\"prevHash\":\"p\"}",
        AuditExport.jsonLine(row));
  }
}
