"""What users import comes from the package itself, not from its submodules."""

from __future__ import annotations

import subprocess
import sys

import pytest

import fakeauth0


def test_every_public_name_imports_from_the_package() -> None:
    from fakeauth0 import FakeAuth0Server, SeedError, UnservedRoute, intercept
    from fakeauth0.intercept import UnservedRoute as unserved_route
    from fakeauth0.intercept import intercept as intercept_function
    from fakeauth0.server import FakeAuth0Server as server_class
    from fakeauth0.snapshot import SeedError as seed_error

    assert (FakeAuth0Server, SeedError, UnservedRoute, intercept) == (
        server_class,
        seed_error,
        unserved_route,
        intercept_function,
    )
    for name in fakeauth0.__all__:
        assert getattr(fakeauth0, name) is not None, name
    assert set(fakeauth0.__all__) <= set(dir(fakeauth0))


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from fakeauth0 import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(fakeauth0.__all__)


def test_the_server_module_loads_only_when_asked_for() -> None:
    code = (
        "import sys, fakeauth0; loaded = 'fakeauth0.server' in sys.modules; "
        "fakeauth0.FakeAuth0Server; print(loaded, 'fakeauth0.server' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        fakeauth0.NoSuchThing  # noqa: B018
