from django.db import migrations

from lodestar.feedback.search import fold


def fill(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    batch = []
    for item in Feedback.objects.only("id", "text").iterator(chunk_size=2000):
        item.search_text = fold(item.text)
        batch.append(item)
        if len(batch) == 2000:
            Feedback.objects.bulk_update(batch, ["search_text"])
            batch = []
    Feedback.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_triage_search_filters")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
