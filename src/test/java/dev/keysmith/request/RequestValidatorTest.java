package dev.keysmith.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.keysmith.iam.IamDirectory;
import dev.keysmith.request.FormProblem.Reason;
import dev.keysmith.testing.FakeIamGateway;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidatorTest {
  private static final String OWNER = "U0OWNER";

  private final FakeIamGateway iam = new FakeIamGateway();
  private RequestValidator validator;

  @BeforeEach
  void setUp() {
    iam.groups.add("developers");
    iam.groups.add("admins");
    validator =
        new RequestValidator(
            new IamDirectory(iam, List.of("developers"), Runnable::run, Ticker.systemTicker()));
  }

  private static RequestForm named(String name) {
    return new RequestForm(name, "developers", AccessType.BOTH, OWNER, "reports");
  }

  private FormProblem nameProblem(String name) {
    return validator.problems(named(name)).get(FormField.IAM_USER_NAME);
  }

  @Test
  void problems_ofAGoodForm_areNone() {
    assertEquals(Map.of(), validator.problems(named("alice")));
  }

  @Test
  void problems_ofAnEmptyForm_areOnEveryField() {
    assertEquals(
        Map.of(
            FormField.IAM_USER_NAME, FormProblem.of(Reason.USER_NAME_EMPTY),
            FormField.GROUP, FormProblem.of(Reason.GROUP_MISSING),
            FormField.ACCESS_TYPE, FormProblem.of(Reason.ACCESS_TYPE_MISSING),
            FormField.OWNER, FormProblem.of(Reason.OWNER_MISSING),
            FormField.JUSTIFICATION, FormProblem.of(Reason.JUSTIFICATION_MISSING)),
        validator.problems(new RequestForm("", " ", null, "", " ")));
    assertEquals(
        FormProblem.of(Reason.USER_NAME_EMPTY),
        validator
            .problems(new RequestForm(null, null, null, null, null))
            .get(FormField.IAM_USER_NAME));
  }

  @ParameterizedTest
  @ValueSource(strings = {"<!channel>", "<@U0OWNER>", "U0OWNER|x", "u0owner", "U", "C0CHANNEL"})
  void problems_ownerThatIsNotASlackUserId_isOnTheOwnerFieldAlone(String owner) {
    Map<FormField, FormProblem> problems =
        validator.problems(
            new RequestForm("alice", "developers", AccessType.BOTH, owner, "reports"));

    assertEquals(Map.of(FormField.OWNER, FormProblem.of(Reason.OWNER_NOT_A_USER)), problems);
  }

  @Test
  void problems_nameTooLong_carriesItsLengthInCodePoints() {
    assertEquals(FormProblem.of(Reason.USER_NAME_TOO_LONG, "65"), nameProblem("a".repeat(65)));
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    assertEquals(
        FormProblem.of(Reason.USER_NAME_TOO_LONG_AND_BAD_CHARACTERS, "65", emoji),
        nameProblem("a".repeat(63) + emoji + emoji));
  }

  @Test
  void problems_nameWithBadCharacters_carriesEachOnceInOrder() {
    assertEquals(FormProblem.of(Reason.USER_NAME_BAD_CHARACTERS, "/#"), nameProblem("a/b/c#d"));
    assertEquals(FormProblem.of(Reason.USER_NAME_BAD_CHARACTERS, " "), nameProblem("alice smith"));
  }

  @Test
  void problems_nameTooLongWithBadCharacters_carriesBoth() {
    assertEquals(
        FormProblem.of(Reason.USER_NAME_TOO_LONG_AND_BAD_CHARACTERS, "90", " "),
        nameProblem("a b".repeat(30)));
  }

  @Test
  void problems_nameOf64Characters_isFine() {
    assertNull(nameProblem("a".repeat(64)));
  }

  @Test
  void problems_nameTakenInAnotherCase_isTaken() {
    iam.createUser("alice", "/", Map.of(), Optional.empty());

    assertEquals(FormProblem.of(Reason.USER_NAME_TAKEN), nameProblem("ALICE"));
  }

  @Test
  void problems_groupThatIsNotOffered_isNamed() {
    // In IAM, but not configured; and configured-looking, but not in IAM.
    for (String group : List.of("admins", "not-in-iam")) {
      assertEquals(
          Map.of(FormField.GROUP, FormProblem.of(Reason.GROUP_NOT_OFFERED)),
          validator.problems(new RequestForm("alice", group, AccessType.BOTH, OWNER, "x")));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1001, 4000})
  void problems_justificationTooLong_carriesTheLimitAndItsLength(int length) {
    RequestForm form =
        new RequestForm("alice", "developers", AccessType.BOTH, OWNER, "x".repeat(length));

    assertEquals(
        Map.of(
            FormField.JUSTIFICATION,
            FormProblem.of(
                Reason.JUSTIFICATION_TOO_LONG,
                String.valueOf(RequestValidator.MAX_JUSTIFICATION),
                String.valueOf(length))),
        validator.problems(form));
  }

  @Test
  void problems_justificationAtTheLimit_isFine() {
    RequestForm form =
        new RequestForm(
            "alice",
            "developers",
            AccessType.BOTH,
            OWNER,
            "x".repeat(RequestValidator.MAX_JUSTIFICATION));

    assertEquals(Map.of(), validator.problems(form));
  }

  @Test
  void claimedBy_namesTheClaimingRequest() {
    AccessRequest claimant =
        AccessRequest.pending("KS-ABC123", named("alice"), "U0REQ", Instant.EPOCH);

    assertEquals(
        FormProblem.of(Reason.USER_NAME_CLAIMED, "KS-ABC123"),
        RequestValidator.claimedBy(claimant));
  }
}
