"""Every login through the tenant's post-login Actions (docs/auth0-behaviour.md#post-login-actions).

A login is three steps: authenticate and count it under the tenant lock
(:func:`fakeauth0.logins.sign_in`); run the deployed Actions bound to ``post-login`` with no
lock held, since an Action may call back into the tenant over HTTP; then, under the lock again,
apply what they asked (:func:`fakeauth0.logins.finish`), run the Python hooks and issue what
the door issues. With no Action bound the whole login runs under one hold of the lock and no
node process starts.

The JavaScript must not run while this thread holds the tenant lock: a re-entrant caller would
keep every other request out while the Action waits on one of them. Such a call raises
:class:`LockHeld` instead of hanging.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from . import action_cache, executions, grants, logins, rule_pipeline
from .caller import DEFAULT_LANGUAGE, Caller
from .clients import Client
from .connections import Connection
from .errors import OAuthError, OAuthMsg
from .executions import Bound, Execution, TokenChanges
from .js import post_login_event, run_post_login
from .js.bridge import bridge_url
from .js.runtime import run_rule
from .logins import DEFAULT_IP
from .users import User

T = TypeVar("T")
TRIGGER = "post-login"


class LockHeld(RuntimeError):
    """A login that runs Actions was started by a thread holding the tenant lock."""


@dataclass(frozen=True)
class Context:
    """What the door knows of the transaction, for ``event.transaction`` and ``event.request``
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-event-object).

    ``protocol`` is Auth0's name for the flow: ``oidc-basic-profile`` (code),
    ``oidc-implicit-profile``, ``oidc-hybrid-profile``, ``oauth2-password``,
    ``oauth2-refresh-token`` (https://auth0.com/docs/customize/rules/context-object)."""

    protocol: str
    requested_scopes: tuple[str, ...] = ()
    audience: str | None = None
    redirect_uri: str | None = None
    state: str | None = None
    response_type: tuple[str, ...] = ()
    organization: Mapping[str, Any] | None = None
    method: str = "GET"
    user_agent: str = ""
    #: ``event.request.language``; None when the browser asked for none.
    language: str | None = DEFAULT_LANGUAGE
    #: The browser's address, for a login with no new authentication (an SSO answer).
    ip: str | None = None
    #: The login transaction a browser waits on (the ``state`` of ``/continue``); None when
    #: no browser waits and an Action cannot redirect (``api.redirect.canRedirect()``).
    transaction: str | None = None
    #: ``prompt=none``: a browser waits but must not be shown anything.
    silent: bool = False
    #: What else ``/authorize`` was sent: ``response_mode``, ``acr_values``, ``ui_locales``,
    #: ``prompt``, ``login_hint``, and the whole query (``event.request.query``).
    response_mode: str | None = None
    acr_values: tuple[str, ...] = ()
    ui_locales: tuple[str, ...] = ()
    prompt: tuple[str, ...] = ()
    login_hint: str | None = None
    query: Mapping[str, str] | None = None

    def heard(self, caller: Caller | None, *, method: bool = False) -> Context:
        """This context with the browser's ``User-Agent`` and language from ``caller``, and
        its method when ``method`` (an ``/authorize`` transaction keeps ``GET``: the event
        describes the authorization request, whichever page then posted)."""
        if caller is None:
            return self
        changed = replace(
            self, user_agent=caller.user_agent, language=caller.language, ip=caller.ip
        )
        return replace(changed, method=caller.method) if method else changed


class Redirected(Exception):
    """The login is suspended: an Action called ``api.redirect.sendUserTo``. The caller keeps
    ``pause`` with the transaction and sends the browser to :meth:`Pause.location`."""

    def __init__(self, pause: Pause) -> None:
        super().__init__(pause.url)
        self.pause = pause


@dataclass
class Pause:
    """A login suspended by a redirect Action, until the browser comes back to ``/continue``
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions).
    No session and no token exist yet; ``finish`` (called under the lock) does what the login
    would have done once the remaining Actions ran."""

    bound: list[Bound]
    event: dict[str, Any]
    execution: Execution
    context: Context
    finish: Callable[[executions.Outcome], Any] = field(repr=False)
    #: Where the last ``sendUserTo`` sends the browser, and its query.
    url: str = ""
    query: dict[str, str] = field(default_factory=dict)

    def location(self) -> str:
        """``url?state=<transaction>&<query>``: the transaction's state first, as Auth0 adds it."""
        query = {k: v for k, v in self.query.items() if k != "state"}
        params = {"state": self.context.transaction or "", **query}
        separator = "&" if urlsplit(self.url).query else "?"
        return self.url + separator + urlencode(params)


def bound_actions(tenant: Any, trigger: str = TRIGGER) -> list[Bound]:
    """The deployed version of each action bound to ``trigger`` (``post-login``), in binding
    order; the caller holds the lock."""
    result = []
    for _, action in tenant.action_book.bound(trigger):
        version = action.deployed()
        if version is None:
            continue
        result.append(
            Bound(
                action_id=action.id,
                name=action.name,
                version_id=version.id,
                code=version.code,
                secrets={s.name: s.value for s in version.secrets},
                dependencies=tuple(dict(d) for d in version.dependencies),
            )
        )
    return result


def refuse_held_lock(tenant: Any, *triggers: str) -> None:
    """Raise :class:`LockHeld` when this thread holds the tenant lock and JavaScript would run:
    Actions bound to ``triggers`` (default: post-login, with a legacy tenant's Rules)."""
    if not tenant.lock._is_owned():
        return
    bindings = tenant.action_book.bindings
    if any(bindings.get(t) for t in triggers) or (
        not triggers and (bindings.get(TRIGGER) or rule_pipeline.enabled_rules(tenant))
    ):
        raise LockHeld(
            "Actions and Rules run without the tenant lock, and this thread holds it: start the "
            "login or sign-up (tenant.login, login_as, tenant.signup, the login page, "
            "/oauth/token) outside `with tenant.lock:` and outside a Python login hook"
        )


def login(
    tenant: Any,
    begin: Callable[[logins.LoginDesk], logins.Attempt],
    then: Callable[[User, TokenChanges | None], T],
    context: Context,
) -> T:
    """One login: ``begin`` authenticates and counts it (under the lock), the Actions run (no
    lock), and ``then`` issues what the door answers with the user the login resolved to and
    what the Actions asked of the tokens (under the lock). A denial, a throw or a timeout
    raises ``OAuthError`` ``access_denied`` after the queued metadata is written; an Action's
    ``api.redirect.sendUserTo`` raises :class:`Redirected` (:func:`proceed` goes on)."""
    refuse_held_lock(tenant)
    with tenant.lock:
        desk = tenant.login_desk()
        attempt = begin(desk)
        rules = rule_pipeline.enabled_rules(tenant)
        bound = bound_actions(tenant)
        if not bound and not rules:
            return then(logins.finish(desk, attempt), None)
        prepared = None
        if rules:
            prepared = _rules_for(
                tenant,
                rules,
                attempt.user,
                attempt.connection,
                attempt.client_id,
                context,
                attempt.ip,
            )
    # A legacy tenant's Rules run first (https://auth0.com/docs/customize/actions/migrate/migrate-from-rules-to-actions).
    ruling = None if prepared is None else rule_pipeline.run(prepared, run_rule)
    with tenant.lock:
        if ruling is not None:
            tenant.rule_runs.add(ruling)
            if ruling.error is not None:
                desk = tenant.login_desk()
                desk.log.login(
                    "f",
                    desk,
                    attempt.connection,
                    attempt.client_id,
                    attempt.ip,
                    attempt.user,
                    ruling.error.description,
                )
                raise ruling.error
        if not bound:
            assert ruling is not None
            outcome = executions.Outcome(primary_user=ruling.primary_user, tokens=ruling.tokens)
            return then(logins.finish(tenant.login_desk(), attempt, outcome), outcome.tokens)
        subject = _subject(tenant, attempt, ruling)
        event = _event(tenant, subject, attempt.connection, attempt.client_id, context)
        event["request"]["ip"] = attempt.ip
        execution_id = tenant.new_execution_id()
    execution = _run(tenant, bound, event, execution_id, subject, attempt.client_id, context)

    def finish(outcome: executions.Outcome) -> T:
        outcome = _after_rules(ruling, outcome)
        user = logins.finish(tenant.login_desk(), attempt, outcome)
        return then(user, outcome.tokens)

    with tenant.lock:
        tenant.executions.add(execution)
        return _settle(Pause(bound, event, execution, context, finish))  # type: ignore[no-any-return]


def _rules_for(
    tenant: Any,
    rules: tuple[Any, ...],
    user: User,
    connection: Connection,
    client_id: str,
    context: Context,
    ip: str,
) -> rule_pipeline.Prepared:
    """What a legacy tenant's Rules run with for this transaction (the caller holds the lock)."""
    return rule_pipeline.prepare(
        tenant,
        rules,
        user,
        connection,
        client_id,
        protocol=context.protocol,
        scopes=context.requested_scopes,
        ip=ip,
        organization=_organization(tenant, context.organization),
    )


def _subject(tenant: Any, attempt: logins.Attempt, ruling: rule_pipeline.Ruling | None) -> User:
    """The user the Actions see: the rules' ``context.primaryUser`` when one linked the login's
    user away, else the login's user as stored now."""
    if ruling is not None and ruling.primary_user is not None:
        primary = tenant.users.get(ruling.primary_user)
        if primary is not None:
            return primary  # type: ignore[no-any-return]
    return tenant.users.get(attempt.user.user_id) or attempt.user  # type: ignore[no-any-return]


def _after_rules(
    ruling: rule_pipeline.Ruling | None, outcome: executions.Outcome
) -> executions.Outcome:
    """The Actions' outcome on top of the rules': an Action's claim or ``setPrimaryUser``
    wins, scope edits apply in the order made (rules first)."""
    if ruling is None:
        return outcome
    rules, actions = ruling.tokens, outcome.tokens
    outcome.tokens = TokenChanges(
        {**rules.id_token, **actions.id_token},
        {**rules.access_token, **actions.access_token},
        rules.scope_edits + actions.scope_edits,
    )
    if outcome.primary_user is None:
        outcome.primary_user = ruling.primary_user
    return outcome


def again(tenant: Any, sid: str, context: Context, client_id: str) -> None:
    """An ``/authorize`` answered from the SSO session ``sid``, with no new authentication: the
    post-login trigger runs again (the Login Flow runs on every transaction, silent ones too:
    https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow), the login is not
    counted, and the session's tokens carry what this run asked. A denial raises
    ``OAuthError`` ``access_denied`` after the queued metadata is written; a redirect raises
    :class:`Redirected` (``interaction_required`` under ``prompt=none``)."""
    refuse_held_lock(tenant)
    with tenant.lock:
        bound = bound_actions(tenant)
        rules = rule_pipeline.enabled_rules(tenant)
        session = tenant.sessions.sessions.get(sid)
        user = tenant.users.get(session.user_id) if session is not None else None
        connection = tenant.connections.get(session.connection) if session is not None else None
        if (not bound and not rules) or user is None or connection is None:
            return
        if client_id not in tenant.clients:
            return
        prepared = None
        if rules:
            # A legacy tenant's Rules run on every authentication transaction too, first.
            prepared = _rules_for(tenant, rules, user, connection, client_id, context, DEFAULT_IP)
    ruling = None if prepared is None else rule_pipeline.run(prepared, run_rule)
    with tenant.lock:
        if ruling is not None:
            tenant.rule_runs.add(ruling)
            if ruling.error is not None:
                raise ruling.error
            if not bound:
                current = tenant.sessions.sessions.get(sid)
                if current is not None:
                    current.changes = ruling.tokens
                return
        event = _event(tenant, user, connection, client_id, context)
        if context.ip:
            event["request"]["ip"] = context.ip
        if session is not None:
            _with_session(tenant, event, session)
        execution_id = tenant.new_execution_id()
    execution = _run(tenant, bound, event, execution_id, user, client_id, context)

    def finish(outcome: executions.Outcome) -> Any:
        """The session, carrying this run's token changes (None: it ended meanwhile)."""
        outcome = _after_rules(ruling, outcome)
        logins.apply_metadata(
            tenant.login_desk(), user, outcome.app_metadata, outcome.user_metadata
        )
        if outcome.denied is not None:
            raise OAuthError(executions.DENIED_STATUS, "access_denied", outcome.denied)
        current = tenant.sessions.sessions.get(sid)
        if current is not None:
            current.changes = outcome.tokens
        return current

    with tenant.lock:
        tenant.executions.add(execution)
        _settle(Pause(bound, event, execution, context, finish))


def refresh(
    tenant: Any, client: Client, token: str, scope: str | None, caller: Caller | None = None
) -> dict[str, Any]:
    """The ``refresh_token`` grant: Auth0 runs the post-login trigger again when a refresh
    token is exchanged (https://auth0.com/docs/customize/actions/flows-and-triggers/login-flow),
    with ``event.transaction.protocol`` ``oauth2-refresh-token``; the claims of the new tokens
    are the ones these runs set. The login is not counted again."""
    refuse_held_lock(tenant)
    with tenant.lock:
        desk = tenant.token_desk()
        bound = bound_actions(tenant)
        record = tenant.sessions.refresh_tokens.get(token)
        user = tenant.users.get(record.grant.user_id) if record is not None else None
        connection = tenant.connections.get(user.primary.connection) if user else None
        if (
            not bound
            or record is None
            or user is None
            or connection is None
            or record.grant.client_id != client.client_id
        ):
            # Nothing to run, or a token the grant refuses with its own answer.
            return grants.refresh_token_grant(desk, client, token, scope)
        grant = record.grant
        context = Context("oauth2-refresh-token", grant.scopes, grant.audience, method="POST")
        context = context.heard(caller, method=True)
        event = _event(tenant, user, connection, client.client_id, context)
        if context.ip:
            event["request"]["ip"] = context.ip
        _with_refresh_token(tenant, event, record.family)
        execution_id = tenant.new_execution_id()
    execution = _run(tenant, bound, event, execution_id, user, client.client_id, context)
    with tenant.lock:
        tenant.executions.add(execution)
        outcome = execution.outcome
        logins.apply_metadata(
            tenant.login_desk(), user, outcome.app_metadata, outcome.user_metadata
        )
        if outcome.denied is not None:
            raise OAuthError(executions.DENIED_STATUS, "access_denied", outcome.denied)
        return grants.refresh_token_grant(
            tenant.token_desk(), client, token, scope, changes=outcome.tokens
        )


def proceed(
    tenant: Any, pause: Pause, query: Mapping[str, str], body: Mapping[str, str], method: str
) -> Any:
    """The browser came back to ``/continue`` with what the external site sent (``query``,
    ``body``): the redirecting Action's ``onContinuePostLogin`` runs, then the Actions after it,
    and the login ends as it would have (``pause.finish``'s answer), or is suspended again
    (:class:`Redirected`). Called without the lock held."""
    refuse_held_lock(tenant, TRIGGER)
    request = dict(pause.event["request"], query=dict(query), body=dict(body), method=method)
    pause.event = dict(pause.event, request=request)
    runner = _runner(tenant, pause.context)
    executions.resume_chain(
        pause.execution, pause.bound, pause.event, runner, timeout=tenant.action_timeout
    )
    with tenant.lock:
        return _settle(pause)


def _settle(pause: Pause) -> Any:
    """The end of a run of the chain (the caller holds the lock): suspended again when an
    Action redirected, else the login's answer."""
    outcome = pause.execution.outcome
    if outcome.redirect is None or outcome.denied is not None:
        return pause.finish(outcome)
    if pause.context.silent or pause.context.transaction is None:
        # No page may be shown: https://auth0.com/docs/authenticate/login/configure-silent-authentication
        raise OAuthError(400, "interaction_required", OAuthMsg.INTERACTION_REQUIRED)
    pause.url, pause.query = outcome.redirect
    raise Redirected(pause)


def _run(
    tenant: Any,
    bound: list[Bound],
    event: dict[str, Any],
    execution_id: str,
    user: User,
    client_id: str,
    context: Context,
) -> Execution:
    return executions.run_chain(
        bound,
        event,
        _runner(tenant, context),
        timeout=tenant.action_timeout,
        execution_id=execution_id,
        trigger=TRIGGER,
        user_id=user.user_id,
        client_id=client_id,
        connection=event["connection"]["name"],
        protocol=context.protocol,
    )


def _runner(tenant: Any, context: Context) -> Callable[..., Any]:
    home = (tenant.domain, bridge_url(tenant))
    redirect = {
        "state": context.transaction,
        "interactive": context.transaction is not None or context.silent,
        "silent": context.silent,
    }

    def runner(*args: Any, **kwargs: Any) -> Any:
        """One action, able to reach the tenant at ``https://<domain>`` (its bridge)."""
        return run_post_login(*args, bridge=home, redirect=redirect, **kwargs)

    return action_cache.cached(runner, tenant.action_cache, TRIGGER, tenant.clock)


def _event(
    tenant: Any,
    user: User,
    connection: Connection,
    client_id: str,
    context: Context,
) -> dict[str, Any]:
    """``event`` for the login (the caller holds the lock): the user as stored now, its roles'
    names, the transaction's scopes and API."""
    client = tenant.clients[client_id]
    roles = [tenant.roles[r].name for r in user.roles if r in tenant.roles]
    transaction: dict[str, Any] = {
        # The fake's pages speak English only: the locale every transaction resolves to.
        "locale": "en",
        "requested_scopes": list(context.requested_scopes),
        "acr_values": list(context.acr_values),
        "ui_locales": list(context.ui_locales),
        "response_type": list(context.response_type),
    }
    for name in ("redirect_uri", "state", "response_mode", "login_hint"):
        value = getattr(context, name)
        if value is not None:
            transaction[name] = value
    if context.prompt:
        transaction["prompt"] = list(context.prompt)
    event = post_login_event(
        user,
        connection,
        client,
        tenant_id=tenant.domain.split(".")[0],
        protocol=context.protocol,
        request={
            "method": context.method,
            "hostname": tenant.domain,
            "user_agent": context.user_agent,
            "language": context.language,
            "query": dict(context.query or {}),
        },
        transaction=transaction,
        organization=_organization(tenant, context.organization),
        resource_server=context.audience,
        roles=roles,
        now=tenant.clock.iso(),
    )
    if context.language is None:
        # Optional in the event object: absent when the browser asked for no language.
        del event["request"]["language"]
    return event


def _with_session(tenant: Any, event: dict[str, Any], session: Any) -> None:
    """``event.session`` and ``event.authentication`` of a login answered from the SSO session
    (the caller holds the lock): the session as ``GET /sessions/{id}`` shows it, and the
    methods its login completed, when it completed them."""
    shown = dict(tenant._session_json(session))
    signals = shown.pop("authentication", None) or {}
    event["session"] = shown
    if signals.get("methods"):
        event["authentication"] = {"methods": list(signals["methods"])}


def _with_refresh_token(tenant: Any, event: dict[str, Any], family: str) -> None:
    """``event.refresh_token`` of a refresh-token exchange, as ``GET /refresh-tokens/{id}``
    shows it, and ``event.session`` when the login that issued it opened one that still lives
    (the caller holds the lock)."""
    shown = tenant._refresh_token_json(family)
    if shown is None:
        return
    event["refresh_token"] = shown
    sid = shown.get("session_id")
    session = sid and tenant.sessions.live_session(sid, **tenant._session_windows())
    if session:
        _with_session(tenant, event, session)


def _organization(tenant: Any, given: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``event.organization``: ``{id, name, display_name, metadata}`` of the login's
    organization (the event object reference)."""
    if not given:
        return None
    org = tenant.organizations.get(given.get("id"))
    if org is None:
        return dict(given)
    return {
        "id": org.id,
        "name": org.name,
        "display_name": org.display_name or org.name,
        "metadata": dict(org.metadata or {}),
    }
