package dev.keysmith.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keysmith.cli.CommandLine.Command;
import dev.keysmith.cli.CommandLine.Mistake;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void parse_unknownOption_isAMistakeNamingIt() {
    Mistake mistake = assertThrows(Mistake.class, () -> CommandLine.parse(List.of("--verbose")));
    assertEquals("unknown option '--verbose'", mistake.getMessage());
  }

  @Test
  void parse_unknownCommand_isAMistakeNamingIt() {
    Mistake mistake = assertThrows(Mistake.class, () -> CommandLine.parse(List.of("chek")));
    assertEquals("unknown command 'chek'", mistake.getMessage());
  }

  @Test
  void parse_argumentAfterCommand_isAMistake() {
    Mistake mistake =
        assertThrows(Mistake.class, () -> CommandLine.parse(List.of("check", "--all")));
    assertEquals("unexpected argument '--all' after check", mistake.getMessage());
  }

  @Test
  void parse_tokenPastedAsArgument_showsOnlyItsPrefix() {
    Mistake mistake =
        assertThrows(Mistake.class, () -> CommandLine.parse(List.of("xoxb-1234-5678-secretpart")));
    assertEquals("unknown command 'xoxb-...'", mistake.getMessage());
    assertFalse(mistake.getMessage().contains("secretpart"));
  }

  @Test
  void parse_audit_takesItsOwnArguments_andIsInTheHelp() {
    assertEquals(Command.AUDIT, CommandLine.parse(List.of("audit", "export", "--since", "30d")));
    assertEquals(Command.HELP, CommandLine.parse(List.of("audit", "--help")));
    assertTrue(CommandLine.usage().contains("audit verify"));
    assertTrue(CommandLine.usage().contains("audit export [--since"));
  }

  @Test
  void parse_nothing_runsTheBot() {
    assertEquals(Command.RUN, CommandLine.parse(List.of()));
  }

  @Test
  void parse_helpAnywhere_isHelp() {
    assertEquals(Command.HELP, CommandLine.parse(List.of("--help")));
    assertEquals(Command.HELP, CommandLine.parse(List.of("-h")));
    assertEquals(Command.HELP, CommandLine.parse(List.of("help")));
    assertEquals(Command.HELP, CommandLine.parse(List.of("check", "--help")));
  }

  @Test
  void parse_versionAndCheck() {
    assertEquals(Command.VERSION, CommandLine.parse(List.of("--version")));
    assertEquals(Command.VERSION, CommandLine.parse(List.of("-V")));
    assertEquals(Command.CHECK, CommandLine.parse(List.of("check")));
  }

  @Test
  void usage_namesTheCommandsTheVariablesAndWhereTheConfigFileIs() {
    String usage = CommandLine.usage();
    assertTrue(usage.startsWith("Keysmith: a Slack bot that creates AWS IAM users"), usage);
    for (String expected :
        List.of(
            "check",
            "--help",
            "--version",
            "SLACK_BOT_TOKEN",
            "SLACK_APP_TOKEN",
            "SLACK_SIGNING_SECRET",
            "SLACK_API_URL",
            "KEYSMITH_CONFIG          the config file, default ./keysmith.yml",
            "keysmith.yml in the working",
            "KEYSMITH_DATABASE_USER",
            "AWS_PROFILE")) {
      assertTrue(usage.contains(expected), expected);
    }
    assertTrue(usage.endsWith("\n"));
  }

  @Test
  void version_fromTheManifest_orSaysItIsUnknown() {
    assertEquals("keysmith 1.2.3", CommandLine.version("1.2.3"));
    assertEquals(
        "keysmith (version unknown: not run from keysmith.jar)", CommandLine.version(null));
  }
}
