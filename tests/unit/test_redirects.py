"""Where a tenant may send a browser (fakeauth0.redirects): Auth0's documented rules as
examples, and properties saying that no generated URL, hostile ones included, is accepted
unless it names an allowed place.

Sources cited below:
- wildcards: https://auth0.com/docs/get-started/applications/wildcards-for-subdomains
- mismatch: https://support.auth0.com/center/s/article/Callback-URL-Mismatch-Error-Is-Not-in-the-List-of-Allowed-Callback-URLs
- logout: https://auth0.com/docs/authenticate/login/logout/redirect-users-after-logout
- oidc-logout: https://auth0.com/docs/authenticate/login/logout/log-users-out-of-auth0
- settings: https://auth0.com/docs/get-started/applications/application-settings
- 100-urls: https://community.auth0.com/t/dynamically-redirect-a-user-after-logout-if-there-are-more-than-100-destinations/135657
- oidc-query: https://community.auth0.com/t/workaround-for-oidc-logout-does-not-allow-query-string-parameters-to-post-logout-redirect-uri/191710
- dynamic-callback: https://community.auth0.com/t/how-do-i-set-up-a-dynamic-allowed-callback-url/60268
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeauth0.redirects import callback_allowed, logout_url_allowed, origin_allowed, origin_of

CALLBACK = "https://app.example.com/callback"

# --- Allowed Callback URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        CALLBACK,
        # Scheme and host are case-insensitive (logout, the same rule for URL lists; CHOICES.md
        # "callback scheme and host case").
        "HTTPS://App.Example.COM/callback",
    ],
)
def test_a_listed_callback_is_allowed(redirect_uri: str) -> None:
    assert callback_allowed(redirect_uri, [CALLBACK])


@pytest.mark.parametrize(
    "redirect_uri",
    [
        # mismatch: "exact string matching": http vs https, ports, trailing slashes, subdomains,
        # paths all make a mismatch.
        "http://app.example.com/callback",
        "https://app.example.com:8443/callback",
        "https://app.example.com/callback/",
        "https://www.example.com/callback",
        "https://app.example.com/callback2",
        # logout: the path is case-sensitive.
        "https://app.example.com/Callback",
        # CHOICES.md "explicit default port": ":443" is not the text that was listed.
        "https://app.example.com:443/callback",
        # CHOICES.md "callback query string": the query string is part of the match.
        "https://app.example.com/callback?next=/home",
        # RFC 6749 section 3.1.2: a redirection endpoint has no fragment (CHOICES.md
        # "fragment in redirect_uri").
        "https://app.example.com/callback#x",
        "https://app.example.com/callback#",
    ],
)
def test_a_callback_differing_in_any_part_is_refused(redirect_uri: str) -> None:
    assert not callback_allowed(redirect_uri, [CALLBACK])


def test_a_callback_with_a_query_needs_that_exact_query_listed() -> None:
    # mismatch: exact string matching (CHOICES.md "callback query string").
    listed = ["https://app.example.com/cb?tenant=a"]
    assert callback_allowed("https://app.example.com/cb?tenant=a", listed)
    assert not callback_allowed("https://app.example.com/cb?tenant=b", listed)
    assert not callback_allowed("https://app.example.com/cb", listed)


def test_a_root_callback_and_its_trailing_slash_are_different() -> None:
    # mismatch: trailing slashes make a mismatch.
    assert callback_allowed("http://localhost:3000", ["http://localhost:3000"])
    assert not callback_allowed("http://localhost:3000/", ["http://localhost:3000"])
    assert not callback_allowed("http://localhost:3000", ["http://localhost:3000/"])


@pytest.mark.parametrize(
    "callback",
    [
        # Native apps' custom schemes, as Auth0's mobile SDKs register them, and RFC 8252
        # section 7.1's private-use scheme form without an authority.
        "com.example.app://example.auth0.com/ios/com.example.app/callback",
        "com.example.app:/oauth2redirect/example-provider",
        "myapp:///callback",
        "http://127.0.0.1:8765/cb",
        "http://[::1]:8765/cb",
    ],
)
def test_native_and_loopback_callbacks_match_exactly(callback: str) -> None:
    assert callback_allowed(callback, [callback])
    assert not callback_allowed(callback + "x", [callback])
    assert not callback_allowed(callback[:-1] + callback[-1].upper(), [callback])


def test_a_custom_scheme_with_and_without_authority_are_different() -> None:
    assert not callback_allowed("com.example.app:/cb", ["com.example.app:///cb"])
    assert not callback_allowed("com.example.app:///cb", ["com.example.app:/cb"])


# --- Wildcards ------------------------------------------------------------------------------

WILD = "https://*.example.com/cb"


@pytest.mark.parametrize(
    ("redirect_uri", "allowed"),
    [
        ("https://a.example.com/cb", True),
        ("https://A-1.Example.com/cb", True),
        # wildcards: "will not match a URL more than one subdomain level in place of the
        # wildcard".
        ("https://a.b.example.com/cb", False),
        # CHOICES.md "wildcard subdomains": the wildcard stands for one or more characters.
        ("https://example.com/cb", False),
        ("https://.example.com/cb", False),
        ("https://a.example.com.evil.test/cb", False),
        ("https://aexample.com/cb", False),
        ("https://a.example.com/cb/", False),
        ("https://a.example.com/other", False),
        ("http://a.example.com/cb", False),
        ("https://a.example.com:444/cb", False),
        ("https://a_b.example.com/cb", False),
    ],
)
def test_a_wildcard_stands_for_one_label(redirect_uri: str, allowed: bool) -> None:
    assert callback_allowed(redirect_uri, [WILD]) is allowed


def test_a_wildcard_may_have_a_prefix_and_a_suffix() -> None:
    # wildcards: "https://prefix-*-suffix.example.com will work".
    listed = ["https://prefix-*-suffix.example.com/cb"]
    assert callback_allowed("https://prefix-pr42-suffix.example.com/cb", listed)
    assert not callback_allowed("https://prefix--suffix.example.com/cb", listed)
    assert not callback_allowed("https://prefix-pr42.example.com/cb", listed)
    assert not callback_allowed("https://x.prefix-pr42-suffix.example.com/cb", listed)


@pytest.mark.parametrize(
    ("entry", "candidate"),
    [
        # wildcards: the protocol must be http: or https:.
        ("com.example.app://*.example.com/cb", "com.example.app://a.example.com/cb"),
        # wildcards: the wildcard must be in a subdomain ("https://*.com will not work").
        ("https://*.com/cb", "https://example.com/cb"),
        # wildcards: in the subdomain furthest from the root ("https://sub.*.example.com").
        ("https://sub.*.example.com/cb", "https://sub.a.example.com/cb"),
        # wildcards: not more than one wildcard ("https://*.*.example.com").
        ("https://*.*.example.com/cb", "https://a.b.example.com/cb"),
        ("https://*.example.com/*", "https://a.example.com/*"),
        # dynamic-callback: no wildcard in the path; a "*" there is not one.
        ("https://app.example.com/*", "https://app.example.com/cb"),
        # CHOICES.md "wildcard subdomains": never over an address a browser reads as IPv4.
        ("http://*.0.0.1/cb", "http://127.0.0.1/cb"),
        ("https://*a*.example.com/cb", "https://bab.example.com/cb"),
    ],
)
def test_a_wildcard_breaking_auth0s_rules_matches_nothing(entry: str, candidate: str) -> None:
    assert not callback_allowed(candidate, [entry])


def test_the_organization_placeholder_is_not_supported() -> None:
    # wildcards: "{organization_name}" is a placeholder Auth0 fills from the organization of
    # the transaction; the fake has none to fill it with (CHOICES.md "organization_name
    # placeholder").
    listed = ["https://{organization_name}.example.com/cb"]
    assert not callback_allowed("https://acme.example.com/cb", listed)
    assert not callback_allowed("https://{organization_name}.example.com/cb", listed)


# --- Hostile inputs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://app.example.com@evil.test/callback",
        "https://app.example.com:443@evil.test/callback",
        "https://user@app.example.com/callback",
        "https://app.example.com\\@evil.test/callback",
        "https://evil.test\\app.example.com/callback",
        "https://app.example.com/callback\\",
        "//app.example.com/callback",
        "app.example.com/callback",
        "https:app.example.com/callback",
        "https:/app.example.com/callback",
        "https:///app.example.com/callback",
        "javascript://app.example.com/callback%0aalert(1)",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://app%2eexample.com/callback",
        "https://%61pp.example.com/callback",
        "https://app.example.com./callback",
        "https://app..example.com/callback",
        "https://app.example.com.evil.test/callback",
        "https://evil.test/app.example.com/callback",
        "https://app.ex\N{CYRILLIC SMALL LETTER A}mple.com/callback",
        "https://app.example.com/callback\N{NO-BREAK SPACE}",
        " https://app.example.com/callback",
        "https://app.example.com/callback ",
        "https://app.example.com/callback\n",
        "https://app.example.com/call\tback",
        "\x00https://app.example.com/callback",
        "https://app.example.com:/callback",
        "https://app.example.com:0443/callback",
        "https://app.example.com:99999/callback",
        "",
    ],
)
def test_hostile_or_unclean_candidates_never_match(redirect_uri: str) -> None:
    listed = [CALLBACK, "https://app.example.com:443/callback"]
    assert not callback_allowed(redirect_uri, listed)
    assert not logout_url_allowed(redirect_uri, listed, match_query=False)
    assert not logout_url_allowed(redirect_uri, listed, match_query=True)


@pytest.mark.parametrize(
    "entry",
    [
        "javascript://app.example.com/callback",
        "https://app.example.com/callback\n",
        "https://user@app.example.com/callback",
        "app.example.com/callback",
    ],
)
def test_an_unclean_entry_matches_nothing_not_even_itself(entry: str) -> None:
    assert not callback_allowed(entry, [entry])
    assert not callback_allowed(CALLBACK, [entry])


def test_entries_that_are_not_strings_are_skipped() -> None:
    assert callback_allowed(CALLBACK, [None, 3, CALLBACK])  # type: ignore[list-item]
    assert not callback_allowed(None, [CALLBACK])  # type: ignore[arg-type]


# --- Allowed Logout URLs ---------------------------------------------------------------------


def test_v2_logout_ignores_the_query_string_and_fragment() -> None:
    # settings: "query strings and hash information are not taken into account when validating
    # these URLs"; 100-urls: "Auth0 does not validate query parameters when using the
    # /v2/logout endpoint".
    listed = ["https://app.example.com/bye"]
    assert logout_url_allowed("https://app.example.com/bye?next=/x#top", listed, match_query=False)
    assert logout_url_allowed(
        "https://app.example.com/bye", ["https://app.example.com/bye?a=1#f"], match_query=False
    )


def test_v2_logout_scheme_and_host_ignore_case_the_path_does_not() -> None:
    # logout: in "http://www.Example.Com/FooHoo.html" the "http://www.Example.Com" part is
    # case-insensitive and "FooHoo.html" case-sensitive.
    listed = ["http://www.Example.Com/FooHoo.html"]
    assert logout_url_allowed("HTTP://WWW.EXAMPLE.COM/FooHoo.html", listed, match_query=False)
    assert not logout_url_allowed("http://www.example.com/foohoo.html", listed, match_query=False)


def test_v2_logout_wildcards_are_for_subdomains_only() -> None:
    # logout: "*" as a wildcard for subdomains (http://*.example.com); 100-urls: "Wildcards are
    # not allowed on the path".
    listed = ["http://*.example.com"]
    assert logout_url_allowed("http://shop.example.com", listed, match_query=False)
    assert logout_url_allowed("http://shop.example.com?x=1", listed, match_query=False)
    assert not logout_url_allowed("http://shop.example.com/", listed, match_query=False)
    assert not logout_url_allowed("http://a.shop.example.com", listed, match_query=False)
    assert not logout_url_allowed(
        "https://app.example.com/a", ["https://app.example.com/*"], match_query=False
    )
    # logout: an entry without its protocol ("*.example.com") is a validation error.
    assert not logout_url_allowed("http://shop.example.com", ["*.example.com"], match_query=False)


def test_oidc_logout_matches_the_query_string() -> None:
    # 100-urls: "Auth0 validates the query parameters when using the OIDC logout endpoint";
    # oidc-query: "https://example.com/logout?myParam=1234 does not exactly match
    # https://example.com/logout?myParam" (CHOICES.md "oidc/logout query string").
    listed = ["https://example.com/logout?myParam=1234"]
    assert logout_url_allowed("https://example.com/logout?myParam=1234", listed, match_query=True)
    assert not logout_url_allowed("https://example.com/logout?myParam=1", listed, match_query=True)
    assert not logout_url_allowed("https://example.com/logout", listed, match_query=True)
    assert not logout_url_allowed(
        "https://example.com/logout?myParam=1234",
        ["https://example.com/logout?myParam"],
        match_query=True,
    )
    assert not logout_url_allowed(
        "https://example.com/logout?myParam=1234#f", listed, match_query=True
    )


# --- Web origins -----------------------------------------------------------------------------


def test_an_origin_is_allowed_by_its_entry_or_a_wildcard() -> None:
    # settings: Allowed Web Origins, "*" a wildcard placeholder for subdomains.
    listed = ["https://app.example.com", "http://localhost:3000", "https://*.preview.example.com"]
    assert origin_allowed("https://app.example.com", listed)
    assert origin_allowed("HTTPS://APP.EXAMPLE.COM", listed)
    assert origin_allowed("http://localhost:3000", listed)
    assert origin_allowed("https://pr-7.preview.example.com", listed)
    assert not origin_allowed("http://localhost:3001", listed)
    assert not origin_allowed("https://a.b.preview.example.com", listed)
    assert not origin_allowed("https://app.example.com.evil.test", listed)
    assert not origin_allowed("null", listed)
    assert not origin_allowed("https://app.example.com@evil.test", listed)


def test_an_origin_has_no_path_and_a_listed_path_fails_the_match() -> None:
    # settings: paths, query strings and hash information "may, in fact, cause the match to
    # fail" (CHOICES.md "web origins with a path").
    assert not origin_allowed("https://app.example.com/", ["https://app.example.com"])
    assert origin_allowed("https://app.example.com", ["https://app.example.com/"])
    assert not origin_allowed("https://app.example.com", ["https://app.example.com/app"])
    assert not origin_allowed("https://app.example.com", ["https://app.example.com?x"])


def test_an_origin_compares_default_ports_as_absent() -> None:
    # RFC 6454 section 6.2: an origin's serialization leaves out the default port
    # (CHOICES.md "explicit default port").
    assert origin_allowed("https://app.example.com", ["https://app.example.com:443"])
    assert origin_allowed("https://app.example.com:443", ["https://app.example.com"])
    assert not origin_allowed("https://app.example.com:80", ["https://app.example.com"])


def test_hybrid_app_origins_with_custom_schemes() -> None:
    # Capacitor and Ionic apps' pages run at capacitor://localhost.
    assert origin_allowed("capacitor://localhost", ["capacitor://localhost"])
    assert not origin_allowed("capacitor://localhost", ["http://localhost"])


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://App.Example.com/callback?x=1#y", "https://app.example.com"),
        ("https://app.example.com:443/cb", "https://app.example.com"),
        ("http://app.example.com:80/cb", "http://app.example.com"),
        ("http://localhost:3000/", "http://localhost:3000"),
        ("https://app.example.com:80/", "https://app.example.com:80"),
        ("http://[::1]:8080/cb", "http://[::1]:8080"),
        ("capacitor://localhost/cb", "capacitor://localhost"),
    ],
)
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    ["com.example.app:/cb", "myapp:///cb", "https://good.com@evil.test/", "/cb", "javascript:x"],
)
def test_origin_of_a_url_without_a_clean_host_is_an_error(url: str) -> None:
    with pytest.raises(ValueError):
        origin_of(url)


# --- Properties: no open redirect ------------------------------------------------------------

EVIL = "evil.test"
CYRILLIC_A = "\N{CYRILLIC SMALL LETTER A}"
DEFAULT_PORTS = {"http": 80, "https": 443}
SPECIAL = ("http", "https")


@dataclass(frozen=True)
class Entry:
    """An allowed URL built from known parts, so the test knows what it allows without
    parsing it: ``wildcard`` is a ``(prefix, suffix)`` around the ``*`` of the first label."""

    scheme: str
    labels: tuple[str, ...]
    wildcard: tuple[str, str] | None
    port: int | None
    path: str
    query: str | None

    @property
    def host(self) -> str:
        first = f"{self.wildcard[0]}*{self.wildcard[1]}" if self.wildcard else self.labels[0]
        return ".".join((first, *self.labels[1:]))

    def authority(self, host: str | None = None, port: int | str | None = "same") -> str:
        port = self.port if port == "same" else port
        return (host or self.host) + ("" if port is None else f":{port}")

    def rest(self, query: str | None = "same") -> str:
        query = self.query if query == "same" else query
        return self.path + ("" if query is None else f"?{query}")

    def text(self) -> str:
        return f"{self.scheme}://{self.authority()}{self.rest()}"

    def instance_host(self, fill: str) -> str:
        """A host the wildcard stands for (the host itself when there is none)."""
        if self.wildcard is None:
            return self.host
        return ".".join((f"{self.wildcard[0]}{fill}{self.wildcard[1]}", *self.labels[1:]))

    def instance(self, fill: str = "x") -> str:
        return f"{self.scheme}://{self.authority(self.instance_host(fill))}{self.rest()}"


label = st.text(alphabet="abz019-", min_size=1, max_size=5).map(lambda s: s.strip("-") or "a")
tld = st.sampled_from(["com", "test", "org", "xn--p1ai"])
segment = st.text(alphabet="aZ09._~!$&'()*+,;=:@-", max_size=5)
path = st.lists(segment, max_size=3).map(lambda parts: "".join("/" + p for p in parts))
query = st.none() | st.text(alphabet="aZ09=&/?._-", max_size=6)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    scheme = draw(st.sampled_from(["https", "http", "com.example.app"]))
    labels = (*draw(st.lists(label, min_size=2, max_size=3)), draw(tld))
    wildcard = None
    if scheme in SPECIAL and draw(st.booleans()):
        wildcard = (draw(st.sampled_from(["", "pr-"])), draw(st.sampled_from(["", "-app"])))
    port = draw(st.none() | st.integers(1, 65535))
    # Auth0 allows one wildcard per URL: with one in the host, a "*" in the path is a second.
    entry_path = draw(path).replace("*", "") if wildcard else draw(path)
    return Entry(scheme, labels, wildcard, port, entry_path, draw(query))


def hostile_variants(entry: Entry) -> list[str]:
    """URLs built from ``entry`` that name another place, or no clean URL at all."""
    host, rest = entry.instance_host("x"), entry.rest()
    other_scheme = {"https": "http", "http": "https"}.get(entry.scheme, "https")
    other_port = 1 if entry.port is None else (entry.port % 65535) + 1
    other_port = 8081 if other_port in (80, 443) else other_port
    authority = entry.authority(host)
    wrong_first = []
    if entry.wildcard is not None:
        prefix, suffix = entry.wildcard
        # The fill left empty, and a first label lacking the prefix or the suffix.
        wrong_first = [prefix + suffix] + (["zzzzzzzzz"] if prefix or suffix else [])
    return [
        f"{entry.scheme}://{entry.authority('.'.join((first, *entry.labels[1:])))}{rest}"
        for first in wrong_first
    ] + [
        f"{entry.scheme}://{authority}@{EVIL}{rest}",
        f"{entry.scheme}://{host}:{entry.port or 443}@{EVIL}{rest}",
        f"{entry.scheme}://{authority}\\@{EVIL}{rest}",
        f"{entry.scheme}://{EVIL}\\{authority}{rest}",
        f"{entry.scheme}://{EVIL}\\@{authority}{rest}",
        f"{entry.scheme}://evil.{entry.authority(host)}{rest}",
        f"{entry.scheme}://{host}.{EVIL}{'' if entry.port is None else f':{entry.port}'}{rest}",
        f"{entry.scheme}://{entry.authority(host, other_port)}{rest}",
        f"{other_scheme}://{authority}{rest}",
        f"//{authority}{rest}",
        f"{authority}{rest}",
        f"{entry.scheme}:{authority}{rest}",
        f"{entry.scheme}://%{ord(host[0]):02x}{entry.authority(host)[1:]}{rest}",
        f"{entry.scheme}://{entry.authority(host.replace('.', '%2e', 1))}{rest}",
        f"{entry.scheme}://{entry.authority(host + '.')}{rest}",
        f"{entry.scheme}://{authority}{rest}{EVIL}" if not rest else f"{entry.scheme}://x{rest}",
        f" {entry.scheme}://{authority}{rest}",
        f"{entry.scheme}://{authority}{rest}\n",
        f"{entry.scheme}://{authority}\t{rest}",
        f"{entry.scheme}://{authority}/../{EVIL}{rest}" if rest else f"{EVIL}://{authority}",
        f"javascript://{authority}{rest}%0aalert(1)",
        f"{entry.scheme}://{authority}{entry.path}?a b",
        f"{entry.scheme}://{authority}{entry.path}#a\\b",
        f"{entry.scheme}://{CYRILLIC_A}{authority}{rest}",
    ]


def friendly_variants(entry: Entry) -> list[str]:
    """URLs built from ``entry`` that name the same place in another spelling, or a near one."""
    host = entry.instance_host("ab")
    return [
        entry.text(),
        entry.instance("Q1"),
        f"{entry.scheme.upper()}://{entry.authority(host.upper())}{entry.rest()}",
        f"{entry.scheme}://{entry.authority(host)}{entry.rest(None)}",
        f"{entry.scheme}://{entry.authority(host)}{entry.rest('z=1')}",
        f"{entry.scheme}://{entry.authority(host)}{entry.rest()}#frag",
        f"{entry.scheme}://{entry.authority(host)}{entry.path}/",
        f"{entry.scheme}://{entry.authority(host, None)}{entry.rest()}",
        f"{entry.scheme}://{entry.authority('x.' + host)}{entry.rest()}",
    ]


@st.composite
def situations(draw: st.DrawFn) -> tuple[list[Entry], list[str]]:
    """Allowed entries, and candidates: every variant of every entry and of its origin (the
    entry with no path or query, as web origins are written), and some arbitrary text."""
    allowed = draw(st.lists(entries(), min_size=1, max_size=3))
    candidates = [
        variant
        for entry in allowed
        for base in (entry, replace(entry, path="", query=None))
        for variant in hostile_variants(base) + friendly_variants(base)
    ]
    noise = st.text(max_size=30) | st.text(alphabet="hts:/\\@.%?#*aexmplco019 ", max_size=30)
    return allowed, candidates + draw(st.lists(noise, max_size=3))


def browser_place(url: str) -> tuple[str, str, int | None, str, str | None, str | None] | None:
    """Scheme, host, port, path, query and fragment as a browser would go to them, read
    independently of the module: authority up to the first ``/``, ``\\``, ``?`` or ``#``, the
    host after any ``@``. ``None`` for what has no such reading."""
    scheme, colon, rest = url.partition(":")
    if not colon or not rest.startswith("//"):
        return None
    rest = rest[2:]
    end = min((i for i, c in enumerate(rest) if c in "/\\?#"), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    host, _, port = authority.rpartition("@")[2].partition(":")
    rest, hash_sign, fragment = rest.partition("#")
    path, question_mark, query = rest.partition("?")
    return (
        scheme.lower(),
        host.lower(),
        int(port) if port.isdigit() else None,
        path,
        query if question_mark else None,
        fragment if hash_sign else None,
    )


def names_entry(url: str, entry: Entry, *, query: bool, fragment: bool) -> bool:
    """Whether ``url`` names exactly the place ``entry`` allows (with its query, when
    ``query``; with no fragment, when ``fragment`` is False): the oracle."""
    if any(c.isspace() or not c.isprintable() or not c.isascii() or c == "\\" for c in url):
        return False
    place = browser_place(url)
    if place is None or "@" in url.split("//", 1)[1].split("/", 1)[0]:
        return False
    scheme, host, port, url_path, url_query, url_fragment = place
    if (scheme, port, url_path) != (entry.scheme, entry.port, entry.path):
        return False
    if query and url_query != entry.query:
        return False
    if not fragment and url_fragment is not None:
        return False
    if entry.wildcard is None:
        return host == entry.host
    labels = host.split(".")
    prefix, suffix = entry.wildcard
    return (
        tuple(labels[1:]) == entry.labels[1:]
        and len(labels[0]) > len(prefix) + len(suffix)
        and labels[0].startswith(prefix)
        and labels[0].endswith(suffix)
        and all(c.isalnum() or c == "-" for c in labels[0])
    )


PROPERTY = settings(max_examples=60, derandomize=True, deadline=None)


@PROPERTY
@given(situations())
def test_an_accepted_callback_names_an_allowed_place(
    situation: tuple[list[Entry], list[str]],
) -> None:
    allowed, candidates = situation
    texts = [entry.text() for entry in allowed]
    accepted = [c for c in candidates if callback_allowed(c, texts)]
    assert accepted
    for candidate in accepted:
        assert any(names_entry(candidate, e, query=True, fragment=False) for e in allowed)


@PROPERTY
@given(situations(), st.booleans())
def test_an_accepted_logout_url_names_an_allowed_place(
    situation: tuple[list[Entry], list[str]], match_query: bool
) -> None:
    allowed, candidates = situation
    texts = [entry.text() for entry in allowed]
    accepted = [c for c in candidates if logout_url_allowed(c, texts, match_query=match_query)]
    assert accepted
    for candidate in accepted:
        assert any(
            names_entry(candidate, e, query=match_query, fragment=not match_query) for e in allowed
        )


def names_origin(origin: str, entry: Entry) -> bool:
    """Whether ``origin`` is exactly ``scheme://host[:port]`` of a place ``entry`` allows, a
    default port written or not: the oracle for origins."""
    scheme, sep, authority = origin.partition("://")
    if not sep or any(c in authority for c in "/?#"):
        return False
    host, colon, port = authority.partition(":")
    if colon and not port.isdigit():
        return False
    default = DEFAULT_PORTS.get(scheme.lower())
    number = int(port) if colon else None
    number = None if number == default else number
    entry = replace(entry, port=None if entry.port == default else entry.port, path="", query=None)
    url = f"{scheme}://{host}" + ("" if number is None else f":{number}")
    return names_entry(url, entry, query=True, fragment=False)


@PROPERTY
@given(situations())
def test_an_accepted_origin_is_an_allowed_origin(
    situation: tuple[list[Entry], list[str]],
) -> None:
    allowed, candidates = situation
    origins = [f"{e.scheme}://{e.authority()}" for e in allowed]
    accepted = [c for c in candidates if origin_allowed(c, origins)]
    assert accepted
    for candidate in accepted:
        assert any(names_origin(candidate, e) for e in allowed)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(entries())
def test_each_allowed_entry_is_reachable_and_its_hostile_variants_are_not(entry: Entry) -> None:
    allowed = [entry.text()]
    assert callback_allowed(entry.instance("q"), allowed)
    assert logout_url_allowed(entry.instance("q"), allowed, match_query=True)
    assert logout_url_allowed(entry.instance("q") + "#f", allowed, match_query=False)
    for hostile in hostile_variants(entry):
        assert not callback_allowed(hostile, allowed), hostile
        assert not logout_url_allowed(hostile, allowed, match_query=False), hostile
        assert not logout_url_allowed(hostile, allowed, match_query=True), hostile
    origin = f"{entry.scheme}://{entry.authority(entry.instance_host('q'))}"
    assert origin_allowed(origin, [f"{entry.scheme}://{entry.authority()}"])
    assert origin_of(entry.instance("q")) == origin_of(origin)
