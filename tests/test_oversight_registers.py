"""Governors' oversight: the training, policy and named-role registers and the checklist.

The DSL team and the school's administrator keep them, governors read them, nobody else sees
them; they name staff and governors but never a child (DOMAIN.md rule 5).
"""

import datetime
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from demo import oversight as oversight_demo
from demo import school as demo
from oversight import services
from oversight.models import (
    ChecklistItem,
    ChecklistQuestion,
    ChecklistStatus,
    CourseKind,
    NamedRole,
    NamedRoleKind,
    PersonRole,
    Policy,
    PolicyKind,
    TrainingRecord,
)
from oversight.selectors import Standing, register_signals, registers_for
from tests.factories import SchoolFactory, member, record_concern
from tests.test_views_concerns import page_text, signed_in

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - timedelta(days=n)


def train(school, by, person=None, *, kind=CourseKind.WHOLE_STAFF, ago=30, **fields):
    fields.setdefault("person_role", PersonRole.STAFF)
    if person is None:
        fields.setdefault("person_name", "Nina Nameonly")
    return services.training_record_add(
        school=school, by=by, person=person, kind=kind, completed_on=days_ago(ago), **fields
    )


def add_policy(school, by, *, kind=PolicyKind.CHILD_PROTECTION, ago=30, **fields):
    fields.setdefault("title", PolicyKind(kind).label)
    return services.policy_add(
        school=school, by=by, kind=kind, last_reviewed_on=days_ago(ago), **fields
    )


def name_role(school, by, person=None, *, role=NamedRoleKind.DSL, ago=300, **fields):
    return services.named_role_add(
        school=school, by=by, role=role, person=person, from_date=days_ago(ago), **fields
    )


def checked(page: str, value: str) -> bool:
    """Whether the radio with this value is selected on the page."""
    return bool(re.search(rf'<input [^>]*value="{value}"[^>]* checked', page))


def overdue_names(school) -> dict[str, str]:
    return {o.name: o.reason for o in registers_for(school, today=TODAY).training.overdue}


def latest_history(model, row):
    return model.history.filter(id=row.pk).select_related("history_user").latest("history_id")


# --- Services ------------------------------------------------------------------------------


def test_training_expires_after_the_courses_usual_validity_unless_given(school, dsl, governor):
    dsl_course = train(school, dsl, dsl, kind=CourseKind.DSL, person_role=PersonRole.DSL)
    induction = train(
        school, dsl, governor, kind=CourseKind.GOVERNOR_INDUCTION, person_role=PersonRole.GOVERNOR
    )
    update = train(school, dsl, kind=CourseKind.WHOLE_STAFF)
    chosen = train(school, dsl, kind=CourseKind.OTHER, expires_on=days_ago(-10))

    assert dsl_course.expires_on == dsl_course.completed_on.replace(
        year=dsl_course.completed_on.year + 2
    )
    assert induction.expires_on is None
    assert update.expires_on == update.completed_on.replace(year=update.completed_on.year + 1)
    assert chosen.expires_on == days_ago(-10)
    history = latest_history(TrainingRecord, dsl_course)
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        dsl,
        "Training recorded",
    )


def test_a_training_record_names_exactly_one_person_from_the_school(school, dsl, other_dsl):
    with pytest.raises(services.WorkflowError, match="Choose the person"):
        train(school, dsl, person_name="  ")
    with pytest.raises(services.WorkflowError, match="not both"):
        train(school, dsl, dsl, person_name="Dana Lead")
    with pytest.raises(services.WorkflowError, match="from this school"):
        train(school, dsl, other_dsl)
    with pytest.raises(services.WorkflowError, match="future"):
        train(school, dsl, ago=-1)
    assert not TrainingRecord.objects.exists()


