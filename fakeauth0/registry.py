"""Several tenants in one process, keyed by domain: no module-level state, one object per server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import FakeMsg

if TYPE_CHECKING:
    from .tenant import Tenant


class TenantRegistry:
    """The tenants a server answers for. A request picks one by its ``Host`` header (exact,
    then without the port); a host no tenant claims goes to the default (the first added), so a
    plain ``curl http://127.0.0.1:4010/...`` always reaches a tenant."""

    def __init__(self) -> None:
        self._tenants: dict[str, Tenant] = {}
        self._by_hostname: dict[str, Tenant] = {}
        self.default: Tenant | None = None

    def __len__(self) -> int:
        return len(self._tenants)

    def __iter__(self) -> Iterator[Tenant]:
        return iter(list(self._tenants.values()))

    def __contains__(self, domain: object) -> bool:
        return domain in self._tenants

    @property
    def domains(self) -> list[str]:
        return list(self._tenants)

    def add(self, tenant: Tenant, *, default: bool = False) -> Tenant:
        if tenant.domain in self._tenants:
            raise ValueError(FakeMsg.TENANT_EXISTS.format(domain=tenant.domain))
        self._tenants[tenant.domain] = tenant
        self._by_hostname.setdefault(hostname(tenant.domain), tenant)
        if default or self.default is None:
            self.default = tenant
        return tenant

    def replace(self, tenant: Tenant) -> Tenant:
        """Serve ``tenant`` in place of the one with its domain (or of the default)."""
        old = self._tenants.get(tenant.domain) or self.default
        if old is not None:
            self._tenants.pop(old.domain, None)
            if self._by_hostname.get(hostname(old.domain)) is old:
                del self._by_hostname[hostname(old.domain)]
        self._tenants[tenant.domain] = tenant
        self._by_hostname[hostname(tenant.domain)] = tenant
        if self.default is None or self.default is old:
            self.default = tenant
        return tenant

    def get(self, domain: str) -> Tenant | None:
        return self._tenants.get(domain)

    def require(self, domain: str) -> Tenant:
        tenant = self._tenants.get(domain)
        if tenant is None:
            known = ", ".join(self._tenants) or "none"
            raise LookupError(FakeMsg.UNKNOWN_TENANT.format(domain=domain, known=known))
        return tenant

    def for_host(self, host: str | None) -> Tenant:
        """The tenant a ``Host`` header names, else the default."""
        if host:
            found = self._tenants.get(host) or self._by_hostname.get(hostname(host))
            if found is not None:
                return found
        assert self.default is not None, "a registry serves at least one tenant"
        return self.default


def hostname(host: str) -> str:
    """``example.auth0.com:4443`` -> ``example.auth0.com``; ``[::1]:80`` -> ``::1``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host
