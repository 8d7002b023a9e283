"""Which URLs a tenant lets it send a browser to: the callbacks of ``/authorize``, the logout URLs
of ``/v2/logout`` and ``/oidc/logout``, and the web origins of ``response_mode=web_message``.

A wrong "yes" here is an open redirect: a code or a token delivered to a site the tenant never
named. So candidates and allowed entries alike are read by one strict parser that takes only a
clean absolute URL and refuses what browsers and lenient parsers read differently: userinfo
(``https://good.com@evil.com``), backslashes, whitespace and control characters, non-ASCII
text, percent signs or empty labels in the host, empty or zero-led ports, ``http(s)`` without
``//``, and the schemes that run code or hold content (``javascript:``, ``data:``...). What is not
clean never matches, as a candidate or as an allowed entry.

The rules (public sources in docs/auth0-behaviour.md#redirect-urls, the choices where Auth0 is
silent in ``CHOICES.md``):

- scheme and host compare case-insensitively, everything else exactly: path (trailing slash
  included), query where it counts, port (``https://a.com:443/cb`` is not ``https://a.com/cb``;
  only origins, which never write a default port, compare it as absent);
- ``*`` is a wildcard only in the leftmost label of an ``http``/``https`` host with at least
  two labels after it, once per URL, and stands for one or more characters of exactly that one
  label (``https://*.example.com`` matches ``a.example.com``, not ``example.com`` nor
  ``a.b.example.com``); an entry breaking these rules never matches;
- the ``{organization_name}`` placeholder is not supported: an entry holding it never matches.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Schemes a redirect could run code or show attacker content with; never allowed, even listed.
FORBIDDEN_SCHEMES = frozenset(
    {"javascript", "vbscript", "data", "file", "blob", "about", "filesystem"}
)
#: Schemes whose URLs must name a host, with the port an origin leaves out.
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 characters, with no escape hatch: what is not listed here makes the URL unclean.
_PCHAR = r"[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}"
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):"
    r"(?://(?P<authority>[^/?#]*))?"
    rf"(?P<path>(?:{_PCHAR}|/)*)"
    rf"(?:\?(?P<query>(?:{_PCHAR}|[/?])*))?"
    rf"(?:#(?P<fragment>(?:{_PCHAR}|[/?])*))?"
)
# No userinfo, no percent sign: a host is letters, digits, hyphens and dots, or an IPv6 literal.
_AUTHORITY = re.compile(
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.*]*)(?::(?P<port>[1-9][0-9]{0,4}))?"
)
_LABEL = re.compile(r"[a-z0-9-]{1,63}")
_WILDCARD_LABEL = re.compile(r"(?P<prefix>[a-z0-9-]*)\*(?P<suffix>[a-z0-9-]*)")
# A last label a browser reads as part of an IPv4 address (the WHATWG "ends in a number" rule).
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


@dataclass(frozen=True)
class _Url:
    """A clean absolute URL, scheme and host lower-cased. ``host`` is ``None`` for a URL
    without an authority (``com.example.app:/cb``), ``""`` for an empty one; ``query`` and
    ``fragment`` are ``None`` when absent, ``""`` when present but empty."""

    scheme: str
    host: str | None
    port: int | None
    path: str
    query: str | None
    fragment: str | None

    @property
    def wildcard(self) -> bool:
        return self.host is not None and "*" in self.host


def _parse(text: object, *, pattern: bool = False) -> _Url | None:
    """``text`` as a clean absolute URL, or ``None``. With ``pattern`` (an allowed entry), the
    host may hold one well-placed ``*``."""
    if not isinstance(text, str):
        return None
    match = _URL.fullmatch(text)
    if match is None:
        return None
    scheme = match["scheme"].lower()
    if scheme in FORBIDDEN_SCHEMES:
        return None
    host: str | None = None
    port: int | None = None
    authority, path = match["authority"], match["path"]
    if authority is None:
        # Only a private-use scheme may go without an authority, and then its path is absolute.
        if scheme in DEFAULT_PORTS or not path.startswith("/") or path.startswith("//"):
            return None
    else:
        if path and not path.startswith("/"):
            return None
        parts = _AUTHORITY.fullmatch(authority)
        if parts is None:
            return None
        host = parts["host"].lower()
        if parts["port"] is not None:
            port = int(parts["port"])
            if port > 65535 or not host:
                return None
        if not _host_is_clean(scheme, host, pattern=pattern):
            return None
    if pattern and text.count("*") > 1 and host is not None and "*" in host:
        return None
    return _Url(scheme, host, port, path, match["query"], match["fragment"])


def _host_is_clean(scheme: str, host: str, *, pattern: bool) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    if not host:
        return scheme not in DEFAULT_PORTS
    if len(host) > 253:
        return False
    labels = host.split(".")
    if "*" in labels[0] and pattern:
        return _wildcard_is_valid(scheme, labels)
    return all(_LABEL.fullmatch(label) for label in labels)


def _wildcard_is_valid(scheme: str, labels: list[str]) -> bool:
    """Auth0's rules: ``http``/``https`` only, in the leftmost label, below a domain (not
    ``*.com``), one ``*``, prefix and suffix of hostname characters allowed."""
    return (
        scheme in DEFAULT_PORTS
        and len(labels) >= 3
        and len(labels[0]) <= 63
        and _WILDCARD_LABEL.fullmatch(labels[0]) is not None
        and all(_LABEL.fullmatch(label) for label in labels[1:])
        and _NUMERIC_LABEL.fullmatch(labels[-1]) is None
    )


def _host_matches(host: str | None, allowed: str | None) -> bool:
    if host is None or allowed is None or "*" not in allowed:
        return host == allowed
    if host.startswith("["):
        return False
    labels, allowed_labels = host.split("."), allowed.split(".")
    if len(labels) != len(allowed_labels) or labels[1:] != allowed_labels[1:]:
        return False
    prefix, suffix = allowed_labels[0].split("*")
    first = labels[0]
    return (
        len(first) > len(prefix) + len(suffix)
        and first.startswith(prefix)
        and first.endswith(suffix)
    )


def _same_place(url: _Url, allowed: _Url) -> bool:
    """Same scheme, host (or an instance of its wildcard), port and path."""
    return (
        url.scheme == allowed.scheme
        and url.port == allowed.port
        and url.path == allowed.path
        and _host_matches(url.host, allowed.host)
    )


def _entries(allowed: Iterable[object]) -> list[_Url]:
    return [url for url in (_parse(entry, pattern=True) for entry in allowed) if url is not None]


def callback_allowed(redirect_uri: str, callbacks: Iterable[str]) -> bool:
    """Whether ``/authorize`` may send its answer to ``redirect_uri``: it names one of the
    client's Allowed Callback URLs exactly, query string included, and has no fragment (an OAuth
    redirection endpoint never has one)."""
    url = _parse(redirect_uri)
    if url is None or url.fragment is not None:
        return False
    return any(
        entry.fragment is None and entry.query == url.query and _same_place(url, entry)
        for entry in _entries(callbacks)
    )


def logout_url_allowed(url: str, allowed: Iterable[str], *, match_query: bool) -> bool:
    """Whether a logout may end at ``url``. ``/v2/logout``'s ``returnTo`` (``match_query=False``)
    is matched without its query string and fragment; ``/oidc/logout``'s
    ``post_logout_redirect_uri`` (``match_query=True``) with them, exactly."""
    candidate = _parse(url)
    if candidate is None:
        return False
    return any(
        _same_place(candidate, entry)
        and (
            not match_query
            or (entry.query == candidate.query and entry.fragment == candidate.fragment)
        )
        for entry in _entries(allowed)
    )


def _origin_parts(url: _Url) -> tuple[str, str, int | None] | None:
    if not url.host:
        return None
    port = None if url.port == DEFAULT_PORTS.get(url.scheme) else url.port
    return url.scheme, url.host, port


def origin_allowed(origin: str, web_origins: Iterable[str]) -> bool:
    """Whether a page at ``origin`` (``scheme://host[:port]``, as a browser's ``Origin``) may
    receive a ``web_message`` answer or call the tenant: it is one of ``web_origins`` (or an
    instance of a wildcard there). Origins are compared as origins, so a default port written
    out equals one left out; an entry with a path, query or fragment never matches."""
    url = _parse(origin)
    if url is None or url.path or url.query is not None or url.fragment is not None:
        return False
    parts = _origin_parts(url)
    if parts is None:
        return False
    scheme, host, port = parts
    for entry in _entries(web_origins):
        allowed = _origin_parts(entry)
        if (
            allowed is not None
            and entry.path in ("", "/")
            and entry.query is None
            and entry.fragment is None
            and allowed[0] == scheme
            and allowed[2] == port
            and _host_matches(host, allowed[1])
        ):
            return True
    return False


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, the default port left out: the target origin a
    ``web_message`` answer is posted to. ``ValueError`` if ``url`` is not a clean URL with a
    host."""
    parsed = _parse(url)
    parts = None if parsed is None else _origin_parts(parsed)
    if parts is None:
        raise ValueError(f"not a clean absolute URL with a host: {url!r}")
    scheme, host, port = parts
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"
