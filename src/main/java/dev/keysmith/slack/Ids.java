package dev.keysmith.slack;

/** Every callback, block and action id Keysmith uses, in one place. */
final class Ids {
  private Ids() {}

  static final String COMMAND = "/iam";

  static final String CREATE_USER_VIEW = "keysmith_create_user";
  static final String DENY_VIEW = "keysmith_deny";
  static final String EXTEND_VIEW = "keysmith_extend";

  static final String BLOCK_IAM_USER_NAME = "iam_user_name";
  static final String BLOCK_GROUP = "group";
  static final String BLOCK_ACCESS_TYPE = "access_type";
  static final String BLOCK_OWNER = "owner";
  static final String BLOCK_JUSTIFICATION = "justification";
  static final String BLOCK_LIFETIME = "lifetime";
  static final String BLOCK_BREAK_GLASS = "break_glass";

  /** The value of the break-glass checkbox. */
  static final String BREAK_GLASS = "break_glass";

  static final String BLOCK_DENY_REASON = "deny_reason";
  static final String BLOCK_DECISION = "decision";
  static final String BLOCK_CANCEL = "cancel";
  static final String BLOCK_REVEAL = "reveal";
  static final String BLOCK_LINK_DECISION = "link_decision";

  /** The single action id inside each input block. */
  static final String INPUT = "value";

  static final String ACTION_APPROVE = "keysmith_approve";
  static final String ACTION_DENY = "keysmith_deny";
  static final String ACTION_CANCEL_REQUEST = "keysmith_cancel_request";
  static final String ACTION_GET_CREDENTIALS = "keysmith_get_credentials";
  static final String ACTION_REVEAL = "keysmith_reveal";
  static final String ACTION_HIDE = "keysmith_hide";
  static final String ACTION_GROUP_SUGGEST = "keysmith_group";
  static final String ACTION_DEACTIVATE_KEY = "keysmith_deactivate_key";
  static final String ACTION_ROTATE_PROMPT = "keysmith_rotate_prompt";
  static final String ACTION_ROTATE = "keysmith_rotate";
  static final String ACTION_DELETE_FOR_ROOM = "keysmith_delete_for_room";
  static final String ACTION_DEACTIVATE_OLD_NOW = "keysmith_deactivate_old_now";
  static final String ACTION_ROTATION_APPROVE = "keysmith_rotation_approve";
  static final String ACTION_ROTATION_DENY = "keysmith_rotation_deny";
  static final String ACTION_DELETE_USER = "keysmith_delete_user";
  static final String ACTION_DELETE_USER_PROMPT = "keysmith_delete_user_prompt";
  static final String ACTION_EXTEND = "keysmith_extend";
  static final String ACTION_REASSIGN = "keysmith_reassign";
  static final String ACTION_REASSIGN_TO = "keysmith_reassign_to";

  /** The block of the Reassign prompt's user picker: this, then the IAM user's name. */
  static final String BLOCK_REASSIGN_PREFIX = "reassign:";

  static final String ACTION_DELETE_USER_CANCEL = "keysmith_delete_user_cancel";
  static final String ACTION_LINK_APPROVE = "keysmith_link_approve";
  static final String ACTION_LINK_DENY = "keysmith_link_deny";

  /** The global shortcut that opens the create-user form (manifest: features.shortcuts). */
  static final String SHORTCUT_REQUEST_USER = "keysmith_request_user";

  // The Home tab's pagers; every other button on it is the same as in messages.
  static final String ACTION_HOME_PREVIOUS = "keysmith_home_previous";
  static final String ACTION_HOME_NEXT = "keysmith_home_next";
  static final String BLOCK_HOME_PREFIX = "home_";
}