def test_correcting_a_training_record_needs_a_reason_that_goes_in_the_history(school, dsl, staff):
    record = train(school, dsl, staff, kind=CourseKind.CEOP, ago=100)
    change = {
        "person": staff,
        "person_role": PersonRole.STAFF,
        "kind": CourseKind.CEOP,
        "completed_on": days_ago(90),
    }

    with pytest.raises(services.WorkflowError, match="reason"):
        services.training_record_update(record=record, by=dsl, reason=" ", **change)
    services.training_record_update(
        record=record, by=dsl, reason="Date was taken from the booking", **change
    )

    record.refresh_from_db()
    assert record.completed_on == days_ago(90)
    assert record.expires_on == days_ago(90).replace(year=days_ago(90).year + 2)
    history = latest_history(TrainingRecord, record)
    assert (history.history_user, history.history_change_reason) == (
        dsl,
        "Date was taken from the booking",
    )
    assert history.completed_on == days_ago(90)
    assert TrainingRecord.history.filter(id=record.pk).count() == 2


def test_a_correction_that_changes_nothing_is_refused(school, dsl, staff):
    record = train(school, dsl, staff, kind=CourseKind.CEOP, ago=100)

    with pytest.raises(services.WorkflowError, match="Nothing has changed"):
        services.training_record_update(
            record=record,
            by=dsl,
            reason="Checked",
            person=staff,
            person_role=PersonRole.STAFF,
            kind=CourseKind.CEOP,
            completed_on=days_ago(100),
        )
    assert TrainingRecord.history.filter(id=record.pk).count() == 1


def test_a_policy_is_due_for_review_a_year_on_and_a_review_is_kept_in_history(school, dsl):
    policy = add_policy(school, dsl, ago=400, approved_by="Full governing body")
    assert policy.next_review_due_on == days_ago(400).replace(year=days_ago(400).year + 1)

    services.policy_update(
        policy=policy,
        by=dsl,
        reason="Reviewed by the full governing body",
        kind=policy.kind,
        title=policy.title,
        last_reviewed_on=days_ago(2),
        approved_by="Full governing body",
    )

    policy.refresh_from_db()
    assert policy.last_reviewed_on == days_ago(2)
    assert policy.next_review_due_on == days_ago(2).replace(year=days_ago(2).year + 1)
    old, new = Policy.history.filter(id=policy.pk).order_by("history_id")
    assert old.last_reviewed_on == days_ago(400)
    assert (new.history_user_id, new.history_change_reason) == (
        dsl.pk,
        "Reviewed by the full governing body",
    )
    with pytest.raises(services.WorkflowError, match="due after"):
        add_policy(school, dsl, next_review_due_on=days_ago(40))


def test_a_role_is_ended_with_a_date_and_a_reason_never_removed(school, dsl, governor):
    named = name_role(school, dsl, governor, role=NamedRoleKind.SAFEGUARDING_GOVERNOR)

    services.named_role_update(
        named_role=named,
        by=dsl,
        reason="Stepped down at the end of term",
        role=named.role,
        person=governor,
        from_date=named.from_date,
        to_date=days_ago(1),
    )

    named.refresh_from_db()
    assert named.to_date == days_ago(1)
    assert latest_history(NamedRole, named).history_change_reason == (
        "Stepped down at the end of term"
    )
    registers = registers_for(school, today=TODAY)
    assert registers.current_roles == []
    assert [r.pk for r in registers.past_roles] == [named.pk]
    assert "Safeguarding governor (link governor)" in registers.unfilled_roles
    with pytest.raises(services.WorkflowError, match="end before"):
        name_role(school, dsl, governor, to_date=days_ago(400))


def test_the_checklist_is_seeded_once_with_every_question(school, other_school):
    assert services.checklist_seed(school=school) == len(ChecklistQuestion)
    assert services.checklist_seed(school=school) == 0
    services.checklist_seed(school=other_school)

    items = list(ChecklistItem.objects.filter(school=school).order_by("position"))
    assert [i.question for i in items] == ChecklistQuestion.values
    assert {i.status for i in items} == {ChecklistStatus.NOT_STARTED}
    assert ChecklistItem.history.filter(history_type="+").count() == 2 * len(ChecklistQuestion)


