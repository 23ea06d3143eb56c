"""The read-access log (issue 5): every read of a child's records is logged, a DSL can see who
looked, and the log can be neither changed nor deleted, by the app or by SQL."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from audit.models import AccessRecord, Action
from audit.services import access_record
from tests.factories import record_concern, record_referral
from tests.test_query_counts import EVERY_PAGE
from tests.test_views_concerns import attach_pdf, page_text, signed_in


@pytest.fixture
def concern(school, staff, pupils):
    """A concern naming Amelia and Bella; Chloe is in none."""
    return record_concern(school=school, reporter=staff, pupils=pupils[:2])


def _logged_reads(client, method, url, **data):
    before = set(AccessRecord.objects.values_list("pk", flat=True))
    response = getattr(client, method)(url, data)
    new = list(
        AccessRecord.objects.exclude(pk__in=before).select_related("user", "concern", "pupil")
    )
    return response, new


@pytest.mark.parametrize(
    ("method", "target", "action", "data"),
    [
        ("get", "concern", Action.VIEWED_CONCERN, {}),
        ("get", "history", Action.VIEWED_HISTORY, {}),
        ("get", "chronology", Action.VIEWED_CHRONOLOGY, {}),
        ("post", "chronology_pdf", Action.EXPORTED_CHRONOLOGY_PDF, {"protected": "no"}),
        ("post", "concern_pdf", Action.EXPORTED_REFERRAL_PDF, {"protected": "no"}),
        ("get", "attachment", Action.DOWNLOADED_ATTACHMENT, {}),
        ("get", "referral", Action.VIEWED_REFERRAL, {}),
    ],
)
def test_each_read_is_logged_once_with_who_what_and_where(
    dsl, concern, pupils, method, target, action, data
):
    amelia = pupils[0]
    referral = record_referral(concern, dsl)
    attachment = attach_pdf(concern, by=dsl)
    url = {
        "concern": reverse("concerns:detail", args=[concern.uuid]),
        "history": reverse("concerns:history", args=[concern.uuid]),
        "chronology": reverse("concerns:chronology", args=[amelia.uuid]),
        "chronology_pdf": reverse("concerns:chronology_pdf", args=[amelia.uuid]),
        "concern_pdf": reverse("referrals:concern_pdf", args=[concern.uuid]),
        "attachment": reverse("concerns:attachment", args=[concern.uuid, attachment.uuid]),
        "referral": reverse("referrals:detail", args=[referral.uuid]),
    }[target]

    response, logged = _logged_reads(signed_in(dsl), method, url, **data)

    assert response.status_code == 200
    assert len(logged) == 1
    record = logged[0]
    assert (record.user, record.action, record.ip_address) == (dsl, action, "127.0.0.1")
    assert record.school_id == concern.school_id
    if target.startswith("chronology"):
        assert (record.pupil, record.concern) == (amelia, None)
    else:
        assert (record.concern, record.pupil) == (concern, None)
    assert record.referral_id == (referral.pk if target == "referral" else None)


def test_behind_the_proxy_the_log_records_the_address_the_proxy_saw(settings, dsl, concern):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = signed_in(dsl)

    # The proxy (127.0.0.1) saw 203.0.113.7; the client claimed 10.6.6.6 itself.
    client.get(
        reverse("concerns:detail", args=[concern.uuid]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.6.6.6, 203.0.113.7",
    )

    assert AccessRecord.objects.get().ip_address == "203.0.113.7"


def test_a_member_of_staff_reading_their_own_concern_is_logged(staff, concern):
    _, logged = _logged_reads(
        signed_in(staff), "get", reverse("concerns:detail", args=[concern.uuid])
    )
    assert [(r.user, r.action) for r in logged] == [(staff, Action.VIEWED_CONCERN)]


def test_refused_reads_are_not_logged(staff, governor, other_dsl, concern, pupils):
    urls = [
        (governor, reverse("concerns:detail", args=[concern.uuid])),  # 403
        (other_dsl, reverse("concerns:detail", args=[concern.uuid])),  # 404
        (staff, reverse("concerns:history", args=[concern.uuid])),  # 403
        (staff, reverse("concerns:chronology", args=[pupils[0].uuid])),  # 403
        (other_dsl, reverse("concerns:chronology", args=[pupils[0].uuid])),  # 404
    ]
    for user, url in urls:
        response = signed_in(user).get(url)
        assert response.status_code in (403, 404)
    assert (
        signed_in(other_dsl)
        .post(reverse("concerns:chronology_pdf", args=[pupils[0].uuid]), {"protected": "no"})
        .status_code
        == 404
    )
    assert not AccessRecord.objects.exists()


def audit_url(pupil):
    return reverse("audit:pupil", args=[pupil.uuid])


def test_the_dsl_sees_who_looked_at_the_childs_records_and_no_one_elses(
    dsl, deputy, staff, concern, school, pupils
):
    amelia, bella, chloe = pupils
    chloe_concern = record_concern(school=school, reporter=staff, pupils=[chloe])
    signed_in(deputy).get(reverse("concerns:detail", args=[concern.uuid]))
    signed_in(dsl).get(reverse("concerns:chronology", args=[amelia.uuid]))
    signed_in(staff).get(reverse("concerns:detail", args=[chloe_concern.uuid]))
    signed_in(staff).get(reverse("concerns:detail", args=[chloe_concern.uuid]))
    # A referral about Bella alone is not a read of Amelia's record.
    bella_only = record_referral(concern, dsl, children=[concern.children.get(pupil=bella)])
    signed_in(deputy).get(reverse("referrals:detail", args=[bella_only.uuid]))

    response = signed_in(dsl).get(audit_url(amelia))

    assert response.status_code == 200
    text = page_text(response)
    assert f"Who has looked at {amelia.full_name}'s records" in text
    assert "Dana Lead Designated safeguarding lead Viewed the chronology" in text
    assert (
        f"Dev Deputy Deputy designated safeguarding lead Viewed the concern {concern.reference}"
        in text
    )
    assert text.count("127.0.0.1") == 2
    assert chloe_concern.reference not in text
    assert "Viewed the referral" not in text
    # Newest first.
    assert text.index("Viewed the chronology") < text.index("Viewed the concern ")

    bella_text = page_text(signed_in(dsl).get(audit_url(bella)))
    assert "Viewed the referral" in bella_text


def test_the_chronology_links_to_who_has_looked(dsl, pupils, concern):
    response = signed_in(dsl).get(reverse("concerns:chronology", args=[pupils[0].uuid]))
    assert f'href="{audit_url(pupils[0])}"' in response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_only_the_dsl_team_sees_who_has_looked(request, persona, pupils):
    user = request.getfixturevalue(persona)
    assert signed_in(user).get(audit_url(pupils[0])).status_code == 403


def test_another_schools_dsl_gets_not_found(other_dsl, pupils):
    assert signed_in(other_dsl).get(audit_url(pupils[0])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, pupils):
    response = client.get(audit_url(pupils[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_page_does_not_log_itself(dsl, pupils):
    signed_in(dsl).get(audit_url(pupils[0]))
    assert not AccessRecord.objects.exists()


def test_the_page_costs_the_same_for_2_records_as_for_10(
    dsl, deputy, concern, pupils, django_assert_num_queries
):
    amelia = pupils[0]
    client = signed_in(dsl)
    referral = record_referral(concern, dsl)

    def read(times):
        for _ in range(times):
            signed_in(deputy).get(reverse("concerns:detail", args=[concern.uuid]))
            signed_in(deputy).get(reverse("referrals:detail", args=[referral.uuid]))

    # EVERY_PAGE, plus:
    #   - the pupil, with their school (pupil_for)
    #   - the user's membership at the pupil's school (pupil_for: DSL team?)
    #   - the access records, with user, concern and referral, and each reader's role
    expected = EVERY_PAGE + 3
    read(1)
    with django_assert_num_queries(expected):
        two = client.get(audit_url(amelia))
    read(4)
    with django_assert_num_queries(expected):
        ten = client.get(audit_url(amelia))
    assert page_text(two).count("Dev Deputy") == 2
    assert page_text(ten).count("Dev Deputy") == 10


def _one_record(dsl, school):
    return access_record(
        user=dsl, school=school, action=Action.VIEWED_CONCERN, ip_address="127.0.0.1"
    )


def test_the_orm_cannot_delete_or_change_the_log(dsl, school):
    record = _one_record(dsl, school)
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        record.delete()
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        AccessRecord.objects.all().delete()
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        AccessRecord.objects.update(ip_address="10.0.0.1")
    record.ip_address = "10.0.0.1"
    with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
        record.save()
    assert AccessRecord.objects.get().ip_address == "127.0.0.1"


def test_the_database_refuses_raw_delete_and_update(dsl, school):
    _one_record(dsl, school)
    for sql in (
        "DELETE FROM audit_accessrecord",
        "UPDATE audit_accessrecord SET ip_address = '10.0.0.1'",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessRecord.objects.get().ip_address == "127.0.0.1"
