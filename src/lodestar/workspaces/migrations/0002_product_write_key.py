from django.db import migrations, models

import lodestar.workspaces.models


def give_each_product_a_key(apps, schema_editor):
    Product = apps.get_model("workspaces", "Product")
    for product in Product.objects.all():
        product.write_key = lodestar.workspaces.models.new_write_key()
        product.save(update_fields=["write_key"])


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="allowed_origins",
            field=models.TextField(blank=True, max_length=4000),
        ),
        migrations.AddField(
            model_name="product",
            name="write_key",
            field=models.CharField(max_length=40, null=True, editable=False),
        ),
        migrations.RunPython(give_each_product_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="product",
            name="write_key",
            field=models.CharField(
                default=lodestar.workspaces.models.new_write_key,
                editable=False,
                max_length=40,
                unique=True,
            ),
        ),
    ]