def test_assessing_a_checklist_question_records_who_when_and_why(school, dsl):
    services.checklist_seed(school=school)
    item = ChecklistItem.objects.get(school=school, question=ChecklistQuestion.CEOP_TRAINED)

    with pytest.raises(services.WorkflowError, match="what shows this is met"):
        services.checklist_assess(
            item=item, by=dsl, status=ChecklistStatus.MET, evidence=" ", assessed_on=TODAY
        )
    services.checklist_assess(
        item=item,
        by=dsl,
        status=ChecklistStatus.MET,
        evidence="Two teachers completed Thinkuknow training.",
        assessed_on=days_ago(3),
    )

    item.refresh_from_db()
    assert (item.status, item.assessed_on, item.assessed_by_id) == (
        ChecklistStatus.MET,
        days_ago(3),
        dsl.pk,
    )
    history = latest_history(ChecklistItem, item)
    assert (history.history_user, history.history_change_reason) == (dsl, "Assessed as met")


@pytest.mark.parametrize("model", [TrainingRecord, Policy, NamedRole, ChecklistItem])
def test_register_rows_and_their_history_are_never_deleted(school, dsl, model):
    train(school, dsl)
    add_policy(school, dsl)
    name_role(school, dsl, dsl)
    services.checklist_seed(school=school)

    for rows in (model.objects.all(), model.history.all()):
        with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
            rows.delete()
    assert model.objects.exists()


# --- Who is overdue ------------------------------------------------------------------------


def test_expired_training_is_overdue_until_a_newer_course_supersedes_it(school, dsl, staff):
    old = train(school, dsl, staff, kind=CourseKind.WHOLE_STAFF, ago=400)
    assert overdue_names(school) == {
        "Tom Teacher": (
            "Whole-staff safeguarding and KCSIE update expired on "
            f"{old.expires_on.day} {old.expires_on:%B %Y}"
        ),
        "Dana Lead": "No designated safeguarding lead training in date",
    }

    train(school, dsl, staff, kind=CourseKind.WHOLE_STAFF, ago=10)

    registers = registers_for(school, today=TODAY)
    assert "Tom Teacher" not in {o.name for o in registers.training.overdue}
    standings = {row.record.completed_on: row.standing for row in registers.training.rows}
    assert standings == {days_ago(400): Standing.SUPERSEDED, days_ago(10): Standing.IN_DATE}


def test_a_dsl_without_dsl_training_in_date_is_overdue(school, dsl, deputy):
    assert overdue_names(school) == {
        "Dana Lead": "No designated safeguarding lead training in date",
        "Dev Deputy": "No designated safeguarding lead training in date",
    }

    # Other training does not count; a deputy may hold either DSL course.
    train(school, dsl, dsl, kind=CourseKind.PREVENT, person_role=PersonRole.DSL)
    train(school, dsl, deputy, kind=CourseKind.DEPUTY_DSL, person_role=PersonRole.DEPUTY_DSL)
    assert set(overdue_names(school)) == {"Dana Lead"}

    train(school, dsl, dsl, kind=CourseKind.DSL, person_role=PersonRole.DSL, ago=700)
    registers = registers_for(school, today=TODAY)
    assert registers.training.overdue == []
    dsl_row = next(r for r in registers.training.rows if r.record.kind == CourseKind.DSL)
    assert dsl_row.standing == Standing.SOON
    assert [row.record.pk for row in registers.training.expiring_soon] == [dsl_row.record.pk]


def test_a_named_dsl_without_an_account_needs_dsl_training_too(school, dsl):
    train(school, dsl, dsl, kind=CourseKind.DSL, person_role=PersonRole.DSL)
    name_role(school, dsl, person_name="Petra Parttime", role=NamedRoleKind.DEPUTY_DSL)

    assert overdue_names(school) == {
        "Petra Parttime": "No designated safeguarding lead training in date"
    }


