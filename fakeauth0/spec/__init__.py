"""The vendored subset of Auth0's Management API OpenAPI spec (``scripts/vendor_spec.py``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_spec() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("management-subset.json").read_text("utf-8")
    return json.loads(text)
