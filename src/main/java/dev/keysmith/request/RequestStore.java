package dev.keysmith.request;

import java.util.List;
import java.util.Optional;

/**
 * Durable home of access requests. Every state change is an atomic compare-and-set, so two
 * approvers clicking at once move a request only once.
 */
public interface RequestStore {

  /** Stores a new request; false when its id is taken (the caller picks another id). */
  boolean insert(AccessRequest request);

  /** The request with this id. */
  Optional<AccessRequest> find(String id);

  /**
   * Replaces the stored request with {@code next} only if it is still in state {@code expected};
   * returns whether it did.
   */
  boolean compareAndSet(RequestState expected, AccessRequest next);

  /** All requests in {@code state}, oldest first. */
  List<AccessRequest> findByState(RequestState state);

  /** Requests whose state holds on to {@code iamUserName}, compared ignoring case. */
  List<AccessRequest> findClaiming(String iamUserName);
}
