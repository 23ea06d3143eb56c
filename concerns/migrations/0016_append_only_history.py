"""History is append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on every history
table and on notes, whoever asks (safeguard.db.append_only)."""

from django.db import migrations

from safeguard.db import append_only


class Migration(migrations.Migration):
    dependencies = [("concerns", "0015_remove_attachment_file")]

    operations = append_only(
        "concerns_historicalcategory",
        "concerns_historicalconcern",
        "concerns_historicalconcern_categories",
        "concerns_historicalconcernchild",
        "concerns_historicalevidenceitem",
        "concerns_historicalattachment",
        "concerns_historicalsupportaction",
        "concerns_historicalsupportreview",
        "concerns_historicalfollowupaction",
        "concerns_note",
        "concerns_historicalnote",
        "concerns_historicalunnamedchild",
        "concerns_historicalguidancecard",
        "concerns_historicalguidancecard_categories",
        "concerns_historicaladvicegiven",
        "concerns_historicalpracticeflag",
    )
