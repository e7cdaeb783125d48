"""A partner's quarterly report of its spend to the DfE is called a spend report (it was a grant
return, a word too close to the statutory data returns of the returns app). The table is renamed,
so every submitted report and the spend it fixed is kept; the programme's change history says
"spend report" for old rows as it does for new ones."""

import django.db.models.deletion
from django.db import migrations, models

OLD, NEW = "grant return", "spend report"


def _rename_history(old: str, new: str):
    def rename(apps, schema_editor):
        ChangeRecord = apps.get_model("programme", "ChangeRecord")
        rows = ChangeRecord.objects.filter(object_type=old)
        for row in rows.filter(object_repr__startswith=old.capitalize()):
            row.object_repr = new.capitalize() + row.object_repr[len(old) :]
            row.save(update_fields=["object_repr"])
        rows.update(object_type=new)

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0005_practice_changed_withdrawn"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="grantreturn", name="grant_return_once"),
        migrations.RenameModel(old_name="GrantReturn", new_name="SpendReport"),
        migrations.AddConstraint(
            model_name="spendreport",
            constraint=models.UniqueConstraint(
                fields=("partner", "quarter"), name="spend_report_once"
            ),
        ),
        migrations.AlterField(
            model_name="spendreport",
            name="partner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="spend_reports",
                to="programme.partner",
            ),
        ),
        migrations.AlterField(
            model_name="spendentry",
            name="reported_in",
            field=models.ForeignKey(
                blank=True,
                help_text="The spend report that reported it: then it is fixed",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="programme.spendreport",
            ),
        ),
        migrations.RunPython(_rename_history(OLD, NEW), _rename_history(NEW, OLD)),
    ]
