package dev.keysmith.slack;

import static dev.keysmith.slack.Mrkdwn.escape;
import static dev.keysmith.slack.Mrkdwn.user;

import com.slack.api.model.block.LayoutBlock;
import dev.keysmith.iam.IamGateway.AccessKeyInfo;
import dev.keysmith.iam.IamGateway.ServiceCredential;
import dev.keysmith.offboard.OffboardCause;
import dev.keysmith.offboard.OffboardPlan;
import dev.keysmith.offboard.OffboardState;
import dev.keysmith.offboard.OffboardStep;
import dev.keysmith.offboard.Offboarding;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Block Kit of {@code /iam delete-user}: the plan to confirm, and what became of it. */
final class OffboardBlocks {
  /** Slack's limit on a section's text is 3,000 characters; a long list is cut before it. */
  private static final int SECTION_LIMIT = 2_900;

  private OffboardBlocks() {}

  /** The plan: exactly what deleting the user removes, in order, with Delete user and Cancel. */
  static List<LayoutBlock> plan(OffboardPlan p) {
    String name = "`" + escape(p.iamUser()) + "`";
    List<LayoutBlock> blocks =
        new ArrayList<>(
            Blocks.text(
                "*Delete IAM user "
                    + name
                    + "?* Owner: "
                    + user(p.owner().orElse(null))
                    + ". Keysmith removes, in the order IAM requires:"));
    List<String> lines = new ArrayList<>();
    lines.add(
        "• Access keys: "
            + list(p.accessKeys(), k -> code(k.accessKeyId()) + " (" + status(k) + ")"));
    lines.add("• Console password: " + (p.loginProfile() ? "yes" : "none"));
    lines.add("• Signing certificates: " + list(p.signingCertificates(), OffboardBlocks::code));
    lines.add("• SSH public keys: " + list(p.sshPublicKeys(), OffboardBlocks::code));
    lines.add(
        "• Service-specific credentials: "
            + list(p.serviceCredentials(), OffboardBlocks::serviceCredential));
    lines.add(
        "• MFA devices (deactivated; virtual ones deleted): "
            + list(p.mfaDevices(), OffboardBlocks::code));
    lines.add("• Group memberships: " + list(p.groups(), OffboardBlocks::code));
    lines.add("• Attached managed policies: " + list(p.attachedPolicies(), OffboardBlocks::code));
    lines.add("• Inline policies: " + list(p.inlinePolicies(), OffboardBlocks::code));
    lines.add("• Then the IAM user " + name + " itself.");
    for (String line : lines) {
      blocks.addAll(Blocks.text(cut(line)));
    }
    blocks.add(
        Blocks.contextLine(
            "Whatever is added before you confirm is removed too. This cannot be undone."));
    blocks.add(
        Blocks.buttons(
            "delete_user",
            Blocks.confirmedButton(
                Ids.ACTION_DELETE_USER,
                "Delete user",
                p.iamUser(),
                "Delete IAM user " + name + " and everything listed? This cannot be undone.",
                "Delete"),
            Blocks.button(Ids.ACTION_DELETE_USER_CANCEL, "Cancel", null, p.iamUser())));
    return blocks;
  }

  /** What the clicker sees once the offboarding ran as far as IAM let it. */
  static String outcome(Offboarding o) {
    String name = "`" + escape(o.iamUser()) + "`";
    if (o.state() == OffboardState.DONE) {
      return ":wastebasket: IAM user "
          + name
          + " is deleted, with everything it had ("
          + o.id()
          + "). The approvals channel"
          + (o.cause() == OffboardCause.APPROVER ? " and its owner have" : " has")
          + " been told.";
    }
    if (o.state() == OffboardState.FAILED) {
      return ":x: "
          + failure(o)
          + " What was removed before stays removed. The approvals channel has been told. Once"
          + " that is fixed, `/iam delete-user "
          + escape(o.iamUser())
          + "` carries on.";
    }
    return ":hourglass_flowing_sand: Deleting "
        + name
        + " ("
        + o.id()
        + "): IAM is not answering right now. Keysmith keeps trying and messages you when it is"
        + " done.";
  }

  /** Which step IAM refused and why, in words. */
  static String failure(Offboarding o) {
    OffboardStep step = Objects.requireNonNullElse(o.failedStep(), OffboardStep.USER);
    return "Keysmith could not delete IAM user `"
        + escape(o.iamUser())
        + "` ("
        + o.id()
        + "): IAM refused the step that removes "
        + (step == OffboardStep.USER ? "" : "its ")
        + step.what()
        + ". "
        + escape(Objects.requireNonNullElse(o.outcome(), ""));
  }

  private static <T> String list(List<T> things, Function<T, String> show) {
    return things.isEmpty() ? "none" : String.join(", ", things.stream().map(show).toList());
  }

  private static String code(String value) {
    return "`" + escape(value) + "`";
  }

  private static String status(AccessKeyInfo key) {
    return key.active() ? "Active" : "Inactive";
  }

  private static String serviceCredential(ServiceCredential c) {
    return code(c.id()) + " (" + escape(c.serviceName()) + ")";
  }

  private static String cut(String text) {
    return text.length() <= SECTION_LIMIT ? text : text.substring(0, SECTION_LIMIT) + " …";
  }
}
