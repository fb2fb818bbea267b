package dev.keysmith.rotation;

import dev.keysmith.workflow.StateStore;
import java.util.List;
import java.util.Optional;

/**
 * Durable home of link requests. Every state change is an atomic compare-and-set, so two approvers
 * clicking at once move a request only once.
 */
public interface LinkStore extends StateStore<LinkRequest, LinkState> {

  /** Stores a new request; false when its id is taken or another link of the user is PENDING. */
  boolean insert(LinkRequest link);

  /** The request with this id. */
  Optional<LinkRequest> find(String id);

  /** The PENDING request for {@code iamUser} (compared ignoring case, as IAM does), if any. */
  Optional<LinkRequest> findPending(String iamUser);

  /** All requests in {@code state}, oldest first. */
  List<LinkRequest> findByState(LinkState state);
}
