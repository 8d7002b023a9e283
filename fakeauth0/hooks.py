"""Ready-made post-login hooks, in the shape of Auth0's Rules and post-login Actions.

A hook is ``hook(event, api)``; register it with ``tenant.add_hook(hook)``. See
:mod:`fakeauth0.logins` for what ``event`` holds and what ``api`` can do.
"""

from __future__ import annotations

from .logins import LoginApi, LoginEvent

AMBIGUOUS_EMAIL = (
    "Several other accounts share this verified e-mail; the hook cannot tell which to link into."
)


def link_accounts_with_same_verified_email(event: LoginEvent, api: LoginApi) -> None:
    """Auth0's classic rule "Link Accounts with Same Email Address while Merging Metadata",
    without the merge: the account logging in becomes a secondary of the one other user whose
    verified e-mail is the same, and that user becomes the login's subject.

    As in the rule, both e-mails must be verified (linking on an unverified address lets anyone
    take over an account), the look-up is ``users-by-email`` and so exact and case-sensitive
    (docs/auth0-behaviour.md#users-by-email), and more than one candidate fails the login rather
    than guess.
    """
    user = event.user
    email = user.profile.get("email")
    if not email or user.profile.get("email_verified") is not True:
        return
    candidates = [
        other
        for other in api.tenant.users_by_email(email)
        if other.user_id != user.user_id and other.profile.get("email_verified") is True
    ]
    if not candidates:
        return
    if len(candidates) > 1:
        api.deny(AMBIGUOUS_EMAIL)
    primary = candidates[0]
    api.tenant.link(primary.user_id, user.primary.provider, user.primary.user_id)
    api.set_primary_user(primary.user_id)
