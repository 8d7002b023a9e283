"""``api.cache`` in Actions (docs/auth0-behaviour.md#actions-cache): strings an Action keeps
from one execution to the next, scoped to the trigger, expiring on the tenant's clock, within
Auth0's limits, answered with Auth0's result objects.

Sources: the api object of each trigger (``api.cache.get`` / ``set`` / ``delete``,
https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/post-login-api-object,
https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/pre-user-registration-trigger/pre-user-registration-api-object)
and the limits (https://auth0.com/docs/customize/actions/limitations, "Cached data").
"""

from __future__ import annotations

import json
import shutil
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest

from fakeauth0 import Tenant
from fakeauth0.action_cache import LIMITS, ActionCache
from fakeauth0.errors import OAuthError

from .conftest import DB, EMAIL, PASSWORD, Apps
from .test_redirect_actions import _callback, _deploy, _on_tenant, _sent_to, _start

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed (CI installs it)"
)

#: A moment the tests freeze the tenant's clock at (milliseconds: :data:`NOW_MS`).
NOW = 1_900_000_000.0
NOW_MS = int(NOW * 1000)
CLAIM = "https://app.example.com/"

#: The pattern the cache is for: a Management API token fetched once with the client
#: credentials grant, then read from the cache by the next logins until it expires
#: (https://auth0.com/docs/customize/actions/action-coding-guidelines).
CACHED_TOKEN = """
exports.onExecutePostLogin = async (event, api) => {
  const domain = event.secrets.DOMAIN;
  let source = 'cache';
  let token = api.cache.get('management-token')?.value;
  if (!token) {
    source = 'fetched';
    const answer = await fetch(`https://${domain}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: event.secrets.CLIENT_ID,
        client_secret: event.secrets.CLIENT_SECRET,
        audience: `https://${domain}/api/v2/`,
        scope: 'read:users',
      }),
    });
    const body = await answer.json();
    token = body.access_token;
    const stored = api.cache.set('management-token', token, { ttl: body.expires_in * 1000 });
    if (stored.type !== 'success') throw new Error(`not cached: ${stored.code}`);
  }
  const id = encodeURIComponent(event.user.user_id);
  const user = await fetch(`https://${domain}/api/v2/users/${id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  api.idToken.setCustomClaim('https://app.example.com/source', source);
  api.idToken.setCustomClaim('https://app.example.com/lookup', user.status);
};
"""

#: Logs what each cache call answers, as JSON, for the test to read back.
PROBE = """
exports.onExecutePostLogin = async (event, api) => {
  const say = (label, value) => console.log(label + ' ' + JSON.stringify(value ?? null));
  BODY
};
"""


def _probe(tenant: Tenant, body: str, trigger: str = "post-login") -> None:
    code = PROBE.replace("BODY", body)
    if trigger != "post-login":
        code = code.replace("onExecutePostLogin", "onExecutePreUserRegistration")
    tenant.add_action(code, trigger)


def _said(tenant: Tenant, index: int = 0) -> dict[str, Any]:
    """The labelled values the latest execution's ``index``-th action logged."""
    execution = tenant.executions.latest()
    assert execution is not None
    run = execution.to_record()["actions"][index]
    assert run["error"] is None, run["error"]
    said = {}
    for line in run["logs"]:
        label, _, value = line.partition(" ")
        said[label] = json.loads(value)
    return said


def _login(tenant: Tenant, client_id: str) -> dict[str, Any]:
    answer = tenant.login_as(EMAIL, client_id=client_id)
    return jwt.decode(answer.id_token, options={"verify_signature": False})  # type: ignore[no-any-return]


def test_a_management_token_cached_by_one_login_is_read_by_the_next(apps: Apps) -> None:
    """ "Store and retrieve data that persists across executions" (the api object): the token
    the first login fetched is the one the second login uses, without a second exchange."""
    tenant = apps.tenant
    management = tenant.management_client
    tenant.add_action(
        CACHED_TOKEN,
        secrets={
            "DOMAIN": tenant.domain,
            "CLIENT_ID": management.client_id,
            "CLIENT_SECRET": management.client_secret,
        },
    )
    first = _login(tenant, apps.web.client_id)
    record = tenant.action_cache.get("post-login", "management-token", tenant.clock.time())
    assert record is not None
    second = _login(tenant, apps.web.client_id)

    assert (first[CLAIM + "source"], first[CLAIM + "lookup"]) == ("fetched", 200)
    assert (second[CLAIM + "source"], second[CLAIM + "lookup"]) == ("cache", 200)
    assert jwt.decode(record.value, options={"verify_signature": False})["scope"] == "read:users"
    # The cached token stays out of the execution log the control plane shows.
    shown = json.dumps([e.to_record() for e in tenant.executions])
    assert record.value not in shown


