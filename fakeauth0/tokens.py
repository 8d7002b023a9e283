"""Signing keys, JWKS, and issuing and verifying the tenant's RS256 JWTs
(docs/auth0-behaviour.md#management-api-tokens; Auth0:
https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .clock import Clock
from .errors import Auth0Error, Msg

ALGORITHM = "RS256"
ACCESS_TOKEN_LIFETIME = 86400
ID_TOKEN_LIFETIME = 36000
#: A token verified once is remembered (until it expires) so each request does not re-run RSA.
_VERIFIED_CACHE_SIZE = 1024
#: PyJWT checks the signature only; time claims are checked against the tenant's clock.
_SIGNATURE_ONLY = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


class TokenRejected(Exception):
    """Why a JWT failed before its claims were read: ``malformed``, ``algorithm``, ``key`` (not
    this tenant's kid) or ``signature``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JOSE writes every part of a token (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64_int(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class KeyPool:
    """RSA keys made ahead of need in a background thread, and taken back from dead tenants.

    Generating a 2048-bit key costs tens of milliseconds, far more than the rest of a tenant;
    the pool keeps a few ready so a fresh tenant per test stays cheap. A key is handed to one
    :class:`SigningKey` at a time and comes back only when that SigningKey is garbage-collected,
    so two live tenants never share a key; a recycled key gets the new owner's own ``kid``, and
    tokens carry their kid in the signed header, so an old owner's tokens fail on the new one.
    """

    def __init__(self, size: int = 4, max_spare: int = 64) -> None:
        self.size = size
        self.max_spare = max_spare
        self._keys: list[rsa.RSAPrivateKey] = []
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._filling = False

    def __len__(self) -> int:
        return len(self._keys)

    def warm(self) -> None:
        """Start filling the pool in a daemon thread (returns at once; idempotent)."""
        with self._lock:
            if self._filling or len(self._keys) >= self.size:
                return
            self._filling = True
        threading.Thread(target=self._fill, name="fakeauth0-keys", daemon=True).start()

    def _fill(self) -> None:
        try:
            while True:
                with self._lock:
                    if len(self._keys) >= self.size:
                        return
                key = _new_key()  # cryptography releases the GIL while it generates
                with self._lock:
                    self._keys.append(key)
                    self._ready.notify()
        finally:
            with self._lock:
                self._filling = False
                self._ready.notify_all()

    def take(self) -> rsa.RSAPrivateKey:
        """A key no live SigningKey holds: from the pool, else made now.

        When the filler is already making one, wait for it rather than make a second key at
        the same time (two RSA generations on a busy machine are slower than one).
        """
        with self._lock:
            if not self._keys and self._filling:
                self._ready.wait_for(lambda: bool(self._keys) or not self._filling, timeout=10)
            key = self._keys.pop() if self._keys else None
        if key is None:
            key = _new_key()
        self.warm()
        return key

    def give_back(self, key: rsa.RSAPrivateKey) -> None:
        with self._lock:
            if len(self._keys) < self.max_spare:
                self._keys.append(key)


def _new_key() -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # The first signature with a key sets up its Montgomery contexts (~0.5 ms): pay it here.
    key.sign(b"warm-up", padding.PKCS1v15(), hashes.SHA256())
    return key


#: The process's pool. It holds only unused keys, never tenant state.
KEY_POOL = KeyPool()


class SigningKey:
    """One tenant's RSA key pair with its ``kid``; the key is taken on first use from a pool.

    The key goes back to ``pool`` when this SigningKey is garbage-collected (its tenant gone).
    """

    def __init__(self, kid: str, domain: str, pool: KeyPool | None = None) -> None:
        self.kid = kid
        self._domain = domain
        self._pool = KEY_POOL if pool is None else pool
        self._pool.warm()

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        key = self._pool.take()
        weakref.finalize(self, self._pool.give_back, key)
        return key

    @cached_property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @cached_property
    def certificate(self) -> x509.Certificate:
        """A self-signed certificate, as Auth0 publishes in ``x5c`` for each key."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self._domain)])
        now = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.public_key)
            .serial_number(int(hashlib.sha1(self.kid.encode()).hexdigest()[:16], 16))
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365 * 30))
            .sign(self.private_key, hashes.SHA256())
        )

    def jwk(self) -> dict[str, Any]:
        numbers = self.public_key.public_numbers()
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": ALGORITHM,
            "kid": self.kid,
            "n": _b64_int(numbers.n),
            "e": _b64_int(numbers.e),
            "x5t": b64url(hashlib.sha1(der).digest()),
            "x5c": [base64.b64encode(der).decode("ascii")],
        }

    def sign(self, claims: dict[str, Any], typ: str = "JWT") -> str:
        return jwt.encode(
            claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid, "typ": typ}
        )


@dataclass(frozen=True)
class Principal:
    """Who calls the Management API: the verified token's subject, client and scopes."""

    sub: str
    azp: str | None
    scopes: frozenset[str]
    claims: dict[str, Any] = field(compare=False, repr=False)

    @property
    def is_client(self) -> bool:
        """True for machine-to-machine tokens (``sub`` is ``<client_id>@clients``)."""
        return self.claims.get("gty") == "client-credentials"

    def has_any(self, scopes: Iterable[str]) -> bool:
        return not self.scopes.isdisjoint(scopes)


class TokenAuthority:
    """Issues and verifies one tenant's tokens against its keys, issuer and clock."""

    def __init__(self, domain: str, key: SigningKey, clock: Clock) -> None:
        self.issuer = f"https://{domain}/"
        self.management_audience = f"https://{domain}/api/v2/"
        self.key = key
        self.clock = clock
        self._verified: dict[str, dict[str, Any]] = {}
        self._principals: dict[str, Principal] = {}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.jwk()]}

    def issue_access_token(
        self,
        client_id: str,
        audience: str,
        scopes: Iterable[str],
        lifetime: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """A client's own access token; ``extra``: claims besides (``org_id``, ``org_name``)."""
        now = int(self.clock.time())
        return self.key.sign(
            {
                **(extra or {}),
                "iss": self.issuer,
                "sub": f"{client_id}@clients",
                "aud": audience,
                "iat": now,
                "exp": now + (lifetime or ACCESS_TOKEN_LIFETIME),
                "scope": " ".join(scopes),
                "gty": "client-credentials",
                "azp": client_id,
            }
        )

    def issue_id_token(
        self, user_id: str, client_id: str, profile: dict[str, Any], lifetime: int | None = None
    ) -> str:
        now = int(self.clock.time())
        return self.key.sign(
            {
                **profile,
                "iss": self.issuer,
                "sub": user_id,
                "aud": client_id,
                "iat": now,
                "exp": now + (lifetime or ID_TOKEN_LIFETIME),
            }
        )

    def issue_user_access_token(
        self, user_id: str, client_id: str, scopes: Iterable[str], lifetime: int | None = None
    ) -> str:
        """A Management API token issued to a logged-in user (``sub`` = user id), as an app
        gets for ``update:current_user_identities`` and the other ``*:current_user*`` scopes."""
        now = int(self.clock.time())
        return self.key.sign(
            {
                "iss": self.issuer,
                "sub": user_id,
                "aud": [self.management_audience, f"{self.issuer}userinfo"],
                "iat": now,
                "exp": now + (lifetime or ACCESS_TOKEN_LIFETIME),
                "scope": " ".join(scopes),
                "azp": client_id,
            }
        )

    def issue_user_token(
        self,
        user_id: str,
        client_id: str,
        audience: str | list[str],
        scopes: Iterable[str],
        lifetime: int,
        *,
        gty: str | None = None,
        dialect: str = "access_token",
        permissions: Iterable[str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """An access token a user's login gets for an API, in the API's token dialect
        (https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles): Auth0's
        ``access_token`` profile names the client in ``azp`` and carries ``gty`` for the grants
        that set it; ``rfc9068_profile`` is typed ``at+jwt``, names the client in
        ``client_id`` and adds a ``jti``; the ``_authz`` dialects add ``permissions``;
        ``extra`` claims such as ``org_id``."""
        now = int(self.clock.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user_id,
            "aud": audience,
            "iat": now,
            "exp": now + lifetime,
            "scope": " ".join(scopes),
        }
        rfc9068 = dialect.startswith("rfc9068_profile")
        if rfc9068:
            claims["client_id"] = client_id
            claims["jti"] = secrets.token_hex(16)
        else:
            claims["azp"] = client_id
            if gty is not None:
                claims["gty"] = gty
        if dialect.endswith("_authz") and permissions is not None:
            claims["permissions"] = list(permissions)
        if extra:
            claims.update(extra)
        return self.key.sign(claims, typ="at+jwt" if rfc9068 else "JWT")

    def verify(self, token: str, audience: str | None = None) -> dict[str, Any]:
        """Verify signature, expiry, issuer and audience; raise Auth0's 400/401 otherwise."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify_signature(token)
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        now = self.clock.time()
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise Auth0Error.unauthorized(Msg.INVALID_TOKEN)
        if now >= exp:
            raise Auth0Error.unauthorized(Msg.EXPIRED_TOKEN)
        nbf = claims.get("nbf", claims.get("iat"))
        if isinstance(nbf, (int, float)) and nbf > now + 60:  # tolerate a minute of skew
            raise Auth0Error.unauthorized(Msg.NOT_YET_VALID_TOKEN)
        if claims.get("iss") != self.issuer:
            raise Auth0Error.unauthorized(Msg.INVALID_TOKEN)
        audience = audience or self.management_audience
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if audience not in audiences:
            # An access token for another API names that API ("Bad audience: ..."); an ID token,
            # whose audience is a client id, is just "Invalid token"
            # (docs/auth0-behaviour.md#management-api-tokens).
            if not any(isinstance(a, str) and "://" in a for a in audiences):
                raise Auth0Error.unauthorized(Msg.INVALID_TOKEN)
            shown = " ".join(str(a) for a in audiences)
            raise Auth0Error.unauthorized(Msg.BAD_AUDIENCE.format(aud=shown))
        return claims

    def _verify_signature(self, token: str) -> dict[str, Any]:
        if token.count(".") != 2 or not all(token.split(".")):
            raise Auth0Error(400, Msg.BAD_AUTH_HEADER, "Bearer")
        try:
            return self.signed_claims(token)
        except TokenRejected as rejected:
            message = Msg.BAD_SIGNATURE if rejected.reason == "signature" else Msg.INVALID_TOKEN
            raise Auth0Error.unauthorized(message) from None

    def signed_claims(self, token: str) -> dict[str, Any]:
        """The claims of a JWT signed RS256 by this tenant's key, or :class:`TokenRejected`.

        Only RS256 with this tenant's key: never "none", never HS256 keyed with the public key.
        Time, issuer and audience are the caller's to check, against the tenant's clock, and
        each caller words a rejection as its own endpoint does.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("malformed") from None
        if header.get("alg") != ALGORITHM:
            raise TokenRejected("algorithm")
        if header.get("kid") != self.key.kid:
            raise TokenRejected("key")
        try:
            claims = jwt.decode(
                token, self.key.public_key, algorithms=[ALGORITHM], options=_SIGNATURE_ONLY
            )
        except jwt.InvalidSignatureError:
            raise TokenRejected("signature") from None
        except jwt.PyJWTError:
            raise TokenRejected("malformed") from None
        if not isinstance(claims, dict):
            raise TokenRejected("malformed")
        return claims

    def principal(self, token: str) -> Principal:
        claims = self.verify(token)  # expiry, issuer and audience are checked on every call
        found = self._principals.get(token)
        if found is not None and found.claims is claims:
            return found  # a management token carries ~100 scopes: split them once per token
        scope = claims.get("scope", "")
        scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        found = Principal(
            sub=str(claims.get("sub", "")),
            azp=claims.get("azp") or claims.get("client_id"),
            scopes=scopes,
            claims=claims,
        )
        if len(self._principals) >= _VERIFIED_CACHE_SIZE:
            self._principals.clear()
        self._principals[token] = found
        return found
