"""Every code block of README.md and docs/*.md runs, so the documentation cannot rot.

The documents follow these conventions:

- A ``python`` block is a test module: pytest runs it with the installed plugin (its ``test_*``
  functions are tests and take the ``auth0_*`` fixtures; top-level code runs on import).
- A block whose first line is a comment naming a file (``# conftest.py``,
  ``# myapp/accounts.py``, ``// sync-users.mjs``) is that file, written beside the other blocks of
  the same document (importable by them), not run itself.
- A ``python`` block that uses ``tenant`` without making one runs after
  ``tenant = Tenant("example.auth0.com")``, as the README says.
- A ``sh`` block runs only when ``<!-- docs-test: run -->`` precedes it: with bash, failing on
  the first failing command, with this interpreter's scripts (``fakeauth0``) on ``PATH`` and
  ``PORT`` a free port. Other shell blocks need a machine, a tenant or ``sudo``.
- ``<!-- docs-test: skip (reason) -->`` before a block skips it.
- A ``json`` block must parse.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
DIRECTIVE = re.compile(r"<!-- docs-test: (?P<what>run|skip \(.+?\)) -->\s*\Z")
FILE_NAME = re.compile(r"^(?:#|//) (?P<name>[\w./-]+\.(?:py|mjs|js|json))\s*$")
TENANT_PLACEHOLDER = 'from fakeauth0 import Tenant\n\ntenant = Tenant("example.auth0.com")\n\n'


@dataclass
class Block:
    document: Path
    line: int
    lang: str
    code: str
    directive: str | None

    @property
    def file_name(self) -> str | None:
        first = self.code.split("\n", 1)[0]
        match = FILE_NAME.match(first)
        return match["name"] if match else None

    @property
    def label(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def blocks(document: Path) -> list[Block]:
    text = document.read_text("utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        directive = DIRECTIVE.search(before)
        body = textwrap.dedent(
            match["indent"] + match["body"].replace("\n" + match["indent"], "\n")
        )
        found.append(
            Block(
                document,
                before.count("\n") + 1,
                match["lang"],
                body,
                directive["what"] if directive else None,
            )
        )
    return found


def _ids(documents: list[Path]) -> list[str]:
    return [str(d.relative_to(ROOT)) for d in documents]


def test_the_documents_have_blocks_to_run() -> None:
    langs = {b.lang for d in DOCUMENTS for b in blocks(d)}
    assert {"python", "sh", "json"} <= langs
    runnable = [b for d in DOCUMENTS for b in blocks(d) if b.lang == "sh" and b.directive == "run"]
    assert runnable, "no shell block is marked <!-- docs-test: run -->"


@pytest.mark.parametrize("document", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_python_blocks_run(document: Path, tmp_path: Path) -> None:
    modules = []
    for block in blocks(document):
        if block.directive and block.directive.startswith("skip"):
            continue
        if block.file_name:
            target = tmp_path / block.file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            for package in target.relative_to(tmp_path).parents:
                if package != Path(".") and target.suffix == ".py":
                    (tmp_path / package / "__init__.py").touch()
            target.write_text(block.code)
        elif block.lang == "python":
            code = block.code
            if re.search(r"\btenant\b", code) and not re.search(r"^tenant = ", code, re.M):
                code = TENANT_PLACEHOLDER + code
            name = f"test_{document.stem.lower()}_line{block.line}.py"
            (tmp_path / name).write_text(f"# {block.label}\n{code}")
            modules.append(name)
    if not modules:
        pytest.skip(f"{document.name} has no python blocks")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS"))}
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(tmp_path / ".hypothesis")  # a first run
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *modules],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in summary, result.stdout[-3000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SHELL_BLOCKS = [b for d in DOCUMENTS for b in blocks(d) if b.lang == "sh" and b.directive == "run"]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.label for b in SHELL_BLOCKS])
def test_runnable_shell_blocks_run(block: Block, tmp_path: Path) -> None:
    for tool in ("bash", "curl"):
        if tool in block.code and shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PORT"] = str(_free_port())
    process = subprocess.Popen(
        ["bash", "-e", "-o", "pipefail", "-c", block.code],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a server it starts is stopped below
    )
    try:
        out, err = process.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    assert process.returncode == 0, f"{block.label}\n{out[-3000:]}\n{err[-3000:]}"


JSON_BLOCKS = [b for d in DOCUMENTS for b in blocks(d) if b.lang == "json"]


@pytest.mark.parametrize("block", JSON_BLOCKS, ids=[b.label for b in JSON_BLOCKS])
def test_json_blocks_parse(block: Block) -> None:
    json.loads(block.code)