def test_get_set_and_delete_answer_auth0s_result_objects(apps: Apps) -> None:
    """``get`` is ``{value, expires_at}`` or undefined, ``set`` ``{type: "success", record}``,
    ``delete`` ``{type: "success"}``, or ``{type: "error", code: "CacheKeyDoesNotExist"}`` for
    a key that is not there (the api object, ``CacheWriteResult``)."""
    tenant = apps.tenant
    tenant.clock.freeze(NOW)
    _probe(
        tenant,
        """
  say('missing', api.cache.get('colour'));
  say('set', api.cache.set('colour', 'teal', { ttl: 60000 }));
  say('got', api.cache.get('colour'));
  say('deleted', api.cache.delete('colour'));
  say('after', api.cache.get('colour'));
  say('again', api.cache.delete('colour'));
  say('kept', api.cache.set('kept', 'yes'));
""",
    )
    _login(tenant, apps.web.client_id)
    said, now = _said(tenant), NOW_MS

    assert said["missing"] is None
    record = {"value": "teal", "expires_at": now + 60000}
    assert said["set"] == {"type": "success", "record": record}
    assert said["got"] == {"value": "teal", "expires_at": now + 60000}
    assert said["deleted"] == {"type": "success"}
    assert said["after"] is None
    assert said["again"] == {"type": "error", "code": "CacheKeyDoesNotExist"}
    assert tenant.action_cache.get("post-login", "colour", tenant.clock.time()) is None
    assert tenant.action_cache.get("post-login", "kept", tenant.clock.time()) is not None


def test_a_key_deleted_by_one_login_is_gone_for_the_next(apps: Apps) -> None:
    """``api.cache.delete(key)`` removes the record for later executions too (the api
    object)."""
    tenant = apps.tenant
    _probe(
        tenant,
        """
  const seen = api.cache.get('flag');
  say('seen', seen);
  if (seen) say('deleted', api.cache.delete('flag'));
  else say('set', api.cache.set('flag', String(event.stats.logins_count)));
""",
    )
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["set"]["type"] == "success"
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["seen"]["value"] == "1"
    assert _said(tenant)["deleted"] == {"type": "success"}
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["seen"] is None


def test_records_expire_on_the_tenants_clock(apps: Apps) -> None:
    """A record lives "up to the specified ttl or expires_at", 15 minutes when neither is
    given, the earlier of the two when both are, and never past the 24-hour maximum (the api
    object; the limits page). A test moves the tenant's clock to see it go."""
    tenant = apps.tenant
    tenant.clock.freeze(NOW)
    _probe(
        tenant,
        """
  if (event.stats.logins_count === 1) {
    say('default', api.cache.set('default', 'a'));
    say('ttl', api.cache.set('ttl', 'b', { ttl: 60000 }));
    say('both', api.cache.set('both', 'c', { ttl: 600000, expires_at: AT }));
    say('long', api.cache.set('long', 'd', { ttl: 7 * 24 * 3600 * 1000 }));
  }
  for (const key of ['default', 'ttl', 'long']) say('get-' + key, api.cache.get(key));
""".replace("AT", str(NOW_MS + 30000)),
    )
    _login(tenant, apps.web.client_id)
    said, now = _said(tenant), NOW_MS
    assert said["default"]["record"]["expires_at"] == now + 15 * 60 * 1000
    assert said["ttl"]["record"]["expires_at"] == now + 60000
    assert said["both"]["record"]["expires_at"] == now + 30000
    assert said["long"]["record"]["expires_at"] == now + 24 * 3600 * 1000

    tenant.clock.advance(61)
    _login(tenant, apps.web.client_id)
    said = _said(tenant)
    assert said["get-ttl"] is None
    assert said["get-default"]["value"] == "a"

    tenant.clock.advance(15 * 60)
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["get-default"] is None
    assert _said(tenant)["get-long"]["value"] == "d"

    tenant.clock.advance(24 * 3600)
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["get-long"] is None


