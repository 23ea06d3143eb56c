"""Attachments move from files in PRIVATE_MEDIA_ROOT into the database.

Each file is read in pieces of AttachmentChunk.SIZE and written as AttachmentChunk rows,
after checking that its bytes still have the sha256 recorded when it was uploaded. A file
that is missing or changed stops the migration with a list of every such attachment, so
nothing is lost without someone deciding it: put the files back and run `migrate` again,
or set ACCEPT_MISSING_ATTACHMENT_FILES=true to move the rest and leave those without
content (they then download as missing, and keep their name, size and sha256). Files are
read, never deleted: remove the folder once the move is checked. 0015 drops the file column.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

from safeguard.db import forbid_deletes

SIZE = 1024 * 1024

FORBID_UPDATE = """
CREATE OR REPLACE FUNCTION concerns_attachmentchunk_forbid_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'An attachment''s stored content is never changed (table %)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER concerns_attachmentchunk_forbid_update BEFORE UPDATE ON concerns_attachmentchunk
FOR EACH ROW EXECUTE FUNCTION concerns_attachmentchunk_forbid_update();
"""
ALLOW_UPDATE = """
DROP TRIGGER IF EXISTS concerns_attachmentchunk_forbid_update ON concerns_attachmentchunk;
DROP FUNCTION IF EXISTS concerns_attachmentchunk_forbid_update();
"""


class AttachmentFilesMissing(RuntimeError):
    pass


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(SIZE):
            digest.update(piece)
    return digest.hexdigest()


def move_files_in(apps, schema_editor):
    Attachment = apps.get_model("concerns", "Attachment")
    AttachmentChunk = apps.get_model("concerns", "AttachmentChunk")
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    problems, moved = [], 0
    rows = Attachment.objects.order_by("pk").values_list(
        "pk", "uuid", "file", "original_name", "sha256", "concern__reference"
    )
    for pk, uuid, name, original_name, sha256, reference in rows.iterator():
        which = f"{reference}: {original_name!r} (attachment {uuid})"
        path = root / name
        if not name or not path.is_file():
            problems.append(f"{which}: no file at {path}")
            continue
        if _digest(path) != sha256:
            problems.append(f"{which}: {path} no longer has the bytes that were uploaded")
            continue
        with path.open("rb") as handle:
            position = 0
            while piece := handle.read(SIZE):
                AttachmentChunk.objects.create(attachment_id=pk, position=position, data=piece)
                position += 1
        moved += 1

    if moved:
        print(f"\n  Moved {moved} attachment file(s) from {root} into the database.")
    if not problems:
        return
    listed = "\n".join(f"  - {problem}" for problem in problems)
    if os.environ.get("ACCEPT_MISSING_ATTACHMENT_FILES", "").lower() not in ("true", "yes", "1"):
        raise AttachmentFilesMissing(
            f"{len(problems)} attachment file(s) could not be moved into the database:\n"
            f"{listed}\n"
            "Nothing was changed. Put the files back under PRIVATE_MEDIA_ROOT and run "
            "`migrate` again, or, if they are lost for good, run it with "
            "ACCEPT_MISSING_ATTACHMENT_FILES=true to move the rest."
        )
    print(
        f"  Left without content, as ACCEPT_MISSING_ATTACHMENT_FILES says "
        f"({len(problems)}):\n{listed}"
    )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0013_category_implies_coercion")]

    operations = [
        migrations.CreateModel(
            name="AttachmentChunk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("data", models.BinaryField()),
                (
                    "attachment",
                    models.ForeignKey(
                        on_delete=models.PROTECT,
                        related_name="chunks",
                        to="concerns.attachment",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("attachment", "position"),
                        name="attachment_chunk_position_unique",
                    )
                ],
            },
        ),
        *forbid_deletes("concerns_attachmentchunk"),
        migrations.RunSQL(FORBID_UPDATE, ALLOW_UPDATE),
        migrations.RunPython(move_files_in, migrations.RunPython.noop),
    ]
