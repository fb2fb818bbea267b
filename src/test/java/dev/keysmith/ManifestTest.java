package dev.keysmith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The Slack app manifest asks for the least Keysmith needs, and says why. */
class ManifestTest {
  private static final Path MANIFEST = Path.of("manifest.yml");

  @Test
  void botScopes_areExactlyTheOnesTheCodeUses() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    Set<String> scopes = new TreeSet<>();
    manifest.path("oauth_config").path("scopes").path("bot").forEach(s -> scopes.add(s.asText()));

    // chat.postMessage and chat.update; usergroups.users.list; users.info and the user_change
    // event, for people who leave; the /iam command. Nothing else:
    // a direct message is chat.postMessage to a user id, which needs no im:write.
    assertEquals(Set.of("chat:write", "commands", "usergroups:read", "users:read"), scopes);
    assertTrue(manifest.path("oauth_config").path("scopes").path("user").isMissingNode());
  }

  @Test
  void everyScope_saysWhyOnItsLine() throws Exception {
    List<String> scopeLines =
        Files.readAllLines(MANIFEST).stream()
            .filter(l -> l.strip().matches("- [a-z]+(:[a-z.]+)?(\\s.*)?"))
            .filter(l -> l.contains("commands") || l.contains(":"))
            .toList();

    assertEquals(4, scopeLines.size(), scopeLines.toString());
    scopeLines.forEach(l -> assertTrue(l.contains("# "), "no reason given: " + l));
  }

  @Test
  void usageHint_namesEverySubcommand() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    String hint =
        manifest.path("features").path("slash_commands").get(0).path("usage_hint").asText();

    assertEquals(
        List.of(
            "create-user",
            "keys",
            "rotate-key",
            "lost-key",
            "deactivate-key",
            "link",
            "delete-user",
            "help"),
        List.of(hint.split(" \\| ", -1)));
  }

  @Test
  void description_namesEverySubcommand() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    String description =
        manifest.path("features").path("slash_commands").get(0).path("description").asText();
    String hint =
        manifest.path("features").path("slash_commands").get(0).path("usage_hint").asText();

    for (String sub : hint.split(" \\| ", -1)) {
      assertTrue(description.contains(sub), "description does not name " + sub);
    }
  }

  @Test
  void homeTab_isOnAndItsEventSubscribed() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());

    assertTrue(manifest.path("features").path("app_home").path("home_tab_enabled").asBoolean());
    List<String> events = new java.util.ArrayList<>();
    manifest
        .path("settings")
        .path("event_subscriptions")
        .path("bot_events")
        .forEach(e -> events.add(e.asText()));
    assertEquals(List.of("user_change", "app_home_opened"), events);
  }

  @Test
  void globalShortcut_opensTheRequestForm() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    JsonNode shortcuts = manifest.path("features").path("shortcuts");

    assertEquals(1, shortcuts.size());
    assertEquals("global", shortcuts.get(0).path("type").asText());
    assertEquals("keysmith_request_user", shortcuts.get(0).path("callback_id").asText());
    assertEquals("Request an IAM user", shortcuts.get(0).path("name").asText());
    assertTrue(shortcuts.get(0).path("name").asText().length() <= 24);
    assertTrue(shortcuts.get(0).path("description").asText().length() <= 150);
  }

  @Test
  void usageHint_namesExactlyTheSubcommandsIamCommandHandles() throws Exception {
    JsonNode manifest = new ObjectMapper(new YAMLFactory()).readTree(MANIFEST.toFile());
    String hint =
        manifest.path("features").path("slash_commands").get(0).path("usage_hint").asText();
    String source = Files.readString(Path.of("src/main/java/dev/keysmith/slack/IamCommand.java"));
    Set<String> handled = new TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z-]+)\"").matcher("");
    for (String line : source.lines().filter(l -> l.strip().startsWith("case ")).toList()) {
      m.reset(line);
      while (m.find()) {
        handled.add(m.group(1));
      }
    }

    assertEquals(handled, new TreeSet<>(List.of(hint.split(" \\| ", -1))));
  }
}
