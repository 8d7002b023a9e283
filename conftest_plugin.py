"""fakeauth0's pytest plugin, registered as the ``pytest11`` entry point.

The fixtures live in :mod:`fakeauth0.pytest_plugin`: this top-level module stays a one-line
shim because packaging copies it (even into editable installs), and a copy must not go stale.
"""

from fakeauth0.pytest_plugin import *  # noqa: F403
from fakeauth0.pytest_plugin import __all__ as __all__
