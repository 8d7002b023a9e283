"""Which route a request is for, decided once, on one canonical path.

The server's guard (``http/hosts.py``) and the app's dispatch (``http/app.py``) read the same
:class:`Target`, so no spelling of a path (extra or encoded slashes, dot segments, a
``/_tenants/<domain>`` prefix, an absolute-form request target) can reach one route while the
guard judged another. A route belongs to one plane; the guard protects planes, not prefixes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.exceptions import MethodNotAllowed, NotFound

if TYPE_CHECKING:
    from .routing import Router

#: Auth0's Management API (``/api/v2``).
MANAGEMENT = "management"
#: Auth0's Authentication API (``/oauth/token``, the keys, discovery).
AUTHENTICATION = "authentication"
#: The fake's own JSON control plane (``/_fake/...``).
CONTROL = "control"
#: The fake's dashboard pages (``/_fake/dashboard...``).
DASHBOARD = "dashboard"
#: The planes that are the fake's own: switched off by ``--no-control``, guarded by its token.
FAKE_PLANES = frozenset({CONTROL, DASHBOARD})
#: The path prefix that reaches a tenant by domain, for clients that cannot set ``Host``.
TENANT_PREFIX = "/_tenants/"
#: Where ``http/hosts.py`` leaves the decision for the app (a WSGI environ key).
ENVIRON_KEY = "fakeauth0.target"
#: Where ``http/hosts.py`` leaves the server's tenant registry (the dashboard's tenant switcher).
REGISTRY_KEY = "fakeauth0.registry"
#: Where ``http/hosts.py`` leaves the callable that serves one more tenant (``POST
#: /_fake/tenants``), when the server can make tenants.
ADD_TENANT_KEY = "fakeauth0.add_tenant"


def canonical(path: str) -> str:
    """``path`` with empty and ``.`` segments dropped and ``..`` resolved (RFC 3986 §5.2.4).

    Routes are literal segments, so this is the one spelling a route can match. The path is a
    WSGI string (bytes as latin-1) or text: ``/`` and ``.`` read the same in both.
    """
    if path.startswith("/") and "//" not in path and "/." not in path and path[-1] != "/":
        return path  # already canonical: the common case, without splitting
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    return "/" + "/".join(segments)


def split_tenant(path: str) -> tuple[str | None, str]:
    """``/_tenants/<domain>/rest`` -> ``(domain, "/rest")``; any other path -> ``(None, path)``.

    ``path`` must be canonical, so the remainder is canonical too.
    """
    if not path.startswith(TENANT_PREFIX):
        return None, path
    domain, _, rest = path[len(TENANT_PREFIX) :].partition("/")
    return domain, "/" + rest


class Target:
    """What a request is for: the route's endpoint and plane, or why no route answers.
    (Made once per request: a slotted class, cheaper to build than a dataclass.)"""

    __slots__ = ("args", "endpoint", "path", "plane", "refusal")

    def __init__(
        self,
        path: str,
        endpoint: str | None,
        plane: str | None,
        args: dict[str, str],
        refusal: NotFound | MethodNotAllowed | None = None,
    ) -> None:
        self.path = path
        self.endpoint = endpoint
        self.plane = plane
        self.args = args
        #: The routing refusal to answer with (404 no such path, 405 not this method), else None.
        self.refusal = refusal

    def __repr__(self) -> str:
        return f"Target({self.path!r}, {self.endpoint!r}, {self.plane!r}, {self.args!r})"


def resolve(router: Router, planes: dict[str, str], path: str, method: str) -> Target:
    """Match ``path`` (canonical, as text) and ``method``; a path whose route exists for other
    methods still names its plane, so the guard judges a 405 as it judges the route."""
    try:
        endpoint, args = router.match(path, method)
    except MethodNotAllowed as refused:
        methods = sorted(refused.valid_methods or ())
        endpoint = router.match(path, methods[0])[0] if methods else None
        return Target(path, endpoint, planes.get(endpoint or ""), {}, refused)
    except NotFound as refused:
        return Target(path, None, None, {}, refused)
    return Target(path, endpoint, planes.get(endpoint), args)