def test_every_governor_needs_a_safeguarding_induction(school, dsl, governor):
    # Gill Governor has an account; Colin Clarke is named as a governor on a record only.
    train(
        school,
        dsl,
        person_name="Colin Clarke",
        person_role=PersonRole.GOVERNOR,
        kind=CourseKind.PREVENT,
    )
    train(school, dsl, dsl, kind=CourseKind.DSL, person_role=PersonRole.DSL)
    assert overdue_names(school) == {
        "Gill Governor": "No governor safeguarding induction",
        "Colin Clarke": "No governor safeguarding induction",
    }
    signals = register_signals(registers_for(school, today=TODAY))
    assert signals[ChecklistQuestion.GOVERNORS_TRAINED] == (
        "2 governors without a safeguarding induction."
    )

    train(
        school,
        dsl,
        governor,
        kind=CourseKind.GOVERNOR_INDUCTION,
        person_role=PersonRole.GOVERNOR,
        ago=2000,
    )
    # Recorded by name: the same person whatever the case of the letters.
    train(
        school,
        dsl,
        person_name="colin clarke",
        person_role=PersonRole.GOVERNOR,
        kind=CourseKind.GOVERNOR_INDUCTION,
    )

    assert overdue_names(school) == {}
    signals = register_signals(registers_for(school, today=TODAY))
    assert signals[ChecklistQuestion.GOVERNORS_TRAINED] == (
        "Every governor on the registers has had a safeguarding induction."
    )


def test_ceop_trained_staff_are_counted_once_and_only_while_in_date(
    school, dsl, staff, other_staff
):
    train(school, dsl, staff, kind=CourseKind.CEOP, ago=900)
    train(school, dsl, staff, kind=CourseKind.CEOP, ago=100)
    train(school, dsl, other_staff, kind=CourseKind.CEOP, ago=800)  # expired

    registers = registers_for(school, today=TODAY)
    assert registers.training.ceop_trained == 1
    assert register_signals(registers)[ChecklistQuestion.CEOP_TRAINED] == (
        "1 member of staff with CEOP training in date."
    )


def test_policies_overdue_for_review(school, dsl):
    overdue = add_policy(school, dsl, kind=PolicyKind.ONLINE_SAFETY, ago=380)
    soon = add_policy(school, dsl, kind=PolicyKind.FILTERING_MONITORING, ago=330)
    fine = add_policy(school, dsl, kind=PolicyKind.CHILD_PROTECTION, ago=10)

    registers = registers_for(school, today=TODAY)
    assert [(r.policy.pk, r.standing) for r in registers.policies] == [
        (overdue.pk, Standing.OVERDUE),
        (soon.pk, Standing.REVIEW_SOON),
        (fine.pk, Standing.IN_DATE),
    ]
    assert [r.policy.pk for r in registers.policies_overdue] == [overdue.pk]


# --- Pages: who may do what ----------------------------------------------------------------

READ_URLS = ["oversight:registers", "oversight:checklist"]
NEW_URLS = ["oversight:training_new", "oversight:policy_new", "oversight:role_new"]
KEEPERS = ["dsl", "deputy", "school_admin"]


@pytest.fixture
def rows(school, dsl):
    """One row of each register, and the checklist, at the test school."""
    services.checklist_seed(school=school)
    return {
        "oversight:training_edit": train(
            school, dsl, dsl, kind=CourseKind.DSL, person_role=PersonRole.DSL
        ),
        "oversight:policy_edit": add_policy(school, dsl, title="Oakfield child protection"),
        "oversight:role_edit": name_role(school, dsl, dsl),
        "oversight:checklist_item": ChecklistItem.objects.get(
            school=school, question=ChecklistQuestion.DSL_TRAINED
        ),
    }


def object_urls(rows) -> list[str]:
    return [reverse(name, args=[row.uuid]) for name, row in rows.items()]


@pytest.mark.parametrize("persona", [*KEEPERS, "governor"])
def test_the_dsl_team_admin_and_governors_read_the_registers(client, rows, persona, request):
    client.force_login(request.getfixturevalue(persona))

    for name in READ_URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "Dana Lead" in page_text(response)
    assert "Oversight" in page_text(client.get(reverse("oversight:registers")))


@pytest.mark.parametrize("persona", KEEPERS)
def test_the_dsl_team_and_admin_open_every_write_page(client, rows, persona, request):
    client.force_login(request.getfixturevalue(persona))

    for url in [*map(reverse, NEW_URLS), *object_urls(rows)]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("oversight:registers")).content.decode()
    assert reverse("oversight:training_new") in page
    assert reverse("oversight:training_edit", args=[rows["oversight:training_edit"].uuid]) in page


