"""What the tenant would have sent: every e-mail and SMS, kept instead of delivered.

A message is a plain dict, so any part of the fake (or a test) records one with
``tenant.outbox.append({...})``: ``template`` (Auth0's template name: ``verify_email``,
``reset_email``, ``welcome_email``, ``blocked_account``, ``organization_invitation``, ...;
the fake's own ``passwordless_email`` and ``passwordless_sms``), ``recipient`` (an e-mail
address or a phone number), ``user_id``, ``client_id``, ``connection``, ``time`` (the tenant
clock, ISO) and, when the message carries one, ``link`` (a ticket URL) or ``code``; ``from``
and ``subject`` when the tenant's template for it is configured (``fakeauth0.email_templates``,
which also decides whether it is sent).
``channel`` is ``"sms"`` for a text message; a message without one is an e-mail.

Tests read it to follow the link a user would click; nothing here is ever logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any, SupportsIndex

Message = dict[str, Any]

#: Template names of the messages the fake itself records (the spec's
#: ``EmailTemplateNameEnum``).
VERIFY_EMAIL = "verify_email"
RESET_EMAIL = "reset_email"
WELCOME_EMAIL = "welcome_email"


def _to(message: Message) -> str:
    recipient = message.get("recipient")
    return recipient.lower() if isinstance(recipient, str) else ""


def matches(message: Message, to: str | None = None, template: str | None = None) -> bool:
    """Whether ``message`` went to ``to`` (e-mail addresses compare case-insensitively) and
    used ``template``; None matches any."""
    if to is not None and _to(message) != to.lower():
        return False
    return template is None or message.get("template") == template


class Outbox(list[Message]):
    """The messages, oldest first: a list (``append``, ``clear``, indexing, ``len``) with
    look-ups. Appending wakes :meth:`wait_for`, so a sender on another thread is awaited
    without polling the tenant."""

    def __init__(self, messages: Iterable[Message] = ()) -> None:
        super().__init__(messages)
        self._arrived = threading.Condition()

    def append(self, message: Message) -> None:
        with self._arrived:
            super().append(message)
            self._arrived.notify_all()

    def extend(self, messages: Iterable[Message]) -> None:
        with self._arrived:
            super().extend(messages)
            self._arrived.notify_all()

    def insert(self, index: SupportsIndex, message: Message) -> None:
        with self._arrived:
            super().insert(index, message)
            self._arrived.notify_all()

    def matching(self, to: str | None = None, template: str | None = None) -> list[Message]:
        """The messages to ``to`` with ``template`` (None: any), oldest first."""
        return [m for m in list(self) if matches(m, to, template)]

    def latest(self, to: str | None = None, template: str | None = None) -> Message | None:
        """The newest message to ``to`` with ``template``, or None."""
        for message in reversed(list(self)):
            if matches(message, to, template):
                return message
        return None

    def wait_for(
        self, to: str | None = None, template: str | None = None, timeout: float = 5.0
    ) -> Message:
        """The newest message to ``to`` with ``template``, waiting up to ``timeout`` seconds
        (wall time: a sender on another thread runs in real time, not on the tenant's clock)
        for one to arrive; raises :class:`TimeoutError` when none does."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = self.latest(to, template)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    wanted = ", ".join(
                        f"{k}={v!r}" for k, v in (("to", to), ("template", template)) if v
                    )
                    raise TimeoutError(f"no message ({wanted or 'any'}) within {timeout} s")
                self._arrived.wait(remaining)
