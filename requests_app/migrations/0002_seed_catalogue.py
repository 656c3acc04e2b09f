from django.db import migrations


def seed(apps, schema_editor):
    from requests_app.catalogue import load_catalogue

    load_catalogue(
        apps.get_model("requests_app", "Fee"),
        apps.get_model("requests_app", "RequestType"),
        apps.get_model("requests_app", "RequestField"),
    )


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
