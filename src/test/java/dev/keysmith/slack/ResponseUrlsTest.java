package dev.keysmith.slack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseUrlsTest {
  private static final ResponseUrls SLACK_ONLY = ResponseUrls.allowing(Optional.empty());
  private static final ResponseUrls WITH_FAKE =
      ResponseUrls.allowing(Optional.of("http://127.0.0.1:8123/api/"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://hooks.slack.com/actions/T0001/1700000000000/AbCdEfGhIjKlMnOp",
        "https://hooks.slack.com/commands/T0001/1700000000000/AbCdEfGhIjKlMnOp",
        "https://HOOKS.Slack.com/actions/T0001/1/x",
        "https://hooks.slack.com:443/actions/T0001/1/x",
        "https://hooks.slack-gov.com/actions/T0001/1/x"
      })
  void isSlacks_slacksOwnHooks_isTrue(String url) {
    assertTrue(SLACK_ONLY.isSlacks(url), url);
    assertTrue(WITH_FAKE.isSlacks(url), url);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://hooks.slack.com/actions/T0001/1/x",
        "https://hooks.slack.com:8443/actions/T0001/1/x",
        "https://hooks.slack.com.evil.example/actions",
        "https://evilhooks.slack.com/actions",
        "https://hooks.slack.com@evil.example/actions",
        "https://evil.example/#@hooks.slack.com",
        "https://evil.example\\@hooks.slack.com/",
        "https://evil.example%2F@hooks.slack.com/",
        "https://hooks.slack.com\\@evil.example/",
        "https://hooks.slack.com\t.evil.example/",
        "https://hooks.slack.com./actions",
        "https:hooks.slack.com/actions",
        "//hooks.slack.com/actions",
        "file:///etc/passwd",
        "gopher://hooks.slack.com/",
        "javascript:alert(1)",
        "https://slack.com/api/chat.postMessage",
        "http://127.0.0.1:8124/response/1",
        "https://127.0.0.1:8123/response/1",
        "http://localhost:8123/response/1",
        "http://127.0.0.1:8123@169.254.169.254/",
        "not a url"
      })
  void isSlacks_anythingElse_isFalse(String url) {
    assertFalse(SLACK_ONLY.isSlacks(url), url);
    assertFalse(WITH_FAKE.isSlacks(url), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8123/response/1", "http://127.0.0.1:8123/anything"})
  void isSlacks_theConfiguredApisOrigin_isTrueOnlyWhenConfigured(String url) {
    assertTrue(WITH_FAKE.isSlacks(url), url);
    assertFalse(SLACK_ONLY.isSlacks(url), url);
  }

  @Property
  void isSlacks_anyString_isFalseUnlessItIsOneOfSlacksOrigins(@ForAll String url) {
    assertFalse(SLACK_ONLY.isSlacks(url), url);
  }

  @Property
  void isSlacks_slacksUrlWithSomethingSlippedIntoTheHost_isFalse(
      @ForAll("tricks") String trick, @ForAll("positions") int at) {
    String host = "hooks.slack.com";
    int i = Math.min(at, host.length());
    String url = "https://" + host.substring(0, i) + trick + host.substring(i) + "/actions/T1/1/x";

    assertFalse(SLACK_ONLY.isSlacks(url), url);
  }

  @Provide
  Arbitrary<String> tricks() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "@", ".", "\\", "%2e", "%40", "#", "?", ":", "\u3002", "\uFF0E", "\t", "\n", " ", "\0"),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(4));
  }

  @Provide
  Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 14); // before the last character: the host changes
  }
}
