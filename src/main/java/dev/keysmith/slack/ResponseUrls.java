package dev.keysmith.slack;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * Which {@code response_url}s Keysmith may POST to: Slack's own, over https at {@code
 * hooks.slack.com} (or GovSlack's {@code hooks.slack-gov.com}), or at the scheme, host and port of
 * the configured Slack API URL ({@code SLACK_API_URL}: GovSlack, Enterprise proxies, the tests'
 * fake Slack). A payload names its response_url, and a forged one could name any URL, such as the
 * cloud's metadata service.
 */
public final class ResponseUrls {
  private static final Set<String> SLACK_HOSTS = Set.of("hooks.slack.com", "hooks.slack-gov.com");

  // Slack's response_urls are about 100 characters; anything far longer is not one of them.
  private static final int MAX_LENGTH = 2000;

  private final @Nullable Origin configured;

  private ResponseUrls(@Nullable Origin configured) {
    this.configured = configured;
  }

  /** Slack's hosts, and the origin of {@code slackApiUrl} when one is configured. */
  public static ResponseUrls allowing(Optional<String> slackApiUrl) {
    return new ResponseUrls(slackApiUrl.map(ResponseUrls::origin).orElse(null));
  }

  /** Whether {@code url} is a response_url of Slack's, which Keysmith may POST to. */
  boolean isSlacks(@Nullable String url) {
    if (url == null) {
      return false;
    }
    Origin origin = origin(url);
    if (origin == null) {
      return false;
    }
    return (origin.scheme().equals("https")
            && origin.port() == 443
            && SLACK_HOSTS.contains(origin.host()))
        || origin.equals(configured);
  }

  /**
   * Where {@code url} would be sent, or null when it is not a plain http(s) URL that the JDK's and
   * the Slack client's (OkHttp's) parsers read alike: a URL two parsers disagree on could pass a
   * check with one host and be sent to another.
   */
  private static @Nullable Origin origin(String url) {
    if (url.length() > MAX_LENGTH) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http"))
        || uri.isOpaque()
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawFragment() != null) {
      return null;
    }
    String host = unbracketed(uri.getHost().toLowerCase(Locale.ROOT));
    int port = uri.getPort() == -1 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
    HttpUrl sent = HttpUrl.parse(url);
    if (sent == null
        || !sent.scheme().equals(scheme)
        || !sent.host().equals(host)
        || sent.port() != port) {
      return null;
    }
    return new Origin(scheme, host, port);
  }

  private static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private record Origin(String scheme, String host, int port) {}
}
