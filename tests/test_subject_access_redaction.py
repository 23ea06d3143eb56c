"""Redacting a child's file for a subject access request (issue 16): the file assembled and
frozen, passages marked with why they are withheld (and lifted), and a PDF from which the
redacted words are removed: its extracted text holds none of them."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessRecord, Action
from concerns import services as concern_services
from safeguard.errors import WorkflowError
from safeguard.reauth import SIGNED_IN_AT
from subject_access import services
from subject_access.models import Redaction, RedactionReason, Relationship, SubjectAccessRequest
from subject_access.passages import passages
from tests.factories import record_concern
from tests.test_pdf import pdf_text
from tests.test_views_concerns import history_rows, messages_shown, page_text, signed_in

ACCOUNT = "Amelia said her uncle Barrington Voss shouted at her and pushed her on Saturday."
NOTE = "Spoke to her mother, who was supportive and will keep the tablet downstairs."


@pytest.fixture
def sar(school, staff, dsl, pupils) -> SubjectAccessRequest:
    """Amelia's mother asked for Amelia's file, which holds one concern with a note; her
    identity is checked."""
    concern = record_concern(school=school, reporter=staff, pupils=[pupils[0]], account=ACCOUNT)
    concern_services.concern_add_note(concern=concern, author=dsl, text=NOTE)
    sar = services.request_record(
        pupil=pupils[0],
        by=dsl,
        requester_name="Helen Hart",
        relationship=Relationship.PARENT,
        received_on=timezone.localdate(),
    )
    return services.request_check_identity(
        sar=sar, by=dsl, checked_on=timezone.localdate(), how="Passport seen"
    )


def assembled(sar, dsl) -> SubjectAccessRequest:
    return services.request_assemble_file(sar=sar, by=dsl)


def key_of(sar, text: str) -> str:
    (passage,) = [p for p in passages(sar.file) if p.text == text]
    return passage.key


def recently_signed_in(user):
    """A client whose session proved who its user is just now (safeguard.reauth)."""
    client = signed_in(user)
    session = client.session
    session[SIGNED_IN_AT] = time.time()
    session.save()
    return client


def words(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf))


def test_assembling_freezes_the_childs_file_as_passages(sar, dsl):
    sar = assembled(sar, dsl)

    texts = [passage.text for passage in passages(sar.file)]
    assert ACCOUNT in texts and NOTE in texts
    assert history_rows(sar)[-1][1].startswith("The child's file assembled:")
    with pytest.raises(WorkflowError, match="already been assembled"):
        assembled(sar, dsl)


def test_the_redacted_pdf_holds_none_of_the_redacted_words(sar, dsl):
    sar = assembled(sar, dsl)
    services.passage_redact(
        sar=sar,
        by=dsl,
        passage=key_of(sar, ACCOUNT),
        reason=RedactionReason.THIRD_PARTY,
        details="Names her uncle, who has not agreed",
    )

    text = words(services.request_redacted_pdf(sar=sar, by=dsl))

    for word in ("Barrington", "Voss", "shouted", "pushed"):
        assert word not in text
    assert "[Redacted: Third party]" in text
    assert "Spoke to her mother, who was supportive" in text
    assert "1 of" in text and "withheld" in text
    assert history_rows(sar)[-1] == (
        dsl.pk,
        f"Redacted PDF made for Helen Hart: 1 of {len(passages(sar.file))} passages withheld",
    )


def test_a_lifted_redaction_is_disclosed_and_both_are_in_the_history(sar, dsl):
    sar = assembled(sar, dsl)
    key = key_of(sar, NOTE)
    services.passage_redact(
        sar=sar, by=dsl, passage=key, reason=RedactionReason.STAFF, details="A staff opinion"
    )

    redaction = services.passage_unredact(sar=sar, by=dsl, passage=key)

    assert "Spoke to her mother" in words(services.request_redacted_pdf(sar=sar, by=dsl))
    assert history_rows(redaction)[0][1].startswith("Redacted (staff")
    assert history_rows(redaction)[-1][1].startswith("Redaction lifted:")
    with pytest.raises(WorkflowError, match="not redacted"):
        services.passage_unredact(sar=sar, by=dsl, passage=key)


def test_a_redaction_needs_a_reason_and_why_on_a_passage_of_the_file(sar, dsl):
    with pytest.raises(WorkflowError, match="Assemble the child's file first"):
        services.passage_redact(
            sar=sar, by=dsl, passage="c0.account", reason="third_party", details="x"
        )
    sar = assembled(sar, dsl)
    key = key_of(sar, ACCOUNT)
    with pytest.raises(WorkflowError, match="Select why"):
        services.passage_redact(sar=sar, by=dsl, passage=key, reason="", details="x")
    with pytest.raises(WorkflowError, match="Say why this passage"):
        services.passage_redact(sar=sar, by=dsl, passage=key, reason="staff", details=" ")
    with pytest.raises(WorkflowError, match="not in the assembled file"):
        services.passage_redact(sar=sar, by=dsl, passage="c9.account", reason="staff", details="x")
    assert not Redaction.objects.exists()


# --- The pages ------------------------------------------------------------------------------


def file_url(name, sar) -> str:
    return reverse(f"subject_access:{name}", args=[sar.uuid])


def test_the_dsl_assembles_redacts_and_downloads_from_the_pages(sar, dsl):
    client = recently_signed_in(dsl)
    response = client.post(file_url("assemble", sar), follow=True)
    assert messages_shown(response) == ["The child's file is assembled. Mark what is withheld."]
    assert ACCOUNT in page_text(response)
    sar = SubjectAccessRequest.objects.get(pk=sar.pk)
    key = key_of(sar, ACCOUNT)

    response = client.post(
        file_url("redact", sar),
        {"passage": key, "reason": "other_child", "details": "Names a classmate"},
        follow=True,
    )
    assert messages_shown(response) == ["Passage redacted: other child."]
    assert "Redacted: Other child" in page_text(response)

    response = client.post(file_url("pdf", sar))
    assert response["Content-Type"] == "application/pdf"
    assert "Barrington" not in words(response.content)
    assert "[Redacted: Other child]" in words(response.content)


def test_the_file_page_costs_the_same_queries_however_many_redactions(
    sar, dsl, django_assert_num_queries
):
    sar = assembled(sar, dsl)
    client = signed_in(dsl)
    # - the session
    # - the signed-in user
    # - the request, with its school, pupil, who checked identity and who recorded it
    # - the user's membership at its school (may they handle cases there?)
    # - the read logged in the access log (INSERT)
    # - the passages redacted, with who marked each
    # - the user's memberships, for the navigation
    with django_assert_num_queries(7):
        client.get(file_url("file", sar))
    for text in (ACCOUNT, NOTE):
        services.passage_redact(
            sar=sar, by=dsl, passage=key_of(sar, text), reason="staff", details="Opinion"
        )
    with django_assert_num_queries(7):
        response = client.get(file_url("file", sar))
    assert page_text(response).count("Redacted: Staff member") == 2


def test_a_redaction_with_mistakes_keeps_what_was_typed(sar, dsl):
    sar = assembled(sar, dsl)
    key = key_of(sar, ACCOUNT)

    response = signed_in(dsl).post(
        file_url("redact", sar), {"passage": key, "reason": "", "details": "Names her uncle"}
    )

    assert "Select why the passage is withheld" in page_text(response)
    assert "Names her uncle" in response.content.decode()
    assert not Redaction.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_other_roles_are_refused_the_file(request, sar, persona):
    client = signed_in(request.getfixturevalue(persona))

    assert client.get(file_url("file", sar)).status_code == 403
    for name in ("assemble", "redact", "unredact", "pdf"):
        assert client.post(file_url(name, sar)).status_code == 403
    assert SubjectAccessRequest.objects.get(pk=sar.pk).file is None


def test_another_schools_dsl_does_not_find_the_file(sar, other_dsl):
    client = signed_in(other_dsl)

    assert client.get(file_url("file", sar)).status_code == 404
    for name in ("assemble", "redact", "unredact", "pdf"):
        assert client.post(file_url(name, sar)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in_and_writes_are_post_only(sar, dsl, client):
    assert client.get(file_url("file", sar)).url.startswith(reverse("account_login"))
    assert client.post(file_url("pdf", sar)).url.startswith(reverse("account_login"))
    for name in ("assemble", "redact", "unredact", "pdf"):
        assert signed_in(dsl).get(file_url(name, sar)).status_code == 405


def test_reading_the_assembled_file_and_exporting_its_pdf_are_in_the_access_log(sar, dsl):
    client = signed_in(dsl)
    client.get(file_url("file", sar))
    # Nothing assembled yet: nothing of the child's records was read.
    assert not AccessRecord.objects.filter(pupil=sar.pupil).exists()
    sar = assembled(sar, dsl)
    client.get(file_url("file", sar), REMOTE_ADDR="203.0.113.7")
    client.post(file_url("pdf", sar))
    assert list(
        AccessRecord.objects.filter(pupil=sar.pupil)
        .order_by("at", "pk")
        .values_list("user_id", "action", "ip_address")
    ) == [
        (dsl.pk, Action.VIEWED_REQUEST_FILE, "203.0.113.7"),
        (dsl.pk, Action.EXPORTED_REDACTED_PDF, "127.0.0.1"),
    ]
