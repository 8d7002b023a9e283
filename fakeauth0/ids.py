"""A seedable source of the identifiers Auth0 hands out (user ids, client ids, secrets, kids)."""

from __future__ import annotations

import random
import secrets
import string

_ALNUM = string.ascii_letters + string.digits


class IdSource:
    """Random identifiers; reproducible when given a seed, cryptographically random otherwise.

    Client secrets always come from :mod:`secrets`, even when seeded, so a seed never makes a
    secret guessable; tests that need a fixed secret set it explicitly.
    """

    def __init__(self, seed: int | str | None = None) -> None:
        self._random: random.Random = random.SystemRandom() if seed is None else random.Random(seed)

    def hex(self, length: int) -> str:
        return f"{self._random.getrandbits(4 * length):0{length}x}"

    def alnum(self, length: int) -> str:
        return "".join(self._random.choice(_ALNUM) for _ in range(length))

    def digits(self, length: int) -> str:
        return str(self._random.randint(1, 9)) + "".join(
            self._random.choice(string.digits) for _ in range(length - 1)
        )

    def object_id(self) -> str:
        """A 24-hex id, like the ObjectIds Auth0 uses in ``auth0|...``, ``email|...``."""
        return self.hex(24)

    def connection_id(self) -> str:
        return "con_" + self.alnum(16)

    def client_id(self) -> str:
        return self.alnum(32)

    @staticmethod
    def client_secret() -> str:
        return secrets.token_urlsafe(48)
