"""The Django admin, for superusers: its site audits every save and delete (accounts.admin_audit)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "accounts.admin_audit.AuditedAdminSite"