def test_governors_read_but_may_not_write(client, rows, governor):
    client.force_login(governor)

    for url in [*map(reverse, NEW_URLS), *object_urls(rows)]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "Changed"}).status_code == 403, url
    page = client.get(reverse("oversight:registers")).content.decode()
    assert reverse("oversight:training_new") not in page
    assert "Change" not in page_text(client.get(reverse("oversight:registers")))
    assert "Assess" not in page_text(client.get(reverse("oversight:checklist")))
    assert Policy.history.count() == 1


def test_staff_see_none_of_it(client, rows, staff):
    client.force_login(staff)

    for url in [*map(reverse, READ_URLS + NEW_URLS), *object_urls(rows)]:
        assert client.get(url).status_code == 403, url
    assert "Oversight" not in page_text(client.get(reverse("home")))


def test_another_schools_dsl_finds_no_record_here_and_sees_only_their_own(
    client, rows, other_dsl, other_school
):
    add_policy(other_school, other_dsl, title="Riverside online safety policy")
    client.force_login(other_dsl)

    for url in object_urls(rows):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    page = page_text(client.get(reverse("oversight:registers")))
    assert "Riverside online safety policy" in page
    assert "Dana Lead" not in page
    assert "Oakfield child protection" not in page
    checklist = page_text(client.get(reverse("oversight:checklist")))
    assert "Riverside Academy" in checklist and "Oakfield" not in checklist


