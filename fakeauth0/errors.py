"""Auth0's errors as data.

The domain raises :class:`Auth0Error` (Management API) or :class:`OAuthError` (Authentication
API); only ``fakeauth0.http`` turns them into responses. Every message we emit lives in
:class:`Msg` or :class:`OAuthMsg`, so the wording Auth0 documents is kept in one place
(see ``../shared/auth0/behaviour.md`` §4 and the ``x-description-N`` entries of the spec).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class Msg:
    """Management API messages, verbatim from Auth0 (behaviour.md §3, §4, §7; the spec)."""

    USER_NOT_FOUND = "The user does not exist."
    USER_EXISTS = "The user already exists."
    CONNECTION_NOT_FOUND = "The connection does not exist."
    CONNECTION_NO_CREATE = (
        "Connection does not support user creation through the API. "
        "It must either be a database or passwordless connection."
    )
    CONNECTION_NOT_SUPPORTED = "Connection is not supported for this operation."
    USERNAME_NOT_ALLOWED = "Cannot set username for connection without requires_username."
    PASSWORD_WEAK = "PasswordStrengthError: Password is too weak"
    PASSWORD_NOT_ALLOWED = "Password is only valid for auth0 connection strategy."
    EMAIL_REQUIRED = "Payload validation error: 'Missing required property: email'."
    PHONE_REQUIRED = "Payload validation error: 'Missing required property: phone_number'."
    USERNAME_REQUIRED = "Payload validation error: 'Missing required property: username'."
    PASSWORD_REQUIRED = "Payload validation error: 'Missing required property: password'."
    USERNAME_INVALID = (
        "Payload validation error: 'String does not match pattern' on property username."
    )
    EMAIL_NON_DB = "Cannot update email for non-database user."
    SYNCED_ATTRIBUTES = (
        "The following user attributes cannot be updated: family_name, given_name, name, "
        "nickname, picture. The connection must either be a database connection (using the "
        "Auth0 store), a passwordless connection (email or sms) or has disabled 'Sync user "
        "profile attributes at each login'."
    )
    EMAIL_VERIFICATION_ENTERPRISE = "Email verification is not supported for enterprise users."
    METADATA_KEY_INVALID = (
        'Payload validation error: \'Metadata keys must not contain "." or "$"\' '
        "on property {prop}."
    )
    APP_METADATA_RESERVED = (
        "Payload validation error: 'Reserved key {key} is not allowed' on property app_metadata."
    )
    CANNOT_UPDATE_TOGETHER = "Cannot update {a} and {b} simultaneously."
    # Tokens (behaviour.md §7).
    MISSING_AUTH = "Missing authentication"
    BAD_AUTH_HEADER = "Bad HTTP authentication header format"
    INVALID_TOKEN = "Invalid token"
    EXPIRED_TOKEN = "Expired token received for JSON Web Token validation"
    NOT_YET_VALID_TOKEN = "Token not yet valid received for JSON Web Token validation"
    BAD_SIGNATURE = "Invalid signature received for JSON Web Token validation"
    BAD_AUDIENCE = "Bad audience: {aud}"
    INSUFFICIENT_SCOPE = "Insufficient scope, expected any of: {scopes}"
    SUBJECT_MISMATCH = "User to be acted on does not match subject in bearer token."
    # Paging and queries (behaviour.md §5.2).
    PAGING_LIMIT = (
        "You can only page through the first 1000 records. See "
        "https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation"
    )
    SEARCH_NOT_IMPLEMENTED = (
        "fakeauth0 does not implement user search (the 'q' parameter) yet; "
        "it refuses rather than return an unfiltered list."
    )
    # Requests the fake cannot parse or route.
    NOT_FOUND_ROUTE = "Not Found"
    METHOD_NOT_ALLOWED = "Method Not Allowed"
    BAD_JSON = "Invalid request payload JSON format"
    PAYLOAD_TOO_LARGE = "Payload content length greater than maximum allowed: 1048576"
    UNSUPPORTED_MEDIA = "Unsupported Media Type"
    NOT_IMPLEMENTED_OPERATION = "fakeauth0 does not implement {operation} ({method} {path}) yet."


class Auth0Error(Exception):
    """A Management API error: Auth0's envelope ``{statusCode, error, message, errorCode}``.

    ``error`` is always the reason phrase of the status (Hapi/Boom style). Some 401s carry
    ``attributes`` and no ``errorCode`` (behaviour.md §4, §7), hence both are optional.
    """

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        *,
        attributes: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.attributes = attributes
        self.headers = headers or {}

    @property
    def error(self) -> str:
        return HTTPStatus(self.status).phrase

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "statusCode": self.status,
            "error": self.error,
            "message": self.message,
        }
        if self.error_code is not None:
            body["errorCode"] = self.error_code
        if self.attributes is not None:
            body["attributes"] = self.attributes
        return body

    def __repr__(self) -> str:
        return f"Auth0Error({self.status}, {self.message!r}, {self.error_code!r})"

    # Constructors for the shapes that recur, so call sites name the case, not the numbers.
    @classmethod
    def bad_request(cls, message: str, error_code: str | None = None) -> Auth0Error:
        return cls(400, message, error_code)

    @classmethod
    def invalid_body(cls, message: str) -> Auth0Error:
        return cls(400, message, "invalid_body")

    @classmethod
    def invalid_query(cls, message: str) -> Auth0Error:
        return cls(400, message, "invalid_query_string")

    @classmethod
    def user_not_found(cls) -> Auth0Error:
        return cls(404, Msg.USER_NOT_FOUND, "inexistent_user")

    @classmethod
    def unauthorized(cls, message: str) -> Auth0Error:
        """401 for a token that fails verification: no errorCode, message echoed in attributes."""
        return cls(401, message, attributes={"error": message})


class OAuthMsg:
    """Authentication API (``/oauth/token``) descriptions (behaviour.md §4)."""

    UNAUTHORIZED = "Unauthorized"
    SERVICE_NOT_ENABLED = "Service not enabled within domain: {audience}"
    NOT_AUTHORIZED_FOR_API = (
        'Client "{client_id}" is not authorized to access resource server "{audience}". '
        'You need to create a "client-grant" associated to this API. '
        "See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
    )
    SCOPES_NOT_GRANTED = "Client has not been granted scopes: {scopes}"
    GRANT_NOT_ALLOWED = "Grant type '{grant_type}' not allowed for the client."
    UNSUPPORTED_GRANT = "Unsupported grant type: {grant_type}"
    MISSING_PARAMETER = "Missing required parameter: {name}"
    BAD_BODY = "Invalid request body. Use application/json or application/x-www-form-urlencoded."


class OAuthError(Exception):
    """An Authentication API error in the OAuth shape ``{error, error_description}``."""

    def __init__(
        self, status: int, error: str, description: str, error_uri: str | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.error_uri = error_uri

    def body(self) -> dict[str, Any]:
        body = {"error": self.error, "error_description": self.description}
        if self.error_uri is not None:
            body["error_uri"] = self.error_uri
        return body
