"""Every save and delete made in Django admin writes an audit row (NetBox's ObjectChange):
which object, which fields changed, before and after. `AuditedAdminSite` puts the mixin
under every registered admin class, our own and the libraries' alike."""

from django.contrib import admin
from django.db import models

from .audit import audit_record, changes, plain, snapshot
from .models import AuditEntry


def _label(obj: models.Model) -> str:
    return obj._meta.label_lower


def _stored(obj: models.Model) -> dict:
    """The row as it is in the database now (before the admin's save); {} for a new one."""
    if obj.pk is None:
        return {}
    row = type(obj)._base_manager.filter(pk=obj.pk).first()
    return snapshot(row) if row is not None else {}


def _m2m(obj: models.Model) -> dict:
    if obj.pk is None:
        return {}
    return {
        field.name: sorted(plain(list(getattr(obj, field.name).values_list("pk", flat=True))))
        for field in obj._meta.many_to_many
    }


def area_of(obj: models.Model):
    """The area an audit row about this object is filed under, so the admins of that subtree
    can read it: the object itself for an area, else its `area`, `county`… or a user's role."""
    from grids.models import Area

    if isinstance(obj, Area):
        return obj
    for name in ("area", "grid", "village", "town", "county", "committee", "case"):
        field = next((f for f in obj._meta.concrete_fields if f.name == name), None)
        if field is None or getattr(obj, field.attname, None) is None:
            continue
        value = getattr(obj, name)
        if isinstance(value, Area):
            return value
        nested = area_of(value)
        if nested is not None:
            return nested
    roles = getattr(obj, "roles", None)
    if roles is not None and hasattr(roles, "select_related") and obj.pk is not None:
        role = min(roles.select_related("area"), key=lambda r: (r.area.rank, r.id), default=None)
        return role.area if role is not None else None
    return None


def _write(request, obj, action: str, data: dict):
    verbs = {"add": "新增", "change": "修改", "delete": "删除"}
    audit_record(
        actor=request.user,
        kind=AuditEntry.Kind.ADMIN,
        what=f"后台{verbs[action]}{obj._meta.verbose_name} {obj}"[:100],
        area=area_of(obj),
        target=obj,
        data={"model": _label(obj), "action": action, **data},
    )


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin mixin: every save (form, list_editable, inline) and delete is audited in
    the admin's own transaction."""

    def save_model(self, request, obj, form, change):
        request._admin_pending = (_stored(obj), _m2m(obj) if change else {}, change)
        super().save_model(request, obj, form, change)
        request._admin_saved = getattr(request, "_admin_saved", set()) | {(_label(obj), obj.pk)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before, m2m_before, changed = getattr(request, "_admin_pending", ({}, {}, change))
        request._admin_pending = None
        after = {**snapshot(obj), **_m2m(obj)}
        if changed:
            diff = changes({**before, **m2m_before}, after)
            if diff:
                _write(request, obj, "change", {"changes": diff})
        else:
            _write(request, obj, "add", {"after": after})

    def save_formset(self, request, form, formset, change):
        stored = {f.instance.pk: _stored(f.instance) for f in formset.forms if f.instance.pk}
        deleting = [
            (f.instance, stored.get(f.instance.pk, {}), f.instance.pk, area_of(f.instance))
            for f in formset.deleted_forms
            if f.instance.pk
        ]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _write(request, obj, "add", {"after": snapshot(obj)})
        for obj, _fields in formset.changed_objects:
            diff = changes(stored.get(obj.pk, {}), snapshot(obj))
            if diff:
                _write(request, obj, "change", {"changes": diff})
        for obj, before, pk, area in deleting:
            self._deleted(request, obj, before, pk, area)

    def delete_model(self, request, obj):
        before, pk = snapshot(obj), obj.pk
        area = area_of(obj)
        super().delete_model(request, obj)
        self._deleted(request, obj, before, pk, area)

    def delete_queryset(self, request, queryset):
        rows = [(obj, snapshot(obj), obj.pk, area_of(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before, pk, area in rows:
            self._deleted(request, obj, before, pk, area)

    def _deleted(self, request, obj, before, pk, area):
        audit_record(
            actor=request.user,
            kind=AuditEntry.Kind.ADMIN,
            what=f"后台删除{obj._meta.verbose_name} {obj}"[:100],
            area=area,
            target=f"{_label(obj)}:{pk}",
            data={"model": _label(obj), "action": "delete", "before": before},
        )

    def log_change(self, request, obj, message):
        # Views that save without save_model (a user's password form) still leave a row.
        if (_label(obj), obj.pk) not in getattr(request, "_admin_saved", set()):
            _write(request, obj, "change", {"message": plain(message)})
        return super().log_change(request, obj, message)


class AuditedAdminSite(admin.AdminSite):
    """The admin site: every ModelAdmin registered on it gets the audit mixin."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(admin_class.__name__, (AuditedAdmin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