def test_signing_in_comes_first(client, rows):
    for url in [*map(reverse, READ_URLS + NEW_URLS), *object_urls(rows)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_the_read_only_pages_refuse_a_post(client, dsl):
    client.force_login(dsl)

    for name in READ_URLS:
        assert client.post(reverse(name)).status_code == 405


# --- Pages: changing the registers ---------------------------------------------------------


def test_recording_training_from_the_page(client, school, dsl, staff):
    client.force_login(dsl)

    response = client.post(
        reverse("oversight:training_new"),
        {
            "person": str(staff.uuid),
            "person_role": PersonRole.STAFF,
            "kind": CourseKind.CEOP,
            "title": "Thinkuknow introduction",
            "provider": "CEOP Education",
            "completed_on": days_ago(5).isoformat(),
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("oversight:registers") + "#training"
    record = TrainingRecord.objects.get()
    assert (record.school_id, record.person_id, record.expires_on) == (
        school.pk,
        staff.pk,
        days_ago(5).replace(year=days_ago(5).year + 2),
    )
    assert latest_history(TrainingRecord, record).history_user == dsl
    assert "The training has been recorded." in page_text(client.get(response.url))


def test_a_mistake_is_explained_and_what_was_typed_is_kept(client, school, dsl):
    client.force_login(dsl)

    response = client.post(
        reverse("oversight:training_new"),
        {
            "person_name": "Colin Clarke",
            "person_role": PersonRole.GOVERNOR,
            "kind": CourseKind.GOVERNOR_INDUCTION,
            "provider": "Demoshire Governor Services",
            "completed_on": "",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the date the course was completed" in page
    assert 'value="Colin Clarke"' in page
    assert 'value="Demoshire Governor Services"' in page
    assert checked(page, "governor_induction")
    assert not TrainingRecord.objects.exists()


def test_choosing_nobody_is_explained(client, school, dsl):
    client.force_login(dsl)

    response = client.post(
        reverse("oversight:role_new"),
        {"role": NamedRoleKind.PREVENT_LEAD, "from_date": days_ago(3).isoformat()},
    )

    assert response.status_code == 200
    assert "Choose the person, or type the name of someone without an account" in page_text(
        response
    )
    assert checked(response.content.decode(), "prevent_lead")


def test_changing_a_policy_needs_a_reason_and_keeps_what_was_typed(client, school, dsl):
    policy = add_policy(school, dsl, ago=400)
    client.force_login(dsl)
    url = reverse("oversight:policy_edit", args=[policy.uuid])
    form = {
        "kind": PolicyKind.CHILD_PROTECTION,
        "title": "Child protection policy 2026",
        "last_reviewed_on": days_ago(1).isoformat(),
        "approved_by": "Full governing body",
    }

    refused = client.post(url, form)
    accepted = client.post(url, {**form, "reason": "Annual review at the autumn meeting"})

    assert "Give the reason for this change" in page_text(refused)
    assert 'value="Child protection policy 2026"' in refused.content.decode()
    assert accepted.status_code == 302
    policy.refresh_from_db()
    assert (policy.title, policy.last_reviewed_on) == ("Child protection policy 2026", days_ago(1))
    assert latest_history(Policy, policy).history_change_reason == (
        "Annual review at the autumn meeting"
    )


def test_naming_and_changing_a_role_from_the_page(client, school, dsl, governor):
    client.force_login(dsl)

    client.post(
        reverse("oversight:role_new"),
        {
            "role": NamedRoleKind.SAFEGUARDING_GOVERNOR,
            "person": str(governor.uuid),
            "from_date": days_ago(30).isoformat(),
        },
    )
    named = NamedRole.objects.get()
    response = client.post(
        reverse("oversight:role_edit", args=[named.uuid]),
        {
            "role": NamedRoleKind.SAFEGUARDING_GOVERNOR,
            "person": str(governor.uuid),
            "from_date": days_ago(30).isoformat(),
            "to_date": days_ago(1).isoformat(),
            "reason": "Moved away",
        },
    )

    assert response.status_code == 302
    named.refresh_from_db()
    assert (named.person_id, named.to_date) == (governor.pk, days_ago(1))
    assert NamedRole.history.filter(id=named.pk).count() == 2


def test_assessing_a_checklist_question_from_the_page(client, school, dsl, governor):
    client.force_login(dsl)
    services.checklist_seed(school=school)
    item = ChecklistItem.objects.get(school=school, question=ChecklistQuestion.PARENT_GUIDANCE)
    url = reverse("oversight:checklist_item", args=[item.uuid])

    missing = client.post(url, {"status": ChecklistStatus.MET, "assessed_on": TODAY.isoformat()})
    response = client.post(
        url,
        {
            "status": ChecklistStatus.NOT_MET,
            "evidence": "Only a newsletter item so far.",
            "assessed_on": TODAY.isoformat(),
        },
    )

    assert "Say what shows this is met" in page_text(missing)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.assessed_by_id) == (ChecklistStatus.NOT_MET, dsl.pk)
    client.force_login(governor)
    page = page_text(client.get(reverse("oversight:checklist")))
    assert "Not met" in page and "Only a newsletter item so far." in page
    assert "by Dana Lead" in page


def assess_link(page: str, question: ChecklistQuestion) -> str:
    """The URL of the checklist page's "Assess" link for this question."""
    found = re.search(
        rf'href="([^"]+)">Assess<span class="govuk-visually-hidden">: {re.escape(question.label)}',
        page,
    )
    assert found, question
    return found.group(1)


def checklist_counts() -> tuple[int, int]:
    return ChecklistItem.objects.count(), ChecklistItem.history.count()


@pytest.mark.parametrize("persona", ["dsl", "governor"])
def test_reading_the_checklist_writes_nothing(client, school, dsl, persona, request):
    services.checklist_assess(
        item=ChecklistItem.not_yet_assessed(school, ChecklistQuestion.CEOP_TRAINED),
        by=dsl,
        status=ChecklistStatus.MET,
        evidence="Two teachers completed Thinkuknow training.",
        assessed_on=TODAY,
    )
    before = checklist_counts()
    client.force_login(request.getfixturevalue(persona))

    page = page_text(client.get(reverse("oversight:checklist")))

    assert checklist_counts() == before == (1, 1)
    assert all(question.label in page for question in ChecklistQuestion)
    assert page.count("Not started") == len(ChecklistQuestion) - 1
    assert "Two teachers completed Thinkuknow training." in page


def test_first_assessing_a_question_makes_its_row_with_who_assessed_it(client, school, dsl):
    client.force_login(dsl)
    page = client.get(reverse("oversight:checklist")).content.decode()
    url = assess_link(page, ChecklistQuestion.PARENT_GUIDANCE)

    form = page_text(client.get(url))
    refused = client.post(url, {"status": ChecklistStatus.MET, "assessed_on": TODAY.isoformat()})
    assert ChecklistQuestion.PARENT_GUIDANCE.label in form
    assert "Assessment history" not in form
    assert "Say what shows this is met" in page_text(refused)
    assert checklist_counts() == (0, 0)
    response = client.post(
        url,
        {
            "status": ChecklistStatus.NOT_MET,
            "evidence": "Only a newsletter item so far.",
            "assessed_on": TODAY.isoformat(),
        },
    )

    assert response.status_code == 302
    item = ChecklistItem.objects.get()
    assert (item.school_id, item.question, item.status, item.assessed_by_id) == (
        school.pk,
        ChecklistQuestion.PARENT_GUIDANCE,
        ChecklistStatus.NOT_MET,
        dsl.pk,
    )
    history = ChecklistItem.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        dsl,
        "Assessed as not met",
    )
    # The row keeps the address the page linked to, and the page now shows the assessment.
    assert url == reverse("oversight:checklist_item", args=[item.uuid])
    assert "Only a newsletter item so far." in page_text(client.get(url))


def test_a_question_not_yet_assessed_is_kept_like_any_register_row(
    client, school, governor, staff, other_dsl
):
    url = reverse(
        "oversight:checklist_item",
        args=[ChecklistItem.not_yet_assessed(school, ChecklistQuestion.DSL_TRAINED).uuid],
    )
    form = {"status": ChecklistStatus.NOT_MET, "assessed_on": TODAY.isoformat()}

    for persona, refused in [(governor, 403), (staff, 403), (other_dsl, 404)]:
        client.force_login(persona)
        assert client.get(url).status_code == refused, persona
        assert client.post(url, form).status_code == refused, persona
    assert checklist_counts() == (0, 0)


def test_two_first_assessments_of_a_question_at_once_share_its_row(school, dsl, deputy):
    first, second = (
        ChecklistItem.not_yet_assessed(school, ChecklistQuestion.PUPIL_GUIDANCE) for _ in "ab"
    )

    for item, by in [(first, dsl), (second, deputy)]:
        services.checklist_assess(
            item=item, by=by, status=ChecklistStatus.IN_PROGRESS, evidence="", assessed_on=TODAY
        )

    item = ChecklistItem.objects.get()
    assert item.assessed_by_id == deputy.pk
    assert [h.history_user for h in ChecklistItem.history.order_by("history_id")] == [dsl, deputy]


# --- Query counts --------------------------------------------------------------------------


def fill(school, by, people, count, start=0):
    """`count` more rows in each register, spread over `people`."""
    for n in range(start, start + count):
        person = people[n % len(people)]
        train(school, by, person, kind=CourseKind.values[n % len(CourseKind.values)], ago=n * 90)
        add_policy(school, by, title=f"Policy number {n}", ago=n * 60)
        name_role(school, by, person, role=NamedRoleKind.values[n % len(NamedRoleKind.values)])


def test_the_registers_page_costs_the_same_for_2_rows_as_for_8(
    school, dsl, deputy, staff, governor, django_assert_num_queries
):
    client = signed_in(dsl)
    # - the session
    # - the signed-in user
    # - the user's memberships with their schools (may they read the registers? which school?)
    # - the school's members with their accounts (who needs training)
    # - the training records with their people
    # - the named roles with their people
    # - the policies
    # - the user's memberships again, for the navigation
    expected = 8
    people = [dsl, deputy, staff, governor]
    fill(school, dsl, people, 2)
    with django_assert_num_queries(expected):
        two = client.get(reverse("oversight:registers"))
    fill(school, dsl, people, 6, start=2)
    with django_assert_num_queries(expected):
        eight = client.get(reverse("oversight:registers"))

    assert len(set(re.findall(r"Policy number \d+", page_text(two)))) == 2
    assert len(set(re.findall(r"Policy number \d+", page_text(eight)))) == 8


def test_the_checklist_costs_the_same_for_2_rows_as_for_8(
    school, dsl, deputy, staff, governor, django_assert_num_queries
):
    client = signed_in(dsl)
    services.checklist_seed(school=school)
    items = list(ChecklistItem.objects.filter(school=school).order_by("position"))
    # - the session
    # - the signed-in user
    # - the user's memberships with their schools
    # - the school's members, the training records, the named roles and the policies (4):
    #   what the registers say beside some questions
    # - the checklist items with who assessed them
    # - the user's memberships again, for the navigation
    expected = 9
    people = [dsl, deputy, staff, governor]

    def assess(some, by):
        for item in some:
            services.checklist_assess(
                item=item, by=by, status=ChecklistStatus.MET, evidence="Seen", assessed_on=TODAY
            )

    fill(school, dsl, people, 2)
    assess(items[:2], dsl)
    with django_assert_num_queries(expected):
        two = client.get(reverse("oversight:checklist"))
    fill(school, dsl, people, 6, start=2)
    assess(items[2:8], deputy)
    with django_assert_num_queries(expected):
        eight = client.get(reverse("oversight:checklist"))

    assert page_text(two).count("by Dana Lead") == 2
    assert page_text(eight).count("by Dev Deputy") == 6


# --- Nothing about a child -----------------------------------------------------------------


def test_no_child_or_concern_appears_on_any_oversight_page(
    client, school, dsl, staff, pupils, rows
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    client.force_login(dsl)
    urls = [*map(reverse, READ_URLS + NEW_URLS), *object_urls(rows)]

    pages = [client.get(url) for url in urls]

    assert all(page.status_code == 200 for page in pages)
    for page in pages:
        text = page.content.decode()
        for pupil in pupils:
            assert pupil.legal_first_name not in text and pupil.legal_last_name not in text
            assert pupil.upn not in text
        assert concern.reference not in text
        assert "Mrs Sarah Example" not in text
        assert "tablet" not in text


# --- The demo school -----------------------------------------------------------------------


@pytest.fixture
def hollybrook(db):
    school = SchoolFactory(name=demo.HOLLYBROOK.name, urn=demo.HOLLYBROOK.urn)
    for account in demo.ACCOUNTS:
        if account.school == demo.HOLLYBROOK:
            member(school, account.role, email=account.email, full_name=account.full_name)
    return school


def test_the_demo_registers_show_what_governors_should_notice(hollybrook):
    tallies = oversight_demo.load_registers()

    assert {label: t.created for label, t in tallies.items()} == {
        "Training records": len(oversight_demo.TRAINING),
        "Policies": len(oversight_demo.POLICIES),
        "Named roles": len(oversight_demo.ROLES),
        "Checklist answers": len(oversight_demo.ASSESSMENTS),
    }
    registers = registers_for(hollybrook, today=TODAY)
    assert [(o.name, o.reason) for o in registers.training.overdue] == [
        ("Colin Clarke", "No governor safeguarding induction")
    ]
    soon = [(r.record.display_name, r.record.kind) for r in registers.training.expiring_soon]
    assert soon == [("Dev Deputy", CourseKind.DEPUTY_DSL)]
    assert registers.training.ceop_trained == 1
    assert [t.name for t in registers.training.dsl_training if t.in_date] == ["Dee Lead"]
    assert [r.policy.kind for r in registers.policies_overdue] == [PolicyKind.ONLINE_SAFETY]
    link = [r for r in registers.current_roles if r.role == NamedRoleKind.SAFEGUARDING_GOVERNOR]
    assert [r.display_name for r in link] == ["Gita Governor"]
    assert registers.unfilled_roles == []
    statuses = set(ChecklistItem.objects.values_list("status", flat=True))
    assert statuses == set(ChecklistStatus.values)


def test_loading_the_demo_registers_again_changes_nothing(hollybrook):
    oversight_demo.load_registers()
    models = (TrainingRecord, Policy, NamedRole, ChecklistItem)
    before = [(m.objects.count(), m.history.count()) for m in models]

    tallies = oversight_demo.load_registers()

    assert [(m.objects.count(), m.history.count()) for m in models] == before
    assert all(t.created == 0 for t in tallies.values())


def test_the_demo_school_without_a_dsl_gets_no_registers(db):
    assert all(t.created == 0 for t in oversight_demo.load_registers().values())
    assert not TrainingRecord.objects.exists()
