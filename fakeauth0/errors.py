"""Auth0's errors as data.

The domain raises :class:`Auth0Error` (Management API) or :class:`OAuthError` (Authentication
API); only ``fakeauth0.http`` turns them into responses. Every message we emit lives in
:class:`Msg` or :class:`OAuthMsg`, so the wording Auth0 documents is kept in one place
(see docs/auth0-behaviour.md#error-bodies and the ``x-description-N`` entries of the spec).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class Msg:
    """Management API messages, verbatim from Auth0 (docs/auth0-behaviour.md#users,
    docs/auth0-behaviour.md#error-bodies, docs/auth0-behaviour.md#management-api-tokens; the
    spec)."""

    USER_NOT_FOUND = "The user does not exist."
    USER_EXISTS = "The user already exists."
    NEW_VALUE_EXISTS = "The specified new {attribute} already exists"
    CONNECTION_NOT_FOUND = "The connection does not exist."
    CONNECTION_REQUIRED = "Payload validation error: 'Missing required property: connection'."
    CONNECTION_NO_CREATE = (
        "Connection does not support user creation through the API. "
        "It must either be a database or passwordless connection."
    )
    CONNECTION_NOT_SUPPORTED = "Connection is not supported for this operation."
    # The connections family (the spec's post/get/patch/delete_connections 4xx descriptions;
    # the 404 body as recorded: go-auth0 test/data/recordings/TestConnectionManager_Delete.yaml).
    CONNECTION_ID_NOT_FOUND = "The connection does not exist"
    CONNECTION_EXISTS = "A connection with the same name already exists"
    CONNECTION_NAME_PATTERN = (
        "Payload validation error: 'String does not match pattern "
        "^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$: {name}' on property name (The name of the "
        "connection. Must start and end with an alphanumeric character and can only contain "
        "alphanumeric characters and '-'. Max length 128)."
    )
    CONNECTION_NOT_DATABASE = "Connection must be a database connection"
    CONNECTION_CLIENT_NOT_FOUND = "The client does not exist"
    CONNECTION_BAD_FROM = "Invalid from parameter: {value}"
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
    SECONDARY_SYNCED_ATTRIBUTES = (
        "The following user attributes cannot be updated: family_name, given_name, name, "
        "nickname, picture. The specified connection belongs to a secondary identity."
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
    NOT_UPDATABLE = (  # auth0-java #58: PATCH /users/{id} with read-only or unknown attributes
        "Payload validation error: 'Additional properties not allowed: {names} (consider storing "
        'them in app_metadata or user_metadata. See "Users Metadata" in '
        "https://auth0.com/docs/api/v2/changes for more details)'."
    )
    # Tokens (docs/auth0-behaviour.md#management-api-tokens).
    MISSING_AUTH = "Missing authentication"
    BAD_AUTH_HEADER = "Bad HTTP authentication header format"
    INVALID_TOKEN = "Invalid token"
    EXPIRED_TOKEN = "Expired token received for JSON Web Token validation"
    NOT_YET_VALID_TOKEN = "Token not yet valid received for JSON Web Token validation"
    BAD_SIGNATURE = "Invalid signature received for JSON Web Token validation"
    BAD_AUDIENCE = "Bad audience: {aud}"
    INSUFFICIENT_SCOPE = "Insufficient scope, expected any of: {scopes}"
    SUBJECT_MISMATCH = "User to be acted on does not match subject in bearer token."
    # The spec's PATCH 403 x-description-1 says the wording varies; ours names the fields.
    FIELDS_NOT_PERMITTED = (
        "Some fields cannot be updated with the permissions granted by the bearer token "
        "scopes: {fields}"
    )
    # Paging and queries (docs/auth0-behaviour.md#paging-totals-and-consistency).
    PAGING_LIMIT = (
        "You can only page through the first 1000 records. See "
        "https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation"
    )
    # User search v3 (docs/auth0-behaviour.md#query-syntax). Auth0 documents no wording for refused
    # queries (UNCONFIRMED, see CHOICES.md): these say what is wrong. 501s name what we do not
    # model.
    SEARCH_SYNTAX = "Invalid query string: {detail}."
    SEARCH_WILDCARD_SHORT = (
        "Invalid query string: a wildcard at the start of a term needs at least 3 other "
        "characters ({field}:{term})."
    )
    SEARCH_WILDCARD_QUESTION = (
        "Invalid query string: the '?' wildcard is not supported, use '*' ({term})."
    )
    SEARCH_WILDCARD_METADATA = (
        "Invalid query string: wildcards cannot be used on metadata fields ({field}:{term})."
    )
    SEARCH_WILDCARD_KIND = (
        "Invalid query string: wildcards can only be used on text fields ({field}:{term})."
    )
    SEARCH_RANGE_METADATA = (
        "Invalid query string: ranges cannot be used on metadata fields ({field})."
    )
    SEARCH_RANGE_KIND = "Invalid query string: ranges cannot be used on boolean fields ({field})."
    SEARCH_RANGE_NO_FIELD = "Invalid query string: a range needs a field ({range})."
    SEARCH_BAD_VALUE = "Invalid query string: '{value}' is not a valid {kind} for {field}."
    SEARCH_V2_COMPARISON = (
        "Invalid query string: comparisons such as {query} are search_engine=v2 syntax; "
        "use a range such as logins_count:{{100 TO *]."
    )
    SEARCH_RAW_V3 = (
        "Invalid query string: {field} is a search_engine=v2 field; v3 fields are not "
        'tokenized, use {base}:"..." instead.'
    )
    SEARCH_NESTED_FIELD = (
        "Invalid query string: field {field} cannot be nested inside {outer}:(...)."
    )
    SEARCH_EXISTS_FIELD = "Invalid query string: _exists_ takes one field name ({expr})."
    SEARCH_TOO_DEEP = "Invalid query string: groups and operators nest deeper than {depth} levels."
    SEARCH_TOO_MANY_TERMS = "Invalid query string: more than {limit} terms."
    SEARCH_FIELD_NOT_SEARCHABLE = "Invalid query string: {field} cannot be searched; {hint}."
    LOG_NOT_FOUND = "Log not found."
    #: Auth0's words for a field the log search does not know
    #: (https://github.com/auth0/auth0-mcp-server/pull/197).
    LOG_FIELD = 'The search query string has an error: unknown field "{field}"'
    LOG_CONSTRUCT = "Invalid query string: {construct} is not supported in log searches."
    SEARCH_BAD_SORT = (
        "Query validation error: 'Invalid sort parameter: {sort}' on property sort "
        "(Field to sort by)."
    )
    SEARCH_UNKNOWN_FIELD = (
        "fakeauth0 does not search the field {field}; it searches the fields of Auth0's "
        "user search docs, app_metadata.* and user_metadata.*."
    )
    SEARCH_UNMODELLED_FIELD = "fakeauth0 does not model {what}, so it cannot search {field}."
    SEARCH_UNSUPPORTED = "fakeauth0 does not support {construct} in user search."
    SEARCH_ENGINE_V1 = "You are not allowed to use search_engine=v1."
    SEARCH_ENGINE_V2 = "You are not allowed to use search_engine=v2. Use search_engine=v3 instead."
    SEARCH_CONNECTION_PARAM = (
        "The 'connection' parameter only applies to search_engine=v1; "
        'use q=identities.connection:"<name>" instead.'
    )
    # Account linking (docs/auth0-behaviour.md#linking-errors, docs/auth0-behaviour.md#unlinking;
    # spec post_identities and delete_user_identity_by_user_id). Choices for UNCONFIRMED cases are
    # in CHOICES.md.
    LINK_SAME_IDENTITY = "Main identity and the new one are the same."
    LINK_PROVIDER_NOT_CONFIGURED = "The provider/connection is not configured."
    LINK_INEXISTENT_IDENTITY = "Linking to an inexistent identity is not allowed."
    LINK_SECONDARY_NOT_FOUND = "Provided secondary account not found."
    LINK_IDENTITY_EXISTS = "Specified identity already exists."
    LINK_WITH_INVALID = "Invalid token (link_with)."
    LINK_WITH_ALG = "JWT (link_with) must have an alg of RS256."
    LINK_WITH_AUD_INVALID = "JWT (link_with) contains an invalid aud claim."
    LINK_WITH_AUD_AZP = (
        "JWT (link_with) must have an aud claim that matches that of the calling token's azp."
    )
    LINK_WITH_ISSUER = "JWT (link_with) must have the same issuer as the calling user."
    LINK_WITH_SUB_MISSING = "JWT (link_with) must contains sub claim."
    LINK_WITH_SUB_INVALID = "JWT (link_with) contains an invalid sub claim."
    LINK_WITH_EXCLUSIVE = (
        "Payload validation error: 'link_with cannot be sent together with provider, "
        "user_id or connection_id'."
    )
    LINK_USER_ID_REQUIRED = "Payload validation error: 'Missing required property: user_id'."
    LINK_EMPTY_BODY = "Payload validation error: 'Too few properties defined (0), minimum 1'."
    LINK_NEEDS_UPDATE_USERS = "Insufficient scope, expected any of: update:users"
    UNLINK_MAIN_IDENTITY = "Main identity cannot be removed."
    PATH_ENUM = (
        "Path validation error: 'No enum match for: \"{value}\"' "
        "on property {name} ({description})."
    )
    # Applications, APIs and client grants (go-auth0 and terraform-provider-auth0 recordings;
    # the spec's x-description entries).
    CLIENT_NOT_FOUND = "The client does not exist"
    # The fake's own (CHOICES.md): Auth0 documents no syntax for it.
    CLIENTS_Q_NOT_MODELLED = (
        "fakeauth0 does not filter clients by q; use app_type, is_global or is_first_party."
    )
    GLOBAL_CLIENT_DELETE = "Global client cannot be deleted."
    RESOURCE_SERVER_NOT_FOUND = "The resource server does not exist"
    RESOURCE_SERVER_EXISTS = "A resource server with the same identifier already exists."
    IDENTIFIER_RESERVED = "The selected identifier is reserved."
    SYSTEM_RESOURCE_SERVER_DELETE = "System resource servers cannot be deleted."
    SYSTEM_RESOURCE_SERVER_PATCH = "System resource servers cannot be patched."
    #: What ``PATCH /resource-servers/{id}`` answers a body naming ``identifier`` (the spec's
    #: update body has no such property: "Can not be changed once set").
    RESOURCE_SERVER_IDENTIFIER_FIXED = (
        "Payload validation error: 'Additional properties not allowed: identifier'."
    )
    GRANT_CLIENT_NOT_FOUND = "Client not found"
    GRANT_RESOURCE_SERVER_NOT_FOUND = "Resource server not found"
    GRANT_EXISTS = "A client grant for this client and audience already exists"
    GRANT_NOT_FOUND = "The client grant does not exist"
    # Roles and permissions (fakeauth0.access; docs/auth0-behaviour.md#roles-and-permissions).
    ROLE_NOT_FOUND = "The role does not exist."
    ROLE_USERS_NOT_FOUND = "One or more of the users do not exist."
    PERMISSION_RESOURCE_SERVER_NOT_FOUND = "The resource server does not exist: '{identifier}'"
    PERMISSION_NOT_FOUND = (
        "The permission '{permission}' is not defined on the resource server '{identifier}'."
    )
    # Organizations (go-auth0 recordings TestOrganizationManager_Delete, _DeleteConnection,
    # _DeleteInvitation, _UpdateDBConnection; the spec's 4xx descriptions).
    ORGANIZATION_NOT_FOUND = "No organization found by that id or name"
    ORGANIZATION_EXISTS = "An organization with this name already exists."
    ORGANIZATION_NAME_FORMAT = (
        "Payload validation error: 'Object didn't pass validation for format organization-name: "
        "{name}' on property name (The name of this organization)."
    )
    ORGANIZATION_CONNECTION_NOT_FOUND = "No connection found by that id"
    ORGANIZATION_CONNECTION_UNKNOWN = "The connection {connection_id} does not exist."
    ORGANIZATION_SIGNUP_NEEDS_MEMBERSHIP = (
        "Only database connections with assign_membership_on_login = true support "
        "is_signup_enabled = true."
    )
    ORGANIZATION_NO_LOGIN_ROUTE = (
        "A default login route is required to generate the invitation url. For more "
        "information, see https://auth0.com/docs/universal-login/configure-default-login-routes"
    )
    ORGANIZATION_TTL = (
        "Payload validation error: 'Value {value} is {bound}' on property ttl_sec (Number of "
        "seconds for which the invitation is valid before expiration. If unspecified or set to "
        "0, this value defaults to 604800 seconds (7 days). Max value: 2592000 seconds (30 "
        "days).)."
    )
    ORGANIZATION_CLIENT_UNKNOWN = "The client {client_id} does not exist."
    ORGANIZATION_MEMBER_UNKNOWN = "The user {user_id} does not exist."
    INVITATION_NOT_FOUND = "The invitation does not exist."
    ORGANIZATION_NOT_A_MEMBER = "The user {user_id} is not a member of the organization."
    ORGANIZATION_ROLE_UNKNOWN = "The role {role_id} does not exist."
    ORGANIZATION_GRANT_EXISTS = "The client grant has already been added to this organization."
    ORGANIZATION_GRANT_NOT_FOUND = "The grant does not exist."
    DISCOVERY_DOMAIN_EXISTS = (
        "An organization discovery domain with this domain is already registered to this "
        "organization."
    )
    DISCOVERY_DOMAIN_NOT_FOUND = "No discovery domain found by that id"
    # Requests the fake cannot parse or route.
    NOT_FOUND_ROUTE = "Not Found"
    METHOD_NOT_ALLOWED = "Method Not Allowed"
    BAD_JSON = "Invalid request payload JSON format"
    # The fake's own refusal (CHOICES.md): no URL reaches such a user, so none is made.
    USER_ID_UNADDRESSABLE = (
        'Payload validation error: \'user_id cannot contain "/" or be "." or ".."\' on '
        "property user_id."
    )
    PAYLOAD_TOO_LARGE = "Payload content length greater than maximum allowed: 1048576"
    UNSUPPORTED_MEDIA = "Unsupported Media Type"
    NOT_IMPLEMENTED_OPERATION = "fakeauth0 does not implement {operation} ({method} {path}) yet."
    # Auth0 adds operations faster than any copy of its spec: a path under /api/v2 that the
    # spec does not hold is named, never answered as a 404 that reads as "no such user".
    NOT_IMPLEMENTED_PATH = (
        "fakeauth0 does not implement {method} {path}: Auth0's Management API spec it was "
        "built from has no such operation."
    )
    # Rate limits (docs/auth0-behaviour.md#rate-limits).
    RATE_LIMITED = "Global limit has been reached"
    # Tenant settings' session lifetimes (fakeauth0.settings): z-schema's words for the
    # bounds (https://github.com/auth0/auth0-deploy-cli/issues/1110); the idle-over-absolute
    # wording is the fake's (CHOICES.md "tenant settings: session lifetimes").
    SETTINGS_TYPE = (
        "Payload validation error: 'Expected type integer but found type {found}' on property "
        "{name}."
    )
    SETTINGS_BELOW_MINIMUM = (
        "Payload validation error: 'Value {value} is less than minimum {minimum}' on property "
        "{name}."
    )
    SETTINGS_ABOVE_MAXIMUM = (
        "Payload validation error: 'Value {value} is greater than maximum {maximum}' on "
        "property {name}."
    )
    SETTINGS_IDLE_OVER_ABSOLUTE = (
        "Payload validation error: '{idle} ({hours}) must not be greater than {absolute} "
        "({limit})'."
    )
    # Tickets (the spec's post_email-verification / post_password-change 400 descriptions;
    # the missing connection_id as answered: https://github.com/auth0/node-auth0/issues/364;
    # the texts of the other refusals are CHOICES.md "tickets: ...").
    TICKET_MAIN_CONNECTION = "The user's main connection does not support this operation."
    TICKET_CONNECTION_NOT_FOUND = "The connection with id {connection_id} does not exist."
    TICKET_CLIENT_NOT_FOUND = "The client does not exist"
    TICKET_ORGANIZATION_NOT_FOUND = "The organization does not exist"
    TICKET_CONNECTION_ID_REQUIRED = (
        "Payload validation error: 'Missing required property: connection_id'."
    )
    TICKET_USER_ID_REQUIRED = "Payload validation error: 'Missing required property: user_id'."
    TICKET_USER_ID_AND_EMAIL = (
        "Payload validation error: 'user_id cannot be used together with connection_id or email'."
    )
    TICKET_RESULT_URL_WITH_CLIENT = (
        "Payload validation error: 'result_url cannot be used together with client_id or "
        "organization_id'."
    )
    TICKET_TTL_NEGATIVE = (
        "Payload validation error: 'Value {value} is less than minimum 0' on property ttl_sec."
    )
    # Jobs (fakeauth0.jobs, docs/auth0-behaviour.md#jobs). Auth0's: the import file limit
    # (the spec's 413), the concurrency limit (rate-limit policy page), the duplicate's
    # per-user error (go-auth0 recording TestJobManager_ReadErrors), "Connection must be a
    # database connection" (https://github.com/auth0/node-auth0/issues/246), the spec's
    # "Job not found."; the rest are the fake's words (CHOICES.md "jobs: ...").
    IMPORT_FILE_TOO_LARGE = "Payload content length greater than maximum allowed: 512000."
    IMPORT_TOO_MANY = (
        "There are {count} active import users jobs, please wait until some of them are "
        "finished and try again"
    )
    IMPORT_DUPLICATED_USER = "The user already exist and upsert parameter is false"
    IMPORT_NOT_DATABASE = "Connection must be a database connection"
    IMPORT_CONNECTION_DISABLED = "The connection is not enabled for any application"
    IMPORT_NOT_ARRAY = "Payload validation error: 'The users file must hold a JSON array of users'."
    IMPORT_BAD_FILE = "Payload validation error: 'The users file is not valid JSON'."
    IMPORT_BOTH_HASHES = "password_hash and custom_password_hash are mutually exclusive"
    IMPORT_NOT_MULTIPART = "Payload validation error: 'The request must be multipart/form-data'."
    IMPORT_FORM_TYPE = (
        "Payload validation error: 'Expected type boolean but found type string' on property "
        "{name}."
    )
    JOB_NOT_FOUND = "Job not found."
    JOB_IDENTITY_NOT_FOUND = "The identity does not belong to the user."
    CLIENT_NOT_FOUND_FOR_JOB = "The client {client_id} does not exist."
    USER_WITHOUT_EMAIL = "The user does not have an email address."
    EXPORT_TOO_MANY_FIELDS = (
        "Payload validation error: 'A CSV export is limited to {limit} fields'."
    )
    EXPORT_CSV_OBJECT = (
        "Payload validation error: 'A CSV export cannot hold the whole {name} object: name "
        "its fields'."
    )
    # Actions (fakeauth0.actions): the 404 as recorded (go-auth0
    # test/data/recordings/TestActionManager_Delete.yaml), the version's 404 from the spec, the
    # deploy of an unbuilt draft as Auth0 answers it
    # (https://github.com/auth0/auth0-deploy-cli/issues/395); the rest are the fake's own
    # words for refusals Auth0 makes (CHOICES.md "actions: ...").
    ACTION_NOT_FOUND = "That action does not exist."
    EXECUTION_NOT_FOUND = "That execution does not exist."
    ACTION_VERSION_NOT_FOUND = "The action version does not exist."
    ACTION_NOT_BUILT = "A draft must be in the 'built' state before it can be deployed."
    ACTION_EXISTS = "An action with the name {name!r} already exists."
    ACTION_ONE_TRIGGER = "An action must support exactly one trigger."
    ACTION_UNKNOWN_TRIGGER = "Unknown trigger: {trigger}."
    ACTION_TRIGGER_NOT_FOUND = "The trigger {trigger} does not exist."
    ACTION_CODE_TOO_LONG = "The action's code is over the limit of {limit} bytes."
    ACTION_SECRET_NAME = "A secret needs a name of at most {limit} characters."
    ACTION_SECRET_VALUE = "A secret's value must be a string of at most {limit} characters."
    ACTION_BOUND = (
        "The action is bound to a trigger: remove its bindings first, or delete with force=true."
    )
    ACTION_BOUND_TRIGGER = "The trigger of an action bound to a trigger cannot change."
    ACTION_REF_NOT_FOUND = "No action matches the binding reference {value!r}."
    ACTION_BINDING_NOT_FOUND = "No binding of this trigger has the id {value!r}."
    ACTION_WRONG_TRIGGER = "The action {name!r} does not support the trigger {trigger}."
    ACTION_TEST_TRIGGER = "fakeauth0 runs only post-login actions yet, not {trigger}."
    ACTION_NOT_DEPLOYED = "The action {name!r} has no deployed version to bind."
    # E-mail templates: the conflict as go-auth0's recording TestEmailTemplateManager_Create
    # shows it (https://github.com/auth0/go-auth0/tree/main/test/data/recordings); the 404 in
    # the spec's words (put_email-templates_by_templateName), CHOICES.md "e-mail templates".
    EMAIL_TEMPLATE_EXISTS = "Template {name} already exists."
    EMAIL_TEMPLATE_NOT_FOUND = "Template not found."
    # Rules (fakeauth0.rules): the 404 as recorded (go-auth0 TestRuleManager_Delete at
    # https://github.com/auth0/go-auth0/tree/df1084db909530241b4d1165438324b7601a6386/test/data/recordings),
    # the order conflict as Auth0 answered it
    # (https://github.com/auth0-extensions/auth0-deploy-extensions/issues/19), the deprecated
    # feature's refusal as auth0-deploy-cli matches it (https://github.com/auth0/auth0-deploy-cli/pull/838);
    # the name conflict from the spec's 409 description; the formats are the fake's words.
    RULE_NOT_FOUND = "The rule does not exist"
    # Sessions and refresh tokens (fakeauth0.session_views): the spec's 404 descriptions of
    # get_session / revoke_session and get_refresh_token (CHOICES.md "sessions API: 404 bodies").
    SESSION_NOT_FOUND = "The session does not exist."
    REFRESH_TOKEN_NOT_FOUND = "The refresh token does not exist."
    RULE_ORDER_EXISTS = "A rule with the same order already exists"
    RULE_NAME_EXISTS = "A rule with the same name already exists"
    RULES_DEPRECATED = "Insufficient privileges to use this deprecated feature"
    RULE_NAME_FORMAT = (
        "Payload validation error: 'String does not match pattern "
        "^[a-zA-Z0-9]([ \\-a-zA-Z0-9]*[a-zA-Z0-9])?$: {name}' on property name (Name of this rule)."
    )
    RULE_ORDER_FORMAT = (
        "Payload validation error: 'Value {value} is less than minimum 0' on property order "
        "(Order that this rule should execute in relative to other rules. Lower-valued rules "
        "execute first.)."
    )
    RULES_CONFIG_KEY = (
        "Payload validation error: 'A key has 1 to {limit} characters' on property key."
    )


class Auth0Error(Exception):
    """A Management API error: Auth0's envelope ``{statusCode, error, message, errorCode}``.

    ``error`` is always the reason phrase of the status (Hapi/Boom style). Some 401s carry
    ``attributes`` and no ``errorCode`` (docs/auth0-behaviour.md#error-bodies,
    docs/auth0-behaviour.md#management-api-tokens), hence both are optional.
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
    """Authentication API (``/oauth/token``) descriptions
    (docs/auth0-behaviour.md#authentication-api-errors)."""

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
    NO_AUDIENCE = "No audience parameter was provided, and no default audience has been configured"
    MISSING_PARAMETER = "Missing required parameter: {name}"
    BAD_BODY = "Invalid request body. Use application/json or application/x-www-form-urlencoded."
    # Simulated logins (fakeauth0.logins; docs/auth0-behaviour.md#logins). Choices are in
    # CHOICES.md.
    WRONG_CREDENTIALS = "Wrong email or password."
    USER_BLOCKED = "user is blocked"
    # Brute-force protection's block (docs/auth0-behaviour.md#blocks-and-brute-force-protection).
    ACCOUNT_BLOCKED = (
        "Your account has been blocked after multiple consecutive login attempts. We've sent "
        "you a notification via your preferred contact method with instructions on how to "
        "unblock it."
    )
    UNKNOWN_CLIENT = "Unknown client: {client_id}"
    LOGIN_NEEDS_IDENTITY = "A login through {connection} needs {needs}."
    PRIMARY_USER_MISMATCH = (
        "setPrimaryUser: the identity used to log in ({identity}) is not linked to {user_id}."
    )
    # Logins through /authorize and the user grants
    # (docs/auth0-behaviour.md#authentication-api-errors).
    INVALID_CODE = "Invalid authorization code"
    BAD_VERIFIER = "Failed to verify code verifier"
    REDIRECT_URI_MISMATCH = "Redirect URI mismatch."
    INVALID_REFRESH_TOKEN = "Unknown or invalid refresh token."
    REFRESH_USER_GONE = "The refresh_token was generated for a user who doesn't exist anymore."
    SERVICE_NOT_FOUND = "Service not found: {audience}"
    NO_DEFAULT_CONNECTION = "Authorization server not configured with default connection."
    LOGIN_REQUIRED = "Login required"
    CONSENT_REQUIRED = "Consent required"
    INTERACTION_REQUIRED = "Interaction required"
    # /continue after a redirect Action (docs/auth0-behaviour.md#redirect-actions).
    CONTINUE_STATE = "The state parameter is missing or does not match a suspended login."
    # Logins through an organization (behaviour: docs/auth0-behaviour.md#organizations).
    NOT_A_MEMBER = "user {user_id} is not part of the {org_id} organization"
    ORGANIZATION_REQUIRED = "parameter organization is required for this client"
    ORGANIZATION_MUST_BE_ID = (
        "authorization request parameter organization must be an organization id"
    )
    ORGANIZATION_UNKNOWN = "no organization found for parameter organization: {value}"
    M2M_ORGANIZATION_REQUIRED = "parameter organization is required for this client grant"
    M2M_ORGANIZATION_DENIED = "organizations are not allowed for this client grant"
    M2M_ORGANIZATION_NOT_AUTHORIZED = (
        'Client "{client_id}" is not authorized to access "{audience}" in organization "{org_id}"'
    )
    CALLBACK_MISMATCH = "Callback URL mismatch. {url} is not in the list of allowed callback URLs."
    UNSUPPORTED_RESPONSE_TYPE = "Unsupported response type: {response_type}"
    UNSUPPORTED_RESPONSE_MODE = "Unsupported response mode: {response_mode}"
    NONCE_REQUIRED = (
        "Nonce is required when requesting an id_token from the authorization endpoint."
    )
    BAD_CHALLENGE_METHOD = "Unsupported code_challenge_method: {method}"
    WEB_ORIGIN_NOT_ALLOWED = (
        "The origin {origin} is not in the list of allowed web origins of the client."
    )
    BAD_PROMPT = "Unsupported prompt: {prompt}"
    BAD_MAX_AGE = "max_age must be a number of seconds"
    UNKNOWN_CONNECTION = "the connection was not found"
    CONNECTION_NOT_ENABLED = "the connection is not enabled"
    INVALID_TOKEN = "Invalid token"
    RETURN_TO_NOT_ALLOWED = (
        'The "returnTo" querystring parameter "{url}" is not defined as a valid URL in '
        '"Allowed Logout URLs".'
    )
    # /oidc/logout (fakeauth0.logouts): Auth0's wording is unpublished, these are the fake's
    # (CHOICES.md "oidc/logout errors").
    POST_LOGOUT_NOT_ALLOWED = (
        'The "post_logout_redirect_uri" parameter "{url}" is not defined as a valid URL in '
        '"Allowed Logout URLs".'
    )
    INVALID_ID_TOKEN_HINT = 'The "id_token_hint" parameter is not an ID token of this tenant.'
    HINT_CLIENT_MISMATCH = (
        'The "client_id" parameter does not match the "aud" claim of the "id_token_hint".'
    )
    HINT_SID_MISMATCH = (
        'The "logout_hint" parameter does not match the "sid" claim of the "id_token_hint".'
    )
    LOGOUT_CONFIRMATION_INVALID = (
        "The logout confirmation expired or is not for this session. Start the logout again."
    )
    PRIMARY_USER_NOT_SET = (
        "The user {user_id} was linked into another account during the login; "
        "call setPrimaryUser with the new primary user."
    )


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


class SignupMsg:
    """``/dbconnections/signup`` and ``/dbconnections/change_password`` descriptions
    (docs/auth0-behaviour.md#self-service-sign-up-and-password-reset). Choices for the cases
    no public answer shows are in CHOICES.md ("signup: ...")."""

    # A pre-user-registration refusal with no reason: Hooks' words, as applications match them
    # (docs/auth0-behaviour.md#registration-actions).
    EXTENSIBILITY = "Denied user registration in Pre User Registration Hook"
    # The sign-up page's text for a refusal without a userMessage (the fake's words).
    EXTENSIBILITY_PAGE = "We are sorry, something went wrong when attempting to sign up."

    # The anti-enumeration answer for an identifier already held (https://github.com/auth0/go-auth0/blob/main/
    # authentication/authentication_error_test.go).
    INVALID_SIGNUP = "Invalid sign up"
    PASSWORD_WEAK = "Password is too weak"
    # The texts Auth0 documents for /passwordless/start (https://github.com/auth0/docs/blob/master/
    # articles/api/authentication/errors/_passwordless-start.md), used for the same cases here.
    MISSING = "Missing required property: {name}"
    CONNECTION_NOT_FOUND = "Connection does not exist"
    CONNECTION_DISABLED = "Connection is disabled"
    CONNECTION_NOT_DATABASE = "Invalid connection strategy. It must be a database connection"
    BAD_TYPE = "error in {name} - invalid type: {found} (expected {expected})"
    # The fake's own wording (CHOICES.md).
    UNKNOWN_CLIENT = "Unknown client: {client_id}"
    USERNAME_NOT_ALLOWED = "The connection {connection} does not use usernames"
    USERNAME_INVALID = (
        "The username must be {low} to {high} characters of letters, digits and "
        "_+-.!#$'^`~@, and must not be an e-mail address"
    )
    USER_METADATA_LIMITS = (
        "user_metadata must be an object of at most 10 properties, with names of at most 100 "
        "characters and string values of at most 500 characters"
    )
    # The answer to every accepted change_password request (auth0/go-auth0
    # test/data/recordings/authentication/TestDatabaseChangePassword.yaml).
    RESET_EMAIL_SENT = "We've just sent you an email to reset your password."


class PasswordlessMsg:
    """``/passwordless/start`` and the passwordless grant's descriptions
    (docs/auth0-behaviour.md#passwordless). Choices for the cases no public answer shows are in
    CHOICES.md ("passwordless: ...")."""

    # The texts Auth0 documents for /passwordless/start (https://github.com/auth0/docs/blob/master/
    # articles/api/authentication/errors/_passwordless-start.md).
    MISSING = "Missing required property: {name}"
    CONNECTION_NOT_FOUND = "Connection does not exist"
    CONNECTION_DISABLED = "Connection is disabled"
    NOT_PASSWORDLESS = "Invalid connection strategy. It must either be a passwordless connection"
    BAD_TYPE = "error in {name} - invalid type: {found} (expected {expected})"
    NOT_ALLOWED = "the following properties are not allowed: {names}"
    BAD_PHONE = "String does not match pattern: ^\\+[0-9]{1,15}$"
    # The fake's own wording (CHOICES.md "passwordless: ...").
    BAD_EMAIL = "error in email - email format validation failed: {email}"
    BAD_SEND = "error in send - must be one of code, link (got {value})"
    # A wrong code (Auth0's SDKs know both: https://github.com/auth0/Auth0.swift/blob/master/
    # Auth0/AuthenticationError.swift, isInvalidCredentials).
    WRONG_EMAIL_CODE = "Wrong email or verification code."
    WRONG_PHONE_CODE = "Wrong phone number or verification code."
    # As applications handling Auth0's answers spell them (https://github.com/blockscout/
    # blockscout/blob/master/apps/explorer/lib/explorer/third_party_integrations/auth0.ex).
    TOO_MANY_ATTEMPTS = "You've reached the maximum number of attempts. Please try to login again."
    CODE_EXPIRED = "The verification code has expired. Please try to login again."


class SignupError(Auth0Error):
    """A ``/dbconnections/*`` error in Auth0's sign-up shape ``{name, code, description,
    statusCode}`` (``PasswordStrengthError`` adds ``message`` and ``policy``), not the
    Management envelope nor the OAuth one.

    ``code`` is stable, for pages that word it their own way: ``invalid_signup`` (an identifier
    already held; ``field`` says which, never sent), ``invalid_password``, ``bad.<property>``
    (missing, wrong type or refused value), ``bad.connection``, ``bad.client_id``. A password
    refusal's ``description`` is an object (the policy's rules, each with ``verified``).
    """

    def __init__(
        self,
        code: str,
        description: str | dict[str, Any],
        *,
        name: str = "BadRequestError",
        message: str | None = None,
        policy: str | None = None,
        field: str | None = None,
        status: int = 400,
        user_message: str | None = None,
    ) -> None:
        text = description if isinstance(description, str) else (message or code)
        super().__init__(status, text, code)
        #: What a sign-up page shows (a pre-user-registration Action's ``userMessage``); never
        #: sent by the API.
        self.user_message = user_message
        self.code = code
        self.name = name
        self.description = description
        self.summary = message
        self.policy = policy
        self.field = field

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name}
        if self.summary is not None:
            body["message"] = self.summary
        body["code"] = self.code
        body["description"] = self.description
        if self.policy is not None:
            body["policy"] = self.policy
        body["statusCode"] = self.status
        return body

    def __repr__(self) -> str:
        return f"SignupError({self.status}, {self.code!r}, {self.description!r})"


