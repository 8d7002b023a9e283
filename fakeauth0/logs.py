"""The tenant's log book: what happened (logins, exchanges, sign-ups, Management API writes),
as Auth0's tenant logs show it (docs/auth0-behaviour.md#tenant-logs).

Recording sits on hot paths (every login, every token, every Management API write), so it
only appends one tuple of strings and numbers (the client's and the connection's names as they
were, a write's bytes as received): the JSON of an event is built when someone reads it, and a
full book costs the garbage collector nothing (tuples of atoms are not tracked). The book keeps
the last ``capacity`` events: Auth0 keeps logs for days
(https://auth0.com/docs/deploy-monitor/logs/log-data-retention), a long-running fake keeps a
bounded number.

Log ids are Auth0's 56 digits, increasing with every event, so checkpoint paging
(``from``/``take``) can order by them: ``900``, the time (``YYYYMMDDhhmmss`` and six digits of
microseconds), then a 33-digit sequence number (the shape of real ids, e.g.
``90020230602105805996607000000000000001223372045029306413`` in
https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestLogManager_CheckpointPagination.yaml).
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser

from .clock import Clock, format_iso
from .connections import DATABASE, PASSWORDLESS, SOCIAL
from .errors import Auth0Error, Msg
from .search.fields import date_period
from .search.glob import Glob

#: How many events a tenant keeps by default (``Tenant(log_capacity=...)``).
DEFAULT_CAPACITY = 10_000
#: Auth0's ``user_agent`` when it could not tell (every event of the recordings cited above).
UNKNOWN_AGENT = "Other 0.0.0 / Other 0.0.0"

#: The event types the fake records, with Auth0's name for each
#: (https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes).
TYPES: dict[str, str] = {
    "s": "Success Login",
    "f": "Failed Login",
    "fp": "Failed Login (Incorrect Password)",
    "fu": "Failed Login (Invalid Email/Username)",
    "ss": "Success Signup",
    "fs": "Failed Signup",
    "scp": "Success Change Password",
    "fcp": "Failed Change Password",
    "scpr": "Success Change Password Request",
    "sv": "Success Verification Email",
    "fv": "Failed Verification Email",
    "seacft": "Success Exchange",
    "feacft": "Failed Exchange",
    "seccft": "Success Exchange",
    "feccft": "Failed Exchange",
    "sepft": "Success Exchange",
    "fepft": "Failed Exchange",
    "sertft": "Success Exchange",
    "fertft": "Failed Exchange",
    "slo": "Success Logout",
    "sapi": "Success API Operation",
    "limit_wc": "Blocked Account",
}

#: What each exchange is, the description of its ``*ft`` events (as Auth0's log viewer
#: names them, "Authorization Code for Access Token" ...).
EXCHANGES: dict[str, str] = {
    "authorization_code": "acft",
    "client_credentials": "ccft",
    "password": "pft",
    "http://auth0.com/oauth/grant-type/password-realm": "pft",
    "refresh_token": "rtft",
}
EXCHANGE_DESCRIPTIONS: dict[str, str] = {
    "acft": "Authorization Code for Access Token",
    "ccft": "Client Credentials for Access Token",
    "pft": "Password for Access Token",
    "rtft": "Refresh Token for Access Token",
}

#: The fields ``q`` may name (https://auth0.com/docs/deploy-monitor/logs/log-search-query-syntax).
SEARCHABLE = (
    "client_id",
    "client_name",
    "connection",
    "connection_id",
    "description",
    "date",
    "hostname",
    "ip",
    "log_id",
    "organization_id",
    "user_id",
    "user_name",
    "user_agent",
    "strategy",
    "strategy_type",
    "type",
)
#: Where a term without a field is looked for (the log search syntax page, as its source
#: https://github.com/auth0/docs/pull/7134 words it).
DEFAULT_FIELDS = ("user_name", "connection", "client_name", "type", "ip", "log_id", "description")
#: Infix and suffix wildcards need this many literal characters (the query-syntax page).
MIN_LEADING_LITERALS = 3
MAX_QUERY_DEPTH = 100
MAX_QUERY_TERMS = 1024


#: A recorded event's fields, in the order of its tuple: recording builds one tuple (no
#: object, no attribute stores); :class:`Entry` reads it. A row of the book is
#: ``(stamp, sequence, at, event)``.
_EVENT_FIELDS = (
    "type",
    "description",
    "client_id",
    "client_name",
    "connection",
    "connection_id",
    "strategy",
    "user_id",
    "user_name",
    "ip",
    "details",
    "audience",
    "scope",
)


class Entry:
    """One event as recorded, read from its row, rendered by :meth:`to_json`."""

    __slots__ = ("stamp", "sequence", "at", *_EVENT_FIELDS)

    def __init__(self, row: tuple[float, int, float, tuple[Any, ...]]) -> None:
        self.stamp, self.sequence, self.at, event = row
        (
            self.type,
            self.description,
            self.client_id,
            self.client_name,
            self.connection,
            self.connection_id,
            self.strategy,
            self.user_id,
            self.user_name,
            self.ip,
            self.details,
            self.audience,
            self.scope,
        ) = event

    @property
    def log_id(self) -> str:
        return _log_id(self.stamp, self.sequence)

    def to_json(self) -> dict[str, Any]:
        """The event as ``GET /logs`` shows it: every key present, unknown values null
        (https://github.com/auth0/go-auth0/blob/main/test/data/recordings/TestLogManager_CheckpointPagination.yaml)."""
        log_id = self.log_id
        details = self.details
        if details is not None:
            details = _DETAILS[details[0]](*details[1:])
        strategy = self.strategy
        body: dict[str, Any] = {
            "_id": log_id,
            "log_id": log_id,
            "date": format_iso(self.at),
            "type": self.type,
            "description": self.description if self.description is not None else "",
            "connection": self.connection,
            "connection_id": self.connection_id,
            "organization_id": None,
            "organization_name": None,
            "client_id": self.client_id,
            # A Management API call's client shows no name (the recordings above).
            "client_name": None
            if self.client_id is None
            else ""
            if self.type == "sapi"
            else self.client_name,
            "ip": self.ip,
            "hostname": None,
            "details": details if details is not None else {},
            "user_id": self.user_id,
            "user_name": self.user_name,
            "user_agent": UNKNOWN_AGENT,
            "audience": self.audience,
            "strategy": strategy,
            "strategy_type": None if strategy is None else strategy_type(strategy),
            "isMobile": False,
            "location_info": None,
        }
        if self.scope is not None:
            body["scope"] = self.scope
        return body


def strategy_type(strategy: str) -> str:
    """``database``, ``passwordless``, ``social`` or ``enterprise``, as Auth0's events say."""
    if strategy == DATABASE:
        return "database"
    if strategy in PASSWORDLESS:
        return "passwordless"
    if strategy in SOCIAL:
        return "social"
    return "enterprise"


class LogBook:
    """The last ``capacity`` events of one tenant, oldest first."""

    def __init__(self, clock: Clock, capacity: int = DEFAULT_CAPACITY) -> None:
        self.clock = clock
        self.capacity = capacity
        self._entries: deque[tuple[Any, ...]] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._sequence = 0
        self._stamp = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        """The events kept, oldest first (a copy: recording may go on meanwhile)."""
        with self._lock:
            rows = list(self._entries)
        return map(Entry, rows)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def record(
        self,
        type_: str,
        *,
        description: str | None = None,
        client: Any = None,
        connection: Any = None,
        user_id: str | None = None,
        user_name: str | None = None,
        ip: str | None = None,
        details: tuple[Any, ...] | None = None,
        audience: str | None = None,
        scope: str | None = None,
    ) -> None:
        """Append one event. ``client`` and ``connection`` are the objects, whose names are
        kept as they are now; ``details`` is ``(kind, *arguments)``, made into the event's
        ``details`` by ``_DETAILS[kind]`` when the event is read."""
        client_id = client_name = connection_name = connection_id = strategy = None
        if client is not None:
            client_id, client_name = client.client_id, client.name
        if connection is not None:
            connection_name = connection.name
            connection_id, strategy = connection.id, connection.strategy
        self._add(
            (
                type_,
                description,
                client_id,
                client_name,
                connection_name,
                connection_id,
                strategy,
                user_id,
                user_name,
                ip,
                details,
                audience,
                scope,
            )
        )

    def _add(self, event: tuple[Any, ...]) -> None:
        """Append ``event`` (the fields of :data:`_EVENT_FIELDS`) with its time and id."""
        at = self.clock.time()
        with self._lock:
            self._sequence = sequence = self._sequence + 1
            stamp = self._stamp
            if at > stamp:  # ids increase though clocks go back
                self._stamp = stamp = at
            self._entries.append((stamp, sequence, at, event))

    def api_call(
        self,
        description: str,
        client_id: str | None,
        method: str,
        path: str,
        query: str,
        user_agent: str | None,
        ip: str | None,
        body: bytes,
        status: int,
        response_body: bytes,
        scope: str | None,
    ) -> None:
        """``sapi``: a Management API write that succeeded, kept as received (the request's
        bytes, the raw query, the response's bytes, the token's ``scope``) and parsed when
        read (:func:`api_call_details`). The hottest writer: its event is built here; the
        client is its id only, as the event shows no client name."""
        self._add(
            (
                "sapi",
                description,
                client_id,
                None,
                None,
                None,
                None,
                None,
                None,
                ip,
                ("api", method, path, query, user_agent, ip, body, status, response_body, scope),
                None,
                None,
            )
        )

    # -- what the tenant's doors record (one call each) ---------------------------------------

    def signup(
        self,
        clients: Mapping[str, Any],
        connections: Mapping[str, Any],
        client_id: str | None,
        connection: str | None,
        user_name: str | None,
        *,
        user: Any = None,
        error: Any = None,
    ) -> None:
        """``ss`` for a sign-up, ``fs`` (with the refusal) for a refused one."""
        description = None
        if error is not None and isinstance(getattr(error, "description", None), str):
            description = error.description
        self.record(
            "fs" if error is not None else "ss",
            description=description,
            client=clients.get(client_id or ""),
            connection=connections.get(connection or ""),
            user_id=None if user is None else user.user_id,
            user_name=user_name,
        )

    def login(
        self,
        type_: str,
        desk: Any,
        connection: Any,
        client_id: str,
        ip: str | None,
        who: Any,
        description: str | None = None,
    ) -> None:
        """A login's outcome (``s``, ``f``, ``fp``, ``fu``, ``limit_wc``); ``who`` is the user,
        or what was typed when no user matched."""
        if isinstance(who, str):
            user_id, user_name = None, who
        else:
            profile = who.profile
            user_id = who.user_id
            user_name = profile.get("email") or profile.get("username") or user_id
        self.record(
            type_,
            description=description if description is not None else "",
            client=desk.clients.get(client_id),
            connection=connection,
            user_id=user_id,
            user_name=user_name,
            ip=ip,
        )

    def created_user(self, client: Any, connection: Any, user: Any, body: bytes) -> None:
        """``ss`` for ``POST /users``, with the body sent (its bytes, read and its password
        masked when shown)."""
        profile = user.profile
        user_id = user.user_id
        self._add(
            (
                "ss",
                None,
                None if client is None else client.client_id,
                None if client is None else client.name,
                connection.name,
                connection.id,
                connection.strategy,
                user_id,
                profile.get("username") or profile.get("email") or user_id,
                None,
                ("created", body),
                None,
                None,
            )
        )

    def exchange(
        self,
        grant_type: str,
        client: Any,
        *,
        result: dict[str, Any] | None = None,
        error: Any = None,
        audience: str | None = None,
        ip: str | None = None,
    ) -> None:
        """``/oauth/token``: ``se<kind>`` with the token's subject, audience and scope, or
        ``fe<kind>`` with the refusal (kinds: :data:`EXCHANGES`)."""
        kind = EXCHANGES.get(grant_type)
        if kind is None:
            return
        user_id = scope = None
        if result is not None:
            scope = result.get("scope")
            user_id, granted = _subject_and_audience(result)
            audience = granted or audience
            description = EXCHANGE_DESCRIPTIONS[kind]
        else:
            description = getattr(error, "description", None) or EXCHANGE_DESCRIPTIONS[kind]
        if grant_type == "client_credentials":
            user_id = None
        self.record(
            ("se" if error is None else "fe") + kind,
            description=description,
            client=client,
            user_id=user_id,
            ip=ip,
            audience=audience,
            scope=scope,
        )

    def user_event(
        self,
        type_: str,
        user: Any,
        connections: Mapping[str, Any],
        *,
        client: Any = None,
        description: str | None = None,
        ip: str | None = None,
    ) -> None:
        """An event about ``user`` (a password changed, an e-mail verified, a logout), shown
        with the connection of the user's own identity."""
        if user is None:
            self.record(type_, client=client, description=description, ip=ip)
            return
        profile = user.profile
        self.record(
            type_,
            description=description,
            client=client,
            connection=connections.get(user.primary.connection),
            user_id=user.user_id,
            user_name=profile.get("email") or profile.get("username") or user.user_id,
            ip=ip,
        )

    # -- reading -------------------------------------------------------------------------------

    def get(self, log_id: str) -> dict[str, Any]:
        for entry in self:
            if entry.log_id == log_id:
                return entry.to_json()
        raise Auth0Error(404, Msg.LOG_NOT_FOUND)

    def events(self, types: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every event kept, oldest first, as the API shows them (of ``types`` only, if given):
        for tests, ``[e["type"] for e in tenant.logs.events()]``."""
        wanted = None if types is None else set(types)
        return [e.to_json() for e in self if wanted is None or e.type in wanted]

    def types(self) -> list[str]:
        """The type codes of the events kept, oldest first."""
        return [e.type for e in self]

    def of_user(self, user_id: str) -> list[dict[str, Any]]:
        return [e.to_json() for e in self if e.user_id == user_id]

    def after(self, log_id: str, take: int) -> list[dict[str, Any]]:
        """Checkpoint paging: up to ``take`` events whose id comes after ``log_id``, in id
        order (https://auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api)."""
        found = []
        for entry in self:
            if entry.log_id > log_id:
                found.append(entry.to_json())
                if len(found) >= take:
                    break
        return found

    def search(
        self, q: str | None, sort: str | None, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The events ``q`` matches (of ``user_id`` only, if given), sorted by ``sort``
        (``field:1`` / ``field:-1``; newest first by default)."""
        field, descending = parse_sort(sort)
        match = compile_query(q)
        entries = [e for e in self if user_id is None or e.user_id == user_id]
        if descending:
            entries.reverse()  # newest first: later events have greater ids
        rows = [row for row in (e.to_json() for e in entries) if match(row)]
        if field != "date":  # the book's order is the date order; ties keep it
            rows.sort(key=lambda row: _sort_key(row.get(field)), reverse=descending)
        return rows


def _claims(token: Any) -> dict[str, Any]:
    """A JWT's claims, read, not verified (the fake signed it a moment ago); {} otherwise."""
    if not isinstance(token, str) or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


def _subject_and_audience(tokens: dict[str, Any]) -> tuple[str | None, str | None]:
    """Whom a token answer is for (its ID token's ``sub``, else its access token's) and the
    API its access token is for (none for an opaque one)."""
    access = _claims(tokens.get("access_token"))
    sub = _claims(tokens.get("id_token")).get("sub") or access.get("sub")
    aud = access.get("aud")
    if isinstance(aud, list):
        aud = aud[0] if aud else None
    return (
        sub if isinstance(sub, str) else None,
        aud if isinstance(aud, str) else None,
    )


def _log_id(stamp: float, sequence: int) -> str:
    moment = datetime.fromtimestamp(stamp, timezone.utc)
    return "900" + moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond:06d}{sequence:033d}"


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """``(field, descending)`` of a ``sort`` parameter; 400 for a field or direction the log
    search does not know."""
    if not sort:
        return "date", True
    field, _, direction = sort.partition(":")
    if field not in SEARCHABLE or direction not in ("1", "-1"):
        raise Auth0Error.invalid_query(Msg.SEARCH_BAD_SORT.format(sort=sort))
    return field, direction == "-1"


#: Keys whose values never show in an event's details: passwords, secrets, tokens, and the
#: one-use links of tickets (the recordings above show ``"password":"*****"``).
SECRET_KEYS = frozenset(
    {
        "password",
        "new_password",
        "client_secret",
        "secret",
        "access_token",
        "refresh_token",
        "id_token",
        "ticket",
        "password_hash",
        "custom_password_hash",
        "private_key",
        "link",
        "otp",
        "code",
    }
)
MASK = "*****"


def masked(value: Any) -> Any:
    """A copy of a JSON value with every :data:`SECRET_KEYS` value replaced by ``*****``."""
    if isinstance(value, dict):
        return {k: MASK if k in SECRET_KEYS else masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def _created_details(body: bytes) -> dict[str, Any]:
    return {"body": masked(_json_or_empty(body))}


def _json_or_empty(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def api_call_details(
    method: str,
    path: str,
    query: str,
    user_agent: str | None,
    ip: str | None,
    body: bytes,
    status: int,
    response_body: bytes,
    scope: str | None,
) -> dict[str, Any]:
    """A ``sapi`` event's ``details`` (Auth0's ``request`` and ``response``), from what the
    write kept: the request's bytes, the raw query string, the response's bytes and the
    token's ``scope``, parsed only now."""
    return {
        "request": {
            "method": method.lower(),
            "path": path,
            "query": dict(parse_qsl(query)),
            "userAgent": user_agent,
            "body": masked(_json_or_empty(body)),
            "channel": "api",
            "ip": ip,
            "auth": {
                "user": {},
                "strategy": "jwt",
                "credentials": {"scopes": sorted(scope.split() if isinstance(scope, str) else ())},
            },
        },
        "response": {
            "statusCode": status,
            "body": masked(_json_or_empty(response_body)),
        },
    }


#: What a row's ``details`` ``(kind, *arguments)`` becomes when read.
_DETAILS: dict[str, Callable[..., dict[str, Any]]] = {
    "api": api_call_details,
    "created": _created_details,
}


# -- the query language (https://auth0.com/docs/deploy-monitor/logs/log-search-query-syntax) ----

Match = Callable[[dict[str, Any]], bool]


def compile_query(q: str | None) -> Match:
    """A predicate on rendered events for a Lucene query: values are case-sensitive and
    untokenized; ``*`` wildcards; ranges (dates by their period); ``_exists_``; AND / OR /
    NOT and ``+``/``-`` clauses. Anything else is 400 ``invalid_query_string``."""
    if q is None or not q.strip():
        return lambda row: True
    if len(q.split()) > MAX_QUERY_TERMS:  # luqum's parser takes quadratic time in the terms
        raise Auth0Error.invalid_query(Msg.SEARCH_TOO_MANY_TERMS.format(limit=MAX_QUERY_TERMS))
    try:
        parsed = parser.parse(q)
    except (ParseError, RecursionError, Exception) as error:  # luqum's lexer raises plain ones
        raise Auth0Error.invalid_query(
            Msg.SEARCH_SYNTAX.format(detail=str(error).rstrip("!. ") or "unreadable")
        ) from None
    if _depth(parsed) > MAX_QUERY_DEPTH:
        raise Auth0Error.invalid_query(Msg.SEARCH_TOO_DEEP.format(depth=MAX_QUERY_DEPTH))
    return _node(parsed, None)


def _depth(item: tree.Item) -> int:
    deepest, stack = 0, [(item, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_QUERY_DEPTH:
            break
        stack.extend((child, level + 1) for child in node.children)
    return deepest


def _node(item: tree.Item, field: str | None) -> Match:
    if isinstance(item, tree.SearchField):
        if item.name == "_exists_":
            return _exists(item.expr)
        if item.name not in SEARCHABLE:
            raise Auth0Error.invalid_query(Msg.LOG_FIELD.format(field=item.name))
        return _node(item.expr, item.name)
    if isinstance(item, (tree.Group, tree.FieldGroup)):
        return _node(item.expr, field)
    if isinstance(item, tree.AndOperation):
        parts = [_node(c, field) for c in item.children]
        return lambda row: all(p(row) for p in parts)
    if isinstance(item, tree.OrOperation):
        parts = [_node(c, field) for c in item.children]
        return lambda row: any(p(row) for p in parts)
    if isinstance(item, tree.UnknownOperation):
        return _clauses(item, field)
    if isinstance(item, (tree.Not, tree.Prohibit)):
        inner = _node(item.a, field)
        return lambda row: not inner(row)
    if isinstance(item, tree.Plus):
        return _node(item.a, field)
    if isinstance(item, tree.Word):
        return _value(field, item.value)
    if isinstance(item, tree.Phrase):
        return _equals(field, _unescape(item.value[1:-1]))
    if isinstance(item, tree.Range):
        return _range(field, item.low.value, item.high.value, item.include_low, item.include_high)
    if isinstance(item, tree.From):
        return _range(field, item.a.value, "*", item.include, True)
    if isinstance(item, tree.To):
        return _range(field, "*", item.a.value, True, item.include)
    raise Auth0Error.invalid_query(Msg.LOG_CONSTRUCT.format(construct=str(item)))


def _clauses(item: tree.UnknownOperation, field: str | None) -> Match:
    """Side-by-side terms, as Lucene reads them: ``+`` required, ``-`` excluded, the rest
    optional (one of them must match when there is no required clause)."""
    required: list[Match] = []
    excluded: list[Match] = []
    optional: list[Match] = []
    for child in item.children:
        if isinstance(child, tree.Plus):
            required.append(_node(child.a, field))
        elif isinstance(child, tree.Prohibit):
            excluded.append(_node(child.a, field))
        else:
            optional.append(_node(child, field))

    def match(row: dict[str, Any]) -> bool:
        if any(x(row) for x in excluded) or not all(r(row) for r in required):
            return False
        return bool(required) or not optional or any(o(row) for o in optional)

    return match


def _exists(expr: tree.Item) -> Match:
    name = getattr(expr, "value", "")
    if name not in SEARCHABLE:
        raise Auth0Error.invalid_query(Msg.LOG_FIELD.format(field=name))
    return lambda row: row.get(name) not in (None, "")


def _fields(field: str | None) -> tuple[str, ...]:
    return DEFAULT_FIELDS if field is None else (field,)


def _equals(field: str | None, value: str) -> Match:
    if field == "date":
        return _date(value)
    names = _fields(field)
    return lambda row: any(row.get(n) == value for n in names)


def _value(field: str | None, raw: str) -> Match:
    if "*" not in raw and "?" not in raw:
        return _equals(field, _unescape(raw))
    if "?" in raw:
        raise Auth0Error.invalid_query(Msg.SEARCH_WILDCARD_QUESTION.format(term=raw))
    pieces: list[str | None] = []
    for i, piece in enumerate(raw.split("*")):
        if i:
            pieces.append(None)
        if piece:
            pieces.append(_unescape(piece))
    if pieces[0] is None and sum(len(p) for p in pieces if p) < MIN_LEADING_LITERALS:
        raise Auth0Error.invalid_query(
            Msg.SEARCH_WILDCARD_SHORT.format(field=field or "", term=raw)
        )
    glob = Glob(pieces)
    names = _fields(field)

    def match(row: dict[str, Any]) -> bool:
        for n in names:
            value = row.get(n)
            if isinstance(value, str) and glob.test(value):
                return True
        return False

    return match


def _date(value: str) -> Match:
    period = date_period(value)
    if period is None:
        raise Auth0Error.invalid_query(
            Msg.SEARCH_BAD_VALUE.format(value=value, kind="date", field="date")
        )
    start, end = period
    return lambda row: start <= row["date"] < end


def _range(field: str | None, low: str, high: str, include_low: bool, include_high: bool) -> Match:
    if field is None:
        raise Auth0Error.invalid_query(Msg.LOG_CONSTRUCT.format(construct=f"[{low} TO {high}]"))
    if field == "date":
        lower = upper = None
        if low != "*":
            period = date_period(low)
            if period is None:
                raise Auth0Error.invalid_query(
                    Msg.SEARCH_BAD_VALUE.format(value=low, kind="date", field=field)
                )
            lower = period[0] if include_low else period[1]
        if high != "*":
            period = date_period(high)
            if period is None:
                raise Auth0Error.invalid_query(
                    Msg.SEARCH_BAD_VALUE.format(value=high, kind="date", field=field)
                )
            upper = period[1] if include_high else period[0]
        return lambda row: (
            (lower is None or row["date"] >= lower) and (upper is None or row["date"] < upper)
        )
    lo = None if low == "*" else _unescape(low.strip('"'))
    hi = None if high == "*" else _unescape(high.strip('"'))

    def match(row: dict[str, Any]) -> bool:
        value = row.get(field)
        if not isinstance(value, str):
            return False
        if lo is not None and (value < lo or (value == lo and not include_low)):
            return False
        return hi is None or value < hi or (value == hi and include_high)

    return match


def _unescape(text: str) -> str:
    out, chars = [], iter(text)
    for char in chars:
        out.append(next(chars, "\\") if char == "\\" else char)
    return "".join(out)


class _Discard(LogBook):
    """A book that keeps nothing: what a login desk built without a tenant records to."""

    def _add(self, event: tuple[Any, ...]) -> None:
        return None


DISCARD = _Discard(Clock(), 1)
