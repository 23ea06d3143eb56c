from django.db import migrations

from safeguard.db import forbid_deletes


class Migration(migrations.Migration):
    """Pupil records are kept until the 25th birthday (IRMS); leavers go off roll instead."""

    dependencies = [("schools", "0001_initial")]

    operations = forbid_deletes("schools_pupil", "schools_historicalpupil")