class FakeMsg:
    """The fake's own messages (seeds, the ``/_fake/`` control plane, the server): not Auth0's."""

    LOGIN_AS_UNKNOWN = "No single user has the user_id or e-mail {user!r}."
    SEED_RULES_LEGACY = (
        "The seed has rules, which only a legacy tenant runs: make it with rules=True "
        "(fakeauth0 serve --rules)."
    )
    SEED_NOT_OBJECT = "A seed must be a JSON object with connections, clients and users."
    SEED_NOT_JSON = "The seed file {path} is not valid JSON: {error}"
    SEED_UNREADABLE = "Cannot read the seed file {path}: {error}"
    SEED_NOT_LIST = "The seed's {key!r} must be a list."
    SEED_UNKNOWN_KEYS = "Unknown keys in {what}: {keys}."
    SEED_CONNECTION_SHAPE = "A connection needs a name and a strategy: {record}"
    SEED_CONNECTION_TWICE = "The connection {name!r} is listed twice."
    SEED_CLIENT_SHAPE = "A client needs a name: {record}"
    SEED_RESOURCE_SERVER_SHAPE = "A resource server needs a string identifier: {record}"
    SEED_RESOURCE_SERVER_TWICE = "The resource server {name!r} appears twice."
    SEED_ROLE_SHAPE = "A role needs a string id and a string name: {record}"
    SEED_ROLE_TWICE = "The role {role_id!r} appears twice."
    SEED_ROLE_RULE = "Role {role_id!r}: {rule}"
    SEED_USER_ROLE = "User {user!r}: the role {role_id!r} is not one of the seed's roles."
    SEED_MANAGEMENT_CLIENT = "management_client_id {client_id!r} is not one of the seed's clients."
    SEED_USER_SHAPE = "A user needs a string user_id: {record}"
    SEED_IDENTITY_SHAPE = "User {user!r}: each identity needs connection, provider and user_id."
    SEED_NO_IDENTITIES = "User {user!r}: a user needs at least one identity."
    SEED_USER_RULE = "User {user!r} breaks a rule: {rule}"
    SEED_TENANTS = "A seed's 'tenants' must be a list of objects, each with a 'domain'."
    SEED_SETTINGS_SHAPE = "The seed's 'tenant' must be an object of tenant settings."
    SEED_BRUTE_FORCE_RULE = "The seed's 'brute_force' breaks a rule: {rule}."
    SEED_SETTINGS_RULE = "The tenant settings break a rule: {rule}"
    SEED_ORGANIZATION_SHAPE = "An organization needs a string name: {record}"
    SEED_ORGANIZATION_TWICE = "The organization {name!r} is listed twice."
    SEED_ORGANIZATION_RULE = "Organization {name!r} breaks a rule: {rule}"
    RULE_NO_CONNECTION = "its identity names the connection {connection!r}, which does not exist."
    RULE_PROVIDER = (
        "identity provider {provider!r} does not match connection {connection!r}, "
        "whose strategy is {strategy!r}."
    )
    RULE_PRIMARY_PROFILE_DATA = "the primary identity (the first) cannot carry profileData."
    RULE_USER_ID = "user_id must be the primary identity's provider|user_id, here {expected!r}."
    RULE_IDENTITY_TWICE = "it lists the same identity twice."
    RULE_IDENTITY_OWNED = "the identity {identity} already belongs to user {owner!r}."
    RULE_DUPLICATE_ID = "the user_id appears twice."
    RULE_DUPLICATE_ATTRIBUTE = (
        "its {attribute} is already used in connection {connection!r} by user {other!r}."
    )
    RULE_PASSWORD_CONNECTION = "a password is only valid on a database (auth0) connection."
    RULE_PASSWORD_WEAK = "the password does not meet the connection's {policy!r} policy."
    RULE_USERNAME = "connection {connection!r} does not have requires_username."
    RULE_EMAIL_CASE = "database connections store e-mails in lower case."
    STATE_UNREADABLE = "Cannot use the state file {path}: {error}"
    STATE_NOT_WRITTEN = (
        "Cannot write the state file {path}: {error}. The change was undone and the request "
        "answered 503; writes succeed again once the file can be written."
    )
    STATE_WRITE_FAILED = (
        "fakeauth0 could not save the tenant's state ({error}); this request was not "
        "acknowledged. Free the disk or fix the state file's permissions."
    )
    PORT_IN_USE = "Cannot listen on {host}:{port}: {error}"
    WIDE_BIND = "fakeauth0 is listening on {host}: reachable beyond this machine"
    UNKNOWN_TENANT = "No tenant {domain!r} is served here; tenants: {known}."
    UNKNOWN_TENANT_GUARDED = "No tenant {domain!r} is served here."
    BAD_DOMAIN = "a domain is a host name or [IPv6 address], with an optional :port"
    TENANT_EXISTS = "A tenant {domain!r} is already served."
    BAD_CONTROL_BODY = "Invalid control request: {problem}"
    CONTROL_TOKEN_REQUIRED = (
        "The control plane needs the server's control token, sent as "
        "'Authorization: Bearer <token>' or 'X-Fake-Control-Token: <token>'."
    )
    CONTROL_FOREIGN_HOST = (
        "The control plane and dashboard answer only to loopback names and addresses and to "
        "the domains of the tenants served (a request naming another Host may be DNS rebinding)."
    )
    CONTROL_CROSS_SITE = (
        "Refused: a state-changing control request from another site (Origin or "
        "Sec-Fetch-Site). Send it from a tool, not from a web page."
    )
    CONTROL_JSON_ONLY = (
        "The control plane takes JSON bodies (Content-Type: application/json), never forms or "
        "text, which any web page could send here."
    )
    CONTROL_UNGUARDED = (
        "fakeauth0's control plane (/_fake/) is reachable on {host} without a token: "
        "anyone who can connect may read the client secret and replace the tenant; "
        "use --control-token or --no-control"
    )
