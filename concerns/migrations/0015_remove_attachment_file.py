# The file column goes in a migration of its own, after 0014's move has committed: altering
# a table in the transaction that wrote rows with deferred foreign-key checks can meet
# PostgreSQL's "pending trigger events" refusal, and a failed move leaves the column alone.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("concerns", "0014_attachment_content_in_database")]

    operations = [
        migrations.RemoveField(model_name="attachment", name="file"),
        migrations.RemoveField(model_name="historicalattachment", name="file"),
    ]
