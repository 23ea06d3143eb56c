"""The overdue digest's task moved from concerns.tasks to casework.tasks (the layering of
docs/architecture.md). The task queue and the failed-notifications list name a task by its
import path, so rows written before the move would fail to import: they are pointed at the
new path. Nothing else about them changes."""

from django.db import migrations

MOVED = {"concerns.tasks.send_digest": "casework.tasks.send_digest"}


def point_at_new_paths(apps, schema_editor, moved=MOVED):
    for model in (
        apps.get_model("django_tasks_database", "DBTaskResult"),
        apps.get_model("schools", "FailedNotification"),
    ):
        for old, new in moved.items():
            model.objects.filter(task_path=old).update(task_path=new)


def point_at_old_paths(apps, schema_editor):
    point_at_new_paths(apps, schema_editor, moved={new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("schools", "0007_append_only_history"),
    ]

    operations = [migrations.RunPython(point_at_new_paths, point_at_old_paths)]