def test_the_documented_limits_answer_auth0s_error_codes(apps: Apps) -> None:
    """Keys up to 64 bytes, values up to 4 KB, 8 KB in all, 20 entries per trigger
    (https://auth0.com/docs/customize/actions/limitations); past one, ``set`` answers
    ``{type: "error", code}`` with the ``CacheWriteResult`` codes, and stores nothing; a
    lifetime already over or not a number is refused the same way."""
    tenant = apps.tenant
    tenant.clock.freeze(NOW)
    _probe(
        tenant,
        """
  say('key', api.cache.set('k'.repeat(65), 'v'));
  say('key64', api.cache.set('é'.repeat(32), 'v'));
  say('value', api.cache.set('big', 'v'.repeat(4097)));
  say('value4096', api.cache.set('big', 'v'.repeat(4096)));
  say('total', api.cache.set('big2', 'v'.repeat(4096)));
  say('past', api.cache.set('past', 'v', { expires_at: AT }));
  say('nan', api.cache.set('nan', 'v', { ttl: 'soon' }));
  api.cache.delete('big');
  const answers = [];
  for (let i = 0; i < 21; i++) answers.push(api.cache.set('n' + i, 'v').type);
  say('entries', answers);
  say('replace', api.cache.set('n0', 'w').type);
  say('last', api.cache.get('n19'));
""".replace("AT", str(NOW_MS - 1000)),
    )
    _login(tenant, apps.web.client_id)
    said = _said(tenant)

    assert said["key"] == {"type": "error", "code": "CacheKeySizeExceeded"}
    assert said["key64"]["type"] == "success"
    assert said["value"] == {"type": "error", "code": "CacheValueSizeExceeded"}
    assert said["value4096"]["type"] == "success"
    assert said["total"] == {"type": "error", "code": "CacheSizeExceeded"}
    assert said["past"] == {"type": "error", "code": "ItemAlreadyExpired"}
    assert said["nan"] == {"type": "error", "code": "InvalidExpiry"}
    # 'key64' holds one of the 20 places: 19 more fit.
    assert said["entries"] == ["success"] * 19 + ["error", "error"]
    assert said["replace"] == "success"
    assert said["last"] is None
    stored = tenant.action_cache.view("post-login", tenant.clock.time())["entries"]
    assert len(stored) == LIMITS["max_entries"]
    assert "big2" not in stored and "n19" not in stored


def test_a_value_that_is_not_a_string_throws_and_ends_the_login(apps: Apps) -> None:
    """``api.cache.set`` stores "a string value" (the api object): another type throws, and
    an Action that throws ends the login with ``access_denied``
    (docs/auth0-behaviour.md#post-login-actions)."""
    tenant = apps.tenant
    tenant.add_action(
        "exports.onExecutePostLogin = async (event, api) => {"
        " api.cache.set('count', event.stats.logins_count); };"
    )
    with pytest.raises(OAuthError) as raised:
        _login(tenant, apps.web.client_id)
    assert raised.value.error == "access_denied"
    assert "must be a string" in raised.value.description


def test_later_actions_of_the_same_execution_see_earlier_writes(apps: Apps) -> None:
    """The cache is the trigger's, shared by its Actions: "available for all actions in the
    same flow for a single execution"
    (https://community.auth0.com/t/actions-cache-consistency-between-executions/137676)."""
    tenant = apps.tenant
    _probe(tenant, "say('set', api.cache.set('handoff', 'from the first action').type);")
    _probe(tenant, "say('got', api.cache.get('handoff'));")
    _login(tenant, apps.web.client_id)
    assert _said(tenant, 0)["set"] == "success"
    assert _said(tenant, 1)["got"]["value"] == "from the first action"


