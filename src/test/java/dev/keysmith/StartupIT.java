package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.store.StoreException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keysmith's start on a data directory whose database went missing, and its health. */
class StartupIT {
  @TempDir Path dataDir;

  @Test
  void start_databaseGoneSinceLastRun_isRefused_thenStartFreshStartsAndKeepsTheOldFiles()
      throws Exception {
    try (KeysmithFixture k = new KeysmithFixture(dataDir)) {
      HttpResponse<String> first = health(k);
      assertEquals(200, first.statusCode(), first.body());
      assertTrue(
          first.body().startsWith("{\"status\":\"ok\",\"database\":\"ok\",\"jobs\":{\"pending\":"),
          first.body());
      // The approvers' group was read from Slack at start.
      assertTrue(first.body().contains("\"slack\":{\"lastOk\":\""), first.body());

      k.keysmith.close();
      for (String name : List.of("keysmith.db", "keysmith.db-wal", "keysmith.db-shm")) {
        Files.deleteIfExists(dataDir.resolve(name));
      }

      StoreException refused = assertThrows(StoreException.class, k::start);
      assertTrue(refused.getMessage().contains("keysmith.db is missing"), refused.getMessage());
      assertTrue(refused.getMessage().contains("KEYSMITH_START_FRESH=true"), refused.getMessage());

      k.startFresh = true;
      k.start();
      assertEquals(200, health(k).statusCode());
      assertTrue(Files.exists(dataDir.resolve("aside-1/keysmith.id")));
      assertTrue(Files.exists(dataDir.resolve("keysmith.id")));
    }
  }

  private static HttpResponse<String> health(KeysmithFixture k) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k.keysmith.port() + "/health"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
