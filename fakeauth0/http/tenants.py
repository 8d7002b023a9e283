"""Management API handlers for the tenant's own settings: ``/tenants/settings``."""

from __future__ import annotations

from typing import Any

from .management import project
from .routes import Call, management


@management("tenant_settings_route")
def get_settings(call: Call) -> tuple[int, Any]:
    return 200, project(call.tenant.get_settings().to_json(), call)


@management("patch_settings")
def update_settings(call: Call) -> tuple[int, Any]:
    return 200, call.tenant.update_settings(call.body()).to_json()
