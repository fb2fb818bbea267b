package dev.keysmith.audit;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every kind of audited fact, with the code it is stored and logged under. */
public enum AuditAction {
  REQUEST_SUBMITTED("request.submitted"),
  REQUEST_APPROVED("request.approved"),
  REQUEST_APPROVAL_COUNTED("request.approval-counted"),
  REQUEST_BREAK_GLASS("request.break-glass"),
  REQUEST_DENIED("request.denied"),
  REQUEST_FAILED("request.failed"),
  REQUEST_PROVISIONED("request.provisioned"),
  REQUEST_CANCELLED("request.cancelled"),
  REQUEST_EXPIRED("request.expired"),
  REQUEST_REMINDED("request.reminded"),
  USER_EXPIRY_WARNED("user.expiry-warned"),
  USER_EXTENDED("user.extended"),
  OWNER_LEFT("owner.left"),

  IAM_CREATE_USER("iam.CreateUser"),
  IAM_ADD_USER_TO_GROUP("iam.AddUserToGroup"),
  IAM_DELETE_USER("iam.DeleteUser"),
  IAM_TAG_USER("iam.TagUser"),
  IAM_CREATE_ACCESS_KEY("iam.CreateAccessKey"),
  IAM_DELETE_ACCESS_KEY("iam.DeleteAccessKey"),
  IAM_CREATE_LOGIN_PROFILE("iam.CreateLoginProfile"),
  IAM_DELETE_LOGIN_PROFILE("iam.DeleteLoginProfile"),

  DELIVERY_OFFERED("delivery.offered"),
  DELIVERY_REVEALED("delivery.revealed"),
  DELIVERY_EXPIRED("delivery.expired"),
  DELIVERY_UNDONE("delivery.undone"),
  DELIVERY_UNDO_FAILED("delivery.undo-failed"),
  DELIVERY_HIDDEN("delivery.hidden"),
  DELIVERY_WIPED("delivery.wiped"),
  DELIVERY_WIPE_FAILED("delivery.wipe-failed"),

  LINK_REQUESTED("link.requested"),
  LINK_APPROVED("link.approved"),
  LINK_DENIED("link.denied"),
  LINK_EXPIRED("link.expired"),
  LINK_CANCELLED("link.cancelled"),
  LINK_FAILED("link.failed"),

  KEYS_LINKED("keys.linked"),
  KEYS_DEACTIVATED("keys.deactivated"),
  KEYS_DELETED("keys.deleted"),
  KEYS_ROTATED("keys.rotated"),

  ROTATION_REQUESTED("rotation.requested"),
  ROTATION_APPROVED("rotation.approved"),
  ROTATION_DENIED("rotation.denied"),
  ROTATION_POSTPONED("rotation.postponed"),
  ROTATION_DONE("rotation.done"),
  ROTATION_CANCELLED("rotation.cancelled"),

  OFFBOARD_STARTED("offboard.started"),
  OFFBOARD_REMOVED("offboard.removed"),
  OFFBOARD_DONE("offboard.done"),
  OFFBOARD_FAILED("offboard.failed"),

  REMINDER_TOO_OLD("reminder.too-old"),
  REMINDER_UNUSED("reminder.unused"),

  SLACK_UNDELIVERABLE("slack.undeliverable");

  private static final Map<String, AuditAction> BY_CODE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(a -> a.code, Function.identity()));

  private final String code;

  AuditAction(String code) {
    this.code = code;
  }

  /** The code in the audit table and the JSON log line, such as {@code request.submitted}. */
  public String code() {
    return code;
  }

  /** The action stored under {@code code}. */
  public static AuditAction ofCode(String code) {
    AuditAction action = BY_CODE.get(code);
    if (action == null) {
      throw new IllegalArgumentException("unknown audit action " + code);
    }
    return action;
  }

  @Override
  public String toString() {
    return code;
  }
}
