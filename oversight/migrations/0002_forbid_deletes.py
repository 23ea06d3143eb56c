from django.db import migrations

from safeguard.db import forbid_deletes


class Migration(migrations.Migration):
    """Registers are evidence for inspectors and governors: rows are superseded, never deleted."""

    dependencies = [("oversight", "0001_registers_and_checklist")]

    operations = forbid_deletes(
        "oversight_trainingrecord",
        "oversight_historicaltrainingrecord",
        "oversight_policy",
        "oversight_historicalpolicy",
        "oversight_namedrole",
        "oversight_historicalnamedrole",
        "oversight_checklistitem",
        "oversight_historicalchecklistitem",
    )
