"""Spend reports the DfE acknowledges or queries (a thread of messages the alliance lead answers),
and practice items' evidence levels the publisher states and the DfE confirms."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0007_matchproposal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="practiceitem",
            name="evidence_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="practiceitem",
            name="evidence_confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="practiceitem",
            name="evidence_confirmed_by_name",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="practiceitem",
            name="evidence_level",
            field=models.CharField(
                choices=[
                    ("not-stated", "Not stated"),
                    ("nl2", "Not level 2: evidence not yet enough for level 2"),
                    ("level-2", "Level 2: preliminary evidence"),
                    ("level-3", "Level 3: evidence of short-term impact"),
                    ("level-4", "Level 4: evidence of long-term impact"),
                ],
                default="not-stated",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="practiceitem",
            name="evidence_note",
            field=models.TextField(
                blank=True,
                help_text="The evaluations or studies the level rests on",
                verbose_name="Evidence",
            ),
        ),
        migrations.AddField(
            model_name="spendreport",
            name="acknowledged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="spendreport",
            name="acknowledged_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="spendreport",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("queried", "Queried by the DfE"),
                    ("answered", "Answered"),
                    ("acknowledged", "Acknowledged by the DfE"),
                ],
                default="submitted",
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="SpendReportMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("query", "Query from the DfE"),
                            ("answer", "Answer from the alliance"),
                        ],
                        max_length=10,
                    ),
                ),
                ("text", models.TextField()),
                ("written_by_name", models.CharField(max_length=254)),
                ("written_at", models.DateTimeField(auto_now_add=True)),
                (
                    "spend_report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="programme.spendreport",
                    ),
                ),
                (
                    "written_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["written_at", "id"],
            },
        ),
    ]
