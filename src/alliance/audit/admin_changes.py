"""Every change made on the admin site is written to the audit log, with what each changed field
was before and is after.

The service's admin site (alliance.accounts.admin_site) registers every model with
`AuditedModelAdmin` mixed in, whoever registers it (Django's groups, django-otp's devices, the
task queue's tables too); its inlines are audited through the parent's `save_formset`.
tests/alliance/accounts/test_admin_site.py walks the site and fails on any model that is not. Django's own admin log (`LogEntry`) is kept too, but it is an ordinary table anyone with
database access can change; the audit log is append-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from alliance.audit import services as audit

# Fields whose values never go into the audit log: only that they changed.
SECRET_FIELDS = frozenset({"password", "key", "bin_key", "secret", "token"})
VIA = "admin site"


def snapshot(obj: Model) -> dict[str, Any]:
    """The record's own fields and its many-to-many links, as plain values."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        values[field.attname] = (
            value if value is None or isinstance(value, bool | int) else str(value)
        )
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return values


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for each field that differs; secrets redacted."""
    found = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in SECRET_FIELDS:
            old, new = ("(set)" if old else "(none)"), "(changed)"
        found[name] = {"before": old, "after": new}
    return found


def _stored(obj: Model) -> dict[str, Any]:
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else {}


def record_change(
    request: HttpRequest,
    action: str,
    obj: Model,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    object_id: str = "",
    parent: Model | None = None,
) -> None:
    detail: dict[str, Any] = {"via": VIA, "changes": changes(before, after)}
    if parent is not None:
        detail["within"] = f"{parent._meta.label} {parent.pk}: {str(parent)[:200]}"
    audit.record(request, action, obj, object_id=object_id, detail=detail)


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every add, change and deletion (and every page that shows records) is
    written to the audit log."""

    _BEFORE = "_alliance_admin_before"

    # ---- looking ----------------------------------------------------------------------------
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record(
                request,
                audit.Action.QUERY,
                object_type=self.model._meta.label,
                detail={"via": VIA, "filters": dict(request.GET.items())},
            )
        return response

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id and request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(request, audit.Action.VIEW, obj, detail={"via": VIA})
        return response

    # ---- changing ---------------------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        setattr(request, self._BEFORE, _stored(obj) if change else {})
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # many-to-many and inlines
        obj = form.instance
        before = getattr(request, self._BEFORE, {})
        after = snapshot(obj)
        if not change or changes(before, after):
            record_change(
                request, audit.Action.CHANGE if change else audit.Action.CREATE, obj, before, after
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        befores = {
            id(inline.instance): _stored(inline.instance)
            for inline in formset.initial_forms
            if inline.instance.pk is not None
        }
        ids = {id(inline.instance): str(inline.instance.pk) for inline in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        parent = form.instance
        for obj in formset.new_objects:
            record_change(request, audit.Action.CREATE, obj, {}, snapshot(obj), parent=parent)
        for obj, _fields in formset.changed_objects:
            record_change(
                request,
                audit.Action.CHANGE,
                obj,
                befores.get(id(obj), {}),
                snapshot(obj),
                parent=parent,
            )
        for obj in formset.deleted_objects:
            record_change(
                request,
                audit.Action.DELETE,
                obj,
                befores.get(id(obj), {}),
                {},
                object_id=ids.get(id(obj), ""),
                parent=parent,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, pk = snapshot(obj), str(obj.pk)
        super().delete_model(request, obj)
        record_change(request, audit.Action.DELETE, obj, before, {}, object_id=pk)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        gone = [(obj, snapshot(obj), str(obj.pk)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before, pk in gone:
            record_change(request, audit.Action.DELETE, obj, before, {}, object_id=pk)
