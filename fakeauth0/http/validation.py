"""Request validation against Auth0's own OpenAPI spec, with Auth0's (z-schema) messages.

Auth0 validates payloads and query strings with z-schema and reports the first failure as
``Payload validation error: '<what>' on property <path> (<description>).``
(docs/auth0-behaviour.md#error-bodies).
We validate with :mod:`jsonschema` against the vendored spec and word the failure the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import Auth0Error
from ..organizations import valid_name
from ..spec import load_spec

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker, ValidationError

_TYPE_NAMES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}
_STRICT_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#]+[^\s]*$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$")


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or (len(value) <= 254 and bool(_EMAIL.match(value)))


def _is_strict_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_STRICT_URI.match(value))


#: RFC 3339's date-time (``2024-05-01T12:00:00Z``, ``...T12:00:00.5+02:00``).
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:  # 2024-02-30, 25:00
        return False
    return True


#: The formats Auth0 checks, for the quick check (no jsonschema needed) and for jsonschema.
_FORMATS: dict[str, Callable[[object], bool]] = {
    "email": _is_email,
    "strict-uri": _is_strict_uri,
    "date-time": _is_date_time,
    "organization-name": valid_name,
}


@cache
def format_checker() -> FormatChecker:
    """jsonschema's checker of our formats. jsonschema is imported here, on the first body the
    quick check cannot vouch for: importing it costs ~50 ms, a sixth of a cold start."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in _FORMATS.items():
        checker.checks(name)(check)
    return checker


def _conforms(value: object, fmt: str) -> bool:
    """``FormatChecker.conforms`` for our checker: a format it does not know passes."""
    check = _FORMATS.get(fmt)
    return check is None or check(value)


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "object")


@cache
def _validator(operation_id: str) -> Draft202012Validator:
    """The request-body validator of one operation. ``#/components/schemas/...`` refs are
    inlined once here: resolving them on every request cost a third of the validation."""
    schema = dict(
        _inline_refs(body_schema(operation_id) or {}), components=load_spec()["components"]
    )
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=format_checker())


def _inline_refs(node: Any, seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    prefix = "#/components/schemas/"
    if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] not in seen:
        name = ref[len(prefix) :]
        target = _inline_refs(load_spec()["components"]["schemas"][name], (*seen, name))
        rest = {k: _inline_refs(v, seen) for k, v in node.items() if k != "$ref"}
        return {**target, **rest}
    return {k: _inline_refs(v, seen) for k, v in node.items()}


def body_schema(operation_id: str) -> dict[str, Any] | None:
    op = load_spec()["served"][operation_id]
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json")
    return None if media is None else media["schema"]


@cache
def query_parameters(operation_id: str) -> dict[str, dict[str, Any]]:
    op = load_spec()["served"][operation_id]
    return {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}


@cache
def required_query(operation_id: str) -> tuple[str, ...]:
    """The query parameters the spec requires of a served operation."""
    if operation_id not in load_spec()["served"]:
        return ()
    return tuple(n for n, p in query_parameters(operation_id).items() if p.get("required"))


def _describe(error: ValidationError) -> str:
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        return f"Missing required property: {missing[0] if missing else error.validator_value[0]}"
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = [name for name in value if name not in allowed]
        return f"Additional properties not allowed: {','.join(extra)}"
    if kind == "type":
        expected = error.validator_value
        expected = ",".join(expected) if isinstance(expected, list) else expected
        return f"Expected type {expected} but found type {_type_name(value)}"
    if kind == "minLength":
        return f"String is too short ({len(value)} chars), minimum {error.validator_value}"
    if kind == "maxLength":
        return f"String is too long ({len(value)} chars), maximum {error.validator_value}"
    if kind == "minimum":
        return f"Value {value} is less than minimum {error.validator_value}"
    if kind == "maximum":
        return f"Value {value} is greater than maximum {error.validator_value}"
    if kind == "enum":
        return f"No enum match for: {json.dumps(value)}"
    if kind == "format":
        return f"Object didn't pass validation for format {error.validator_value}: {value}"
    if kind == "pattern":
        return f"String does not match pattern {error.validator_value}: {value}"
    if kind in ("anyOf", "oneOf"):
        return f"Data does not match any schemas from '{kind}'"
    if kind == "minProperties":
        return f"Too few properties defined ({len(value)}), minimum {error.validator_value}"
    return error.message