def test_a_reset_empties_the_cache_and_snapshots_leave_it_out(apps: Apps) -> None:
    """The cache holds "short-lived, ephemeral data" (the api object): a reset back to the
    seed empties it, and a snapshot does not carry it (CHOICES.md)."""
    tenant = apps.tenant
    _probe(tenant, "say('seen', api.cache.get('k')); api.cache.set('k', 'v');")
    tenant.load_seed(tenant.snapshot())
    _login(tenant, apps.web.client_id)
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["seen"]["value"] == "v"
    assert "cache" not in json.dumps(sorted(tenant.snapshot()))

    tenant.reset()
    assert tenant.action_cache.view("post-login", tenant.clock.time())["entries"] == {}
    _login(tenant, apps.web.client_id)
    assert _said(tenant)["seen"] is None


def test_pre_user_registration_has_its_own_cache(apps: Apps) -> None:
    """``api.cache`` in pre-user-registration (its api object): the second sign-up reads what
    the first stored; the post-login trigger does not see it, values being "scoped to the
    Trigger in which they are set" (the api object, ``api.cache.set``)."""
    tenant = apps.tenant
    _probe(
        tenant,
        """
  say('seen', api.cache.get('last-signup'));
  api.cache.set('last-signup', event.user.email);
""",
        trigger="pre-user-registration",
    )
    _probe(tenant, "say('seen', api.cache.get('last-signup'));")
    for email in ("first@example.com", "second@example.com"):
        tenant.signup(client_id=apps.web.client_id, connection=DB, email=email, password=PASSWORD)
    assert _said(tenant)["seen"]["value"] == "first@example.com"

    _login(tenant, apps.web.client_id)
    assert _said(tenant)["seen"] is None


#: Stores a nonce before sending the browser away, and checks it when the browser comes back.
REDIRECT_NONCE = """
exports.onExecutePostLogin = async (event, api) => {
  const nonce = 'n-' + event.stats.logins_count;
  api.cache.set('pending', nonce, { ttl: 300000 });
  api.redirect.sendUserTo('https://forms.example.com/check', { query: { nonce } });
};
exports.onContinuePostLogin = async (event, api) => {
  const pending = api.cache.get('pending');
  if (!pending || pending.value !== event.request.query.nonce) {
    return api.access.deny('unknown nonce');
  }
  api.cache.delete('pending');
  api.idToken.setCustomClaim('https://app.example.com/checked', pending.value);
};
"""


def test_on_continue_post_login_reads_what_the_redirecting_run_cached(apps: Apps) -> None:
    """``onContinuePostLogin`` has the post-login ``api``, ``api.cache`` included
    (https://auth0.com/docs/customize/actions/explore-triggers/signup-and-login-triggers/login-trigger/redirect-with-actions):
    what the Action stored before the redirect is there when the browser comes back."""
    tenant = apps.tenant
    _deploy(tenant, REDIRECT_NONCE, "nonce")
    web, away = _start(tenant, apps)
    sent = _sent_to(away, "https://forms.example.com/check")
    assert sent["nonce"] == "n-1"
    resumed = web.get(
        "/continue?" + urlencode({"state": sent["state"], "nonce": sent["nonce"]}),
        base_url=tenant.base_url,
    )
    assert "code" in _callback(_on_tenant(web, tenant, resumed))
    assert tenant.action_cache.get("post-login", "pending", tenant.clock.time()) is None
    commands = tenant.executions.latest().to_record()["actions"][-1]["api_calls"]  # type: ignore[union-attr]
    assert commands == [
        {"api": "idToken.setCustomClaim", "args": ["https://app.example.com/checked", "n-1"]}
    ]


def test_overlapping_runs_keep_to_the_limits_by_evicting_the_soonest_to_expire() -> None:
    """Runs of one trigger may overlap, each checked against the entries it started from;
    their writes together still keep to 20 entries (the limits page), the records that expire
    first going ("cached records may be evicted earlier", the api object)."""
    cache = ActionCache()
    now = 1_000_000.0
    first = [
        {"op": "set", "key": f"a{i}", "value": "v", "expires_at": int(now * 1000) + 1000 + i}
        for i in range(15)
    ]
    second = [
        {"op": "set", "key": f"b{i}", "value": "v", "expires_at": int(now * 1000) + 5000 + i}
        for i in range(15)
    ]
    cache.apply("post-login", first, now)
    cache.apply("post-login", second, now)
    entries = cache.view("post-login", now)["entries"]
    assert len(entries) == 20
    assert {f"b{i}" for i in range(15)} <= set(entries)
    assert cache.view("pre-user-registration", now)["entries"] == {}
