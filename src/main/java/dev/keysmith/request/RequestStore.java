package dev.keysmith.request;

import dev.keysmith.workflow.StateStore;
import java.util.List;
import java.util.Optional;

/**
 * Durable home of access requests. Every state change is an atomic compare-and-set, so two
 * approvers clicking at once move a request only once.
 */
public interface RequestStore extends StateStore<AccessRequest, RequestState> {

  /** Stores a new request; false when its id is taken (the caller picks another id). */
  boolean insert(AccessRequest request);

  /**
   * Stores {@code next}, an approval of {@code before}, when the request is still as {@code before}
   * has it: same state and the same approvals, so two approvers clicking at once never overwrite
   * each other's approval. False when either moved on.
   */
  boolean compareAndSetApprovals(AccessRequest before, AccessRequest next);

  /** The request with this id. */
  Optional<AccessRequest> find(String id);

  /** All requests in {@code state}, oldest first. */
  List<AccessRequest> findByState(RequestState state);

  /** The extensions of the user request {@code rootId} made, oldest first. */
  List<AccessRequest> findExtensions(String rootId);

  /** Requests whose state holds on to {@code iamUserName}, compared ignoring case. */
  List<AccessRequest> findClaiming(String iamUserName);

  /**
   * Remembers where the approvals message of {@code id} is, in whatever state the request is now;
   * false when there is no such request.
   */
  boolean recordApprovalMessage(String id, Notifier.MessageRef approval);

  /**
   * Remembers where the owner's offer message of {@code id} is, in whatever state the request is
   * now; false when there is no such request.
   */
  boolean recordOfferMessage(String id, Notifier.MessageRef offer);
}