def _where(error: ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if not path:
        return ""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    return f" on property {path}" + (f" ({description.rstrip('.')})" if description else "")


def _first_error(validator: Draft202012Validator, instance: Any) -> ValidationError | None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    return errors[0] if errors else None


def validate_body(operation_id: str, body: Any) -> None:
    """Raise Auth0's 400 ``invalid_body`` when ``body`` breaks the operation's request schema."""
    schema = body_schema(operation_id)
    if schema is None:
        return
    quick = _quick_check(operation_id)
    if quick is not None and quick(body):
        return  # certainly valid; anything doubtful goes to jsonschema, which words the error
    error = _first_error(_validator(operation_id), body)
    if error is not None:
        raise Auth0Error.invalid_body(
            f"Payload validation error: '{_describe(error)}'{_where(error)}."
        )


#: Keywords the quick check understands; a schema using any other one is left to jsonschema.
_QUICK_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "minLength",
        "maxLength",
        "format",
        "enum",
        "description",
        "default",
        "title",
        "example",
        "examples",
        "anyOf",
        "oneOf",
    }
)
_QUICK_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}
Check = Callable[[Any], bool]


@cache
def _quick_check(operation_id: str) -> Check | None:
    """A check that answers True only for bodies jsonschema would accept, several times faster
    (validation was a fifth of a create). False means "ask jsonschema"; None: no quick check."""
    return _compile_quick(_inline_refs(body_schema(operation_id) or {}))


def _compile_quick(schema: Any) -> Check | None:
    if not isinstance(schema, dict) or not set(schema) <= _QUICK_KEYWORDS:
        return None
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds is not None and not (isinstance(kinds, list) and set(kinds) <= set(_QUICK_TYPES)):
        return None
    # exact types only: bool is not an integer, 1.0 is left to jsonschema
    allowed = None if kinds is None else {t for k in kinds for t in _QUICK_TYPES[k]}
    low, high = schema.get("minLength"), schema.get("maxLength")
    fmt = schema.get("format")
    enum = schema.get("enum")
    # (type, value) pairs: a set look-up for the long enums (providers), and 1 is not True
    enum_set = (
        frozenset((type(e), e) for e in enum)
        if isinstance(enum, list) and all(isinstance(e, (str, int, float, bool)) for e in enum)
        else None
    )
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    required = schema.get("required", [])
    if not isinstance(props, dict) or not isinstance(extra, bool):
        return None
    branches = _compile_branches(schema)
    if branches is False:
        return None
    checks = {}
    for name, sub in props.items():
        check = _compile_quick(sub)
        if check is None:
            return None
        checks[name] = check

    def quick(value: Any) -> bool:
        if allowed is not None and type(value) not in allowed:
            return False
        if type(value) is str:
            if (low is not None and len(value) < low) or (high is not None and len(value) > high):
                return False
            if fmt is not None and not _conforms(value, fmt):
                return False
        if enum is not None:
            if enum_set is not None:
                try:
                    if (type(value), value) not in enum_set:
                        return False
                except TypeError:  # unhashable: certainly not one of these scalars
                    return False
            elif not any(type(value) is type(e) and value == e for e in enum):
                return False
        if branches and not any(branch(value) for branch in branches):
            return False
        if type(value) is dict:
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                check = checks.get(name)
                if check is None:
                    if not extra:
                        return False
                elif not check(item):
                    return False
        return True

    return quick


def _compile_branches(schema: dict[str, Any]) -> list[Check] | bool:
    """``anyOf``: any branch will do. ``oneOf`` only when its branches name disjoint types, so
    that one branch passing means every other fails. False: not something we can check."""
    if "anyOf" in schema and "oneOf" in schema:
        return False
    kind = "anyOf" if "anyOf" in schema else "oneOf" if "oneOf" in schema else None
    if kind is None:
        return []
    subs = schema[kind]
    if not isinstance(subs, list) or not subs:
        return False
    if kind == "oneOf":
        seen: set[type] = set()
        for sub in subs:
            kinds = sub.get("type") if isinstance(sub, dict) else None
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not isinstance(kinds, list) or not set(kinds) <= set(_QUICK_TYPES):
                return False
            # jsonschema counts 1.0 as an integer: a number branch overlaps an integer one
            types = {t for k in kinds for t in _QUICK_TYPES[k]} | (
                {float} if "integer" in kinds else set()
            )
            if seen & types:
                return False
            seen |= types
    checks = [_compile_quick(sub) for sub in subs]
    if any(check is None for check in checks):
        return False
    return checks  # type: ignore[return-value]


def string_problem(value: str, schema: dict[str, Any]) -> str | None:
    """What is wrong with a query string value under its schema's string rules (z-schema's
    words), or None."""
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None and len(value) < low:
        return f"String is too short ({len(value)} chars), minimum {low}"
    if high is not None and len(value) > high:
        return f"String is too long ({len(value)} chars), maximum {high}"
    allowed = schema.get("enum")
    if allowed is not None and value not in allowed:
        return f'No enum match for: "{value}"'
    return None


def query_error(
    message: str, name: str | None = None, description: str | None = None
) -> Auth0Error:
    where = ""
    if name:
        where = f" on property {name}" + (f" ({description.rstrip('.')})" if description else "")
    return Auth0Error.invalid_query(f"Query validation error: '{message}'{where}.")
