package dev.keysmith.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP server on 127.0.0.1 that is not Slack: forged response_urls point here, and anything that
 * arrives is a request Keysmith should never have sent.
 */
public final class TrapServer implements AutoCloseable {
  private final HttpServer server;
  private final List<String> requests = new ArrayList<>();

  private TrapServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            synchronized (requests) {
              requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            }
            exchange.sendResponseHeaders(200, -1);
          }
        });
    server.start();
  }

  /** Starts a trap on a free port of 127.0.0.1. */
  public static TrapServer start() {
    try {
      return new TrapServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The trap's port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** A URL on the trap, such as {@code http://127.0.0.1:PORT/path}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Every request that arrived, as {@code METHOD /path?query}, oldest first. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
