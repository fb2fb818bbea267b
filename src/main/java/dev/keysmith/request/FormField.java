package dev.keysmith.request;

/** The fields of the create-user form, for reporting problems on the right one. */
public enum FormField {
  IAM_USER_NAME,
  GROUP,
  ACCESS_TYPE,
  OWNER,
  JUSTIFICATION,
  LIFETIME,
  BREAK_GLASS
}
