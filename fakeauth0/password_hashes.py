"""Password hashes brought by a users import, checked as Auth0 checks them at login.

A users import may carry a user's old hash, as ``password_hash`` (bcrypt) or as
``custom_password_hash`` (``{algorithm, hash: {value, encoding, digest, key}, salt: {value,
encoding, position}, password: {encoding}, keylen, cost, blockSize, parallelization}``), so
users keep their passwords (https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples).
:func:`problems` says what Auth0 refuses at import, :func:`stored` keeps the accepted hash
with its parameters in one string (the form ``User.password_hash`` holds, so snapshots and
the state file carry it unchanged), and :func:`verify` checks a password against it.

The slow algorithms use their well-kept libraries (``bcrypt``, ``argon2-cffi``); the digest
family, PBKDF2 and scrypt use ``hashlib`` and ``hmac``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error, InvalidHashError

#: What a stored imported hash starts with (a native one starts with ``sha256$``).
PREFIX = "import$"
ALGORITHMS = (
    "argon2",
    "bcrypt",
    "hmac",
    "ldap",
    "md4",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "pbkdf2",
    "scrypt",
)
DIGESTS = ("md4", "md5", "sha1", "sha256", "sha512")
HMAC_DIGESTS = (
    "md4",
    "md5",
    "ripemd160",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "whirlpool",
)
ENCODINGS = ("base64", "hex", "utf8")
PASSWORD_ENCODINGS = ("ascii", "utf8", "utf16le", "ucs2", "latin1", "binary")
#: The ``hash.encoding`` each algorithm allows (the schema page's per-algorithm sections).
HASH_ENCODINGS = {
    "argon2": ("utf8",),
    "bcrypt": ("utf8",),
    "ldap": ("utf8",),
    "pbkdf2": ("utf8",),
    "hmac": ("hex", "base64"),
    "scrypt": ("hex", "base64"),
    **{name: ("hex", "base64") for name in DIGESTS},
}
#: Algorithms whose hash holds its own salt: a separate ``salt`` is refused.
SALT_REFUSED = ("argon2", "ldap", "pbkdf2")
BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
#: The ``pbkdf2-<digest>`` names Auth0 lists, mapped to hashlib's names.
PBKDF2_DIGESTS = {
    **{
        f"RSA-{d.upper()}": d
        for d in ("md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512")
    },
    "RSA-RIPEMD160": "ripemd160",
    "RSA-SHA1-2": "sha1",
    **{d: d for d in ("md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool")},
    **{
        f"{d}WithRSAEncryption": d
        for d in ("md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512")
    },
    "ripemd": "ripemd160",
    "ripemd160": "ripemd160",
    "ripemd160WithRSA": "ripemd160",
    "rmd160": "ripemd160",
    "ssl3-md5": "md5",
    "ssl3-sha1": "sha1",
}
PBKDF2_DEFAULT_ITERATIONS = 100_000
PBKDF2_DEFAULT_KEYLEN = 64
#: RFC 2307 schemes (OpenLDAP's ``{SCHEME}``): digest name and whether a salt follows it.
LDAP_SCHEMES = {
    "MD5": ("md5", False),
    "SMD5": ("md5", True),
    "SHA": ("sha1", False),
    "SSHA": ("sha1", True),
    **{f"SHA{n}": (f"sha{n}", False) for n in (256, 384, 512)},
    **{f"SSHA{n}": (f"sha{n}", True) for n in (256, 384, 512)},
}
_PHC_PBKDF2 = re.compile(
    r"^\$pbkdf2-([A-Za-z0-9-]+)\$(?:([a-z]=\d+(?:,[a-z]=\d+)*)\$)?([^$]*)\$([^$]+)$"
)
_LDAP = re.compile(r"^\{([A-Za-z0-9]+)\}(.+)$")
_ARGON2 = PasswordHasher()


def _digest_available(name: str) -> bool:
    """Whether this Python's ``hashlib`` computes ``name`` (OpenSSL 3 drops md4 and
    whirlpool unless its legacy provider is loaded)."""
    try:
        hashlib.new(name)
    except ValueError:
        return False
    return True


def from_import(record: dict[str, Any]) -> dict[str, Any] | None:
    """The hash an import record brings, as a ``custom_password_hash`` object: ``password_hash``
    is the bcrypt case of it. None when the record brings none."""
    if "custom_password_hash" in record:
        return record["custom_password_hash"]  # type: ignore[no-any-return]
    if "password_hash" in record:
        return {"algorithm": "bcrypt", "hash": {"value": record["password_hash"]}}
    return None


def problems(spec: Any) -> list[tuple[str, str]]:
    """What Auth0 refuses in a ``custom_password_hash``: ``(path, message)`` pairs, none when
    the hash can be imported."""
    if not isinstance(spec, dict):
        return [("custom_password_hash", "Expected type object")]
    algorithm = spec.get("algorithm")
    if algorithm not in ALGORITHMS:
        return [("custom_password_hash.algorithm", f"No enum match for: {json.dumps(algorithm)}")]
    found: list[tuple[str, str]] = []
    extra = sorted(
        set(spec)
        - {
            "algorithm",
            "hash",
            "salt",
            "password",
            "keylen",
            "cost",
            "blockSize",
            "parallelization",
        }
    )
    if extra:
        found.append(
            ("custom_password_hash", f"Additional properties not allowed: {','.join(extra)}")
        )
    digest_hash = spec.get("hash")
    if not isinstance(digest_hash, dict) or not isinstance(digest_hash.get("value"), str):
        return [*found, ("custom_password_hash.hash.value", "Missing required property: value")]
    encoding = digest_hash.get(
        "encoding", "utf8" if HASH_ENCODINGS[algorithm] == ("utf8",) else None
    )
    if encoding not in HASH_ENCODINGS[algorithm]:
        allowed = " or ".join(HASH_ENCODINGS[algorithm])
        found.append(
            (
                "custom_password_hash.hash.encoding",
                f"hash.encoding must be {allowed} for {algorithm}",
            )
        )
    salt = spec.get("salt")
    if salt is not None:
        if algorithm in SALT_REFUSED:
            found.append(("custom_password_hash.salt", f"salt is not allowed for {algorithm}"))
        elif not isinstance(salt, dict) or not isinstance(salt.get("value"), str):
            found.append(("custom_password_hash.salt.value", "Missing required property: value"))
        else:
            if salt.get("encoding", "utf8") not in ENCODINGS:
                found.append(
                    ("custom_password_hash.salt.encoding", "No enum match for salt.encoding")
                )
            if salt.get("position", "prefix") not in ("prefix", "suffix"):
                found.append(
                    ("custom_password_hash.salt.position", "No enum match for salt.position")
                )
    password = spec.get("password")
    if password is not None and (
        not isinstance(password, dict) or password.get("encoding", "utf8") not in PASSWORD_ENCODINGS
    ):
        found.append(
            ("custom_password_hash.password.encoding", "No enum match for password.encoding")
        )
    if found:
        return found
    value: str = digest_hash["value"]
    problem = _value_problem(algorithm, value, encoding, spec)
    return [] if problem is None else [("custom_password_hash.hash.value", problem)]


def _value_problem(algorithm: str, value: str, encoding: str, spec: dict[str, Any]) -> str | None:
    """Whether ``value`` is a hash ``algorithm`` can check, in the form the schema page asks."""
    if algorithm == "bcrypt":
        if not value.startswith(BCRYPT_PREFIXES):
            return "bcrypt hashes must start with $2a$, $2b$ or $2y$"
        return None
    if algorithm == "argon2":
        if not value.startswith(("$argon2i$", "$argon2d$", "$argon2id$")):
            return "argon2 hashes must be PHC strings"
        return None
    if algorithm == "pbkdf2":
        match = _PHC_PBKDF2.match(value)
        if match is None:
            return "pbkdf2 hashes must be PHC strings ($pbkdf2-<digest>$i=...,l=...$salt$hash)"
        digest = PBKDF2_DIGESTS.get(match.group(1))
        if digest is None:
            return f"unsupported pbkdf2 digest: {match.group(1)}"
        if not _digest_available(digest):
            return f"fakeauth0 cannot compute the {digest} digest in this Python"
        return None
    if algorithm == "ldap":
        match = _LDAP.match(value)
        if match is None or match.group(1).upper() not in LDAP_SCHEMES:
            return "ldap hashes must be RFC 2307 values with a md5, smd5, sha* or ssha* scheme"
        return None
    if _decoded(value, encoding) is None:
        return f"hash.value is not {encoding}"
    if algorithm == "hmac":
        digest_hash = spec["hash"]
        if digest_hash.get("digest") not in HMAC_DIGESTS:
            return "hash.digest is required for hmac"
        key = digest_hash.get("key")
        if not isinstance(key, dict) or not isinstance(key.get("value"), str):
            return "hash.key.value is required for hmac"
        if not _digest_available(digest_hash["digest"]):
            return f"fakeauth0 cannot compute the {digest_hash['digest']} digest in this Python"
        return None
    if algorithm == "scrypt":
        keylen, cost = spec.get("keylen"), spec.get("cost", 16384)
        if not isinstance(keylen, int) or keylen <= 0:
            return "keylen is required for scrypt"
        if not isinstance(cost, int) or cost < 2 or cost & (cost - 1):
            return "cost must be a power of two greater than one"
        return None
    if not _digest_available(algorithm):
        return f"fakeauth0 cannot compute the {algorithm} digest in this Python"
    return None


def stored(spec: dict[str, Any]) -> str:
    """The form ``User.password_hash`` keeps an imported hash in."""
    return PREFIX + json.dumps(spec, separators=(",", ":"), sort_keys=True)


def is_imported(stored_hash: str) -> bool:
    return stored_hash.startswith(PREFIX)


def verify(stored_hash: str, password: str) -> bool:
    """Whether ``password`` (what the user typed, as text) is the one the imported hash was
    made from. A hash that cannot be read never matches."""
    spec = json.loads(stored_hash[len(PREFIX) :])
    try:
        return _verify(spec, password)
    except (ValueError, TypeError, KeyError, binascii.Error):
        return False


def _verify(spec: dict[str, Any], password: str) -> bool:
    algorithm = spec["algorithm"]
    digest_hash = spec["hash"]
    value: str = digest_hash["value"]
    secret = _password_bytes(password, (spec.get("password") or {}).get("encoding", "utf8"))
    if algorithm == "argon2":
        try:
            return _ARGON2.verify(value, secret)
        except (Argon2Error, InvalidHashError):
            return False
    if algorithm == "ldap":
        return _verify_ldap(value, secret)
    if algorithm == "pbkdf2":
        return _verify_pbkdf2(value, secret)
    salt = spec.get("salt")
    salt_bytes = b"" if salt is None else _decoded(salt["value"], salt.get("encoding", "utf8"))
    if algorithm == "scrypt":
        cost, block = spec.get("cost", 16384), spec.get("blockSize", 8)
        derived = hashlib.scrypt(
            secret,
            salt=salt_bytes or b"",
            n=cost,
            r=block,
            p=spec.get("parallelization", 1),
            dklen=spec["keylen"],
            maxmem=256 * cost * block + 1024 * 1024,
        )
        return hmac.compare_digest(derived, _decoded(value, digest_hash["encoding"]) or b"")
    if salt is not None and salt_bytes is not None:
        secret = (
            salt_bytes + secret
            if salt.get("position", "prefix") == "prefix"
            else secret + salt_bytes
        )
    if algorithm == "bcrypt":
        # bcrypt reads at most 72 bytes (the salt counts toward them); the library refuses
        # longer input rather than cutting it, so it is cut here as Auth0's bcrypt does.
        return bcrypt.checkpw(secret[:72], value.encode("utf-8"))
    expected = _decoded(value, digest_hash["encoding"])
    if expected is None:
        return False
    if algorithm == "hmac":
        key = digest_hash["key"]
        key_bytes = _decoded(key["value"], key.get("encoding", "utf8")) or b""
        candidate = hmac.new(key_bytes, secret, digest_hash["digest"]).digest()
    else:
        candidate = hashlib.new(algorithm, secret).digest()
    return hmac.compare_digest(candidate, expected)


def _verify_pbkdf2(value: str, secret: bytes) -> bool:
    match = _PHC_PBKDF2.match(value)
    if match is None:
        return False
    params = dict(part.split("=") for part in (match.group(2) or "").split(",") if part)
    iterations = int(params.get("i", PBKDF2_DEFAULT_ITERATIONS))
    keylen = int(params.get("l", PBKDF2_DEFAULT_KEYLEN))
    salt, expected = _b64(match.group(3)), _b64(match.group(4))
    derived = hashlib.pbkdf2_hmac(PBKDF2_DIGESTS[match.group(1)], secret, salt, iterations, keylen)
    return hmac.compare_digest(derived, expected)


def _verify_ldap(value: str, secret: bytes) -> bool:
    match = _LDAP.match(value)
    if match is None:
        return False
    digest, salted = LDAP_SCHEMES[match.group(1).upper()]
    raw = _b64(match.group(2))
    size = hashlib.new(digest).digest_size
    expected, salt = (raw[:size], raw[size:]) if salted else (raw, b"")
    return hmac.compare_digest(hashlib.new(digest, secret + salt).digest(), expected)


def _password_bytes(password: str, encoding: str) -> bytes:
    """The typed password in the encoding the old hash was made from. Node's ``latin1``,
    ``binary`` and ``ascii`` keep each character's low byte (Auth0 transcodes as Node does)."""
    if encoding in ("utf16le", "ucs2"):
        return password.encode("utf-16-le", "surrogatepass")
    if encoding in ("latin1", "binary", "ascii"):
        return bytes(ord(c) & 0xFF for c in password)
    return password.encode("utf-8", "surrogatepass")


def _decoded(value: str, encoding: str | None) -> bytes | None:
    """``value`` decoded from ``encoding`` (hex in either case; base64 standard or URL-safe,
    padded or not), or None when it is not in that encoding."""
    try:
        if encoding == "hex":
            return bytes.fromhex(value)
        if encoding == "base64":
            return _b64(value)
    except (ValueError, binascii.Error):
        return None
    return value.encode("utf-8")


def _b64(text: str) -> bytes:
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
