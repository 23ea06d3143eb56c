"""Attachments live in PostgreSQL (issue 13, item 8): the nightly pg_dump holds them, app
servers share no folder, and downloads stream piece by piece from the database."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import StreamingHttpResponse

from audit.models import AccessRecord, Action
from concerns import services
from concerns.models import Attachment, AttachmentChunk, Step
from tests.factories import pdf_file, record_concern
from tests.test_views_concerns import attach_pdf, bring_to, signed_in, url

PIECE = AttachmentChunk.SIZE


@pytest.fixture
def concern(school, staff, pupils):
    return record_concern(school=school, reporter=staff, pupils=pupils)


def long_text(size: int) -> bytes:
    """Minutes of numbered lines: every piece differs, so pieces put back in the wrong order
    would not give the same bytes. (Plain text: the upload checks read it quickly.)"""
    lines = (b"Line %08d of the minutes of the strategy meeting.\n" % n for n in range(size))
    content = bytearray()
    for line in lines:
        content += line
        if len(content) >= size:
            return bytes(content[:size])
    raise AssertionError("unreachable")


def test_a_document_of_several_pieces_is_kept_in_the_database_and_comes_back_whole(
    concern, dsl, _private_media
):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    content = long_text(PIECE * 5 // 2)
    client = signed_in(dsl)

    attached = client.post(
        url("evidence", concern),
        {
            "form": "attachment",
            "attachment-description": "Minutes of the strategy meeting",
            "attachment-file": SimpleUploadedFile("strategy minutes.txt", content),
        },
    )

    assert attached.status_code == 302
    attachment = Attachment.objects.get(concern=concern)
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    pieces = AttachmentChunk.objects.filter(attachment=attachment).order_by("position")
    assert [len(data) for data in pieces.values_list("data", flat=True)] == [
        PIECE,
        PIECE,
        PIECE // 2,
    ]
    history = attachment.history.get()
    assert (history.history_user_id, history.history_change_reason) == (
        dsl.pk,
        "Document attached",
    )
    assert (history.original_name, history.size, history.sha256) == (
        "strategy minutes.txt",
        len(content),
        attachment.sha256,
    )
    # Nothing went to a folder on this machine.
    assert not list(_private_media.parent.rglob("*"))

    response = client.get(url("attachment", concern, attachment.uuid))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == 'attachment; filename="strategy minutes.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessRecord.objects.filter(
        user=dsl, concern=concern, action=Action.DOWNLOADED_ATTACHMENT
    ).exists()


def test_a_download_reads_one_piece_per_query_as_it_is_sent(
    concern, dsl, django_assert_num_queries
):
    content = long_text(PIECE * 5 // 2)
    attachment = services.attachment_add(
        concern=concern,
        by=dsl,
        uploaded_file=SimpleUploadedFile("minutes.txt", content),
        description="Minutes",
    )
    response = signed_in(dsl).get(url("attachment", concern, attachment.uuid))
    stream = iter(response.streaming_content)

    # Each piece is fetched only when the response reaches it, so at most one piece of
    # the file is in memory at a time.
    for start in range(0, len(content), PIECE):
        with django_assert_num_queries(1):
            assert next(stream) == content[start : start + PIECE]
    with django_assert_num_queries(0):
        assert next(stream, None) is None


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ('the "minutes".pdf', 'attachment; filename="the \\"minutes\\".pdf"'),
        ("Protokoll Übergabe.pdf", "attachment; filename*=utf-8''Protokoll%20%C3%9Cbergabe.pdf"),
        ("notes\r\nSet-Cookie: x.pdf", 'attachment; filename="notesSet-Cookie: x.pdf"'),
    ],
    ids=["quotes", "not-ascii", "line-break"],
)
def test_the_downloaded_file_keeps_a_safe_version_of_its_name(concern, dsl, name, header):
    attachment = attach_pdf(concern, by=dsl, name=name)

    response = signed_in(dsl).get(url("attachment", concern, attachment.uuid))

    assert response.status_code == 200
    assert response["Content-Disposition"] == header


def test_an_attachment_whose_file_was_lost_before_the_move_is_not_found(concern, dsl):
    attachment = attach_pdf(concern, by=dsl)
    # As 0013 leaves an attachment when told to accept a lost file (and no piece can be
    # deleted, so the row is made without pieces).
    lost = Attachment.objects.create(
        concern=concern,
        original_name="lost.pdf",
        content_type="application/pdf",
        size=attachment.size,
        sha256=attachment.sha256,
        description="Lost minutes",
        uploaded_by=dsl,
        uploaded_at=attachment.uploaded_at,
    )

    response = signed_in(dsl).get(url("attachment", concern, lost.uuid))

    assert response.status_code == 404
    assert not AccessRecord.objects.filter(action=Action.DOWNLOADED_ATTACHMENT).exists()


def test_the_database_refuses_to_change_stored_content(concern, dsl):
    attachment = attach_pdf(concern, by=dsl)
    pieces = AttachmentChunk.objects.filter(attachment=attachment)

    changed = pytest.raises(IntegrityError, match="stored content is never changed")
    with changed, transaction.atomic():
        pieces.update(data=b"something else")
    with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
        pieces.delete()
    assert b"".join(bytes(data) for data in pieces.values_list("data", flat=True)) == (pdf_file())


# The migration that moves files in. It runs against the test database itself: the
# database is taken back to before 0013, a file and its row are put where the old code kept
# them, and 0013 and 0014 are applied again.

BEFORE = [("concerns", "0013_category_implies_coercion")]
MOVED = [("concerns", "0014_attachment_content_in_database")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets[0]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_database(transactional_db, monkeypatch):
    """The database as it was before attachments moved in; put forward again afterwards,
    whatever the test left behind, so that the tests after it find the schema they expect."""
    old_apps = migrate(BEFORE)
    yield old_apps
    monkeypatch.setenv("ACCEPT_MISSING_ATTACHMENT_FILES", "true")
    migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_an_existing_file_into_the_database(
    old_database, school, staff, dsl, pupils, _private_media
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    content = long_text(PIECE * 3 // 2)
    name = "attachments/2026/11/minutes.txt"
    (_private_media / "attachments/2026/11").mkdir(parents=True)
    (_private_media / name).write_bytes(content)
    OldAttachment = old_database.get_model("concerns", "Attachment")
    old = OldAttachment.objects.create(
        concern_id=concern.pk,
        file=name,
        original_name="minutes.txt",
        content_type="text/plain",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description="Minutes",
        uploaded_by_id=dsl.pk,
        uploaded_at=concern.recorded_at,
    )

    migrate(latest())

    attachment = Attachment.objects.get(pk=old.pk)
    response = signed_in(dsl).get(url("attachment", concern, attachment.uuid))
    assert b"".join(response.streaming_content) == content
    assert AttachmentChunk.objects.filter(attachment=attachment).count() == 2
    # The file is read, never removed: the operator deletes the folder once satisfied.
    assert (_private_media / name).read_bytes() == content


@pytest.mark.django_db(transaction=True)
def test_a_missing_file_stops_the_migration_and_says_which(
    old_database, school, staff, dsl, pupils, _private_media
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    content = long_text(PIECE // 2)
    name = "attachments/2026/11/letter.txt"
    OldAttachment = old_database.get_model("concerns", "Attachment")
    old = OldAttachment.objects.create(
        concern_id=concern.pk,
        file=name,
        original_name="letter.txt",
        content_type="text/plain",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description="Letter",
        uploaded_by_id=dsl.pk,
        uploaded_at=concern.recorded_at,
    )

    with pytest.raises(RuntimeError) as stopped:
        migrate(MOVED)

    message = str(stopped.value)
    assert f"{concern.reference}: 'letter.txt' (attachment {old.uuid})" in message
    assert str(_private_media / name) in message
    assert "Put the files back under PRIVATE_MEDIA_ROOT" in message
    # Nothing was changed: the database is still before 0013, the row keeps its file name.
    assert ("concerns", "0014_attachment_content_in_database") not in (
        MigrationExecutor(connection).loader.applied_migrations
    )
    assert OldAttachment.objects.get(pk=old.pk).file.name == name

    # Put back, the file moves in.
    (_private_media / "attachments/2026/11").mkdir(parents=True)
    (_private_media / name).write_bytes(content)
    migrate(latest())
    response = signed_in(dsl).get(url("attachment", concern, old.uuid))
    assert b"".join(response.streaming_content) == content


@pytest.mark.django_db(transaction=True)
def test_an_operator_can_accept_a_lost_file_and_move_the_rest(
    old_database, school, staff, dsl, pupils, _private_media, monkeypatch, capsys
):
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    content = long_text(PIECE // 2)
    OldAttachment = old_database.get_model("concerns", "Attachment")
    (_private_media / "attachments").mkdir(parents=True)
    (_private_media / "attachments/kept.txt").write_bytes(content)
    kept, lost = (
        OldAttachment.objects.create(
            concern_id=concern.pk,
            file=f"attachments/{name}",
            original_name=name,
            content_type="text/plain",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            description="Minutes",
            uploaded_by_id=dsl.pk,
            uploaded_at=concern.recorded_at,
        )
        for name in ("kept.txt", "lost.txt")
    )
    monkeypatch.setenv("ACCEPT_MISSING_ATTACHMENT_FILES", "true")

    migrate(latest())

    said = capsys.readouterr().out
    assert "Moved 1 attachment file(s)" in said
    assert f"{concern.reference}: 'lost.txt' (attachment {lost.uuid})" in said
    client = signed_in(dsl)
    assert b"".join(client.get(url("attachment", concern, kept.uuid)).streaming_content) == (
        content
    )
    assert client.get(url("attachment", concern, lost.uuid)).status_code == 404
    # The lost one keeps its record: name, size and sha256.
    assert Attachment.objects.get(pk=lost.pk).sha256 == hashlib.sha256(content).hexdigest()
