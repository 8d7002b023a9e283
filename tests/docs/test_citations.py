"""The repository stands on its own: its citations of Auth0's behaviour resolve inside it.

Code, tests and documents cite ``docs/auth0-behaviour.md#<anchor>`` or a public source. This
fails on a mention of a notes file that is not part of the repository, on a path into a directory
beside it, on a bare section sign that names no document, and on an anchor the reference lacks.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
REFERENCE = "docs/auth0-behaviour.md"

#: A notes file of that name other than the reference, or a path leaving the repository.
OUTSIDE = re.compile(r"(?<!auth0-)\bbehaviour\.md|\.\./shared\b|/work/+shared\b")
#: A section sign with no document: allowed only on a line citing an RFC.
BARE_SECTION = re.compile(r"§\s*\d")
#: A source named only by a notes file's shorthand (a ``D`` with a digit, then a path) or by a
#: docs page's source file name (ending ``.mdx``): cite its public address instead.
SHORTHAND = re.compile(r"\bD[12] [a-z]|[\w-]+\.mdx\b")
CITED_ANCHOR = re.compile(r"docs/auth0-behaviour\.md#([\w-]+)")
OWN_ANCHOR = re.compile(r"\]\(#([\w-]+)\)")


@cache
def repository_files() -> tuple[str, ...]:
    """Tracked and untracked files, without what ``.gitignore`` leaves out (virtualenvs, caches)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        listed = [
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not any(part.startswith(".") for part in path.parts)
        ]
    return tuple(sorted(name for name in listed if (ROOT / name).is_file()))


def text_of(name: str) -> str | None:
    try:
        return (ROOT / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def problems_in(name: str) -> list[str]:
    text = text_of(name)
    if text is None:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if (
            OUTSIDE.search(line)
            or SHORTHAND.search(line)
            or (BARE_SECTION.search(line) and "RFC" not in line)
        ):
            found.append(f"{name}:{number}: {line.strip()}")
    return found


def github_anchor(heading: str) -> str:
    """The id GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def reference_anchors() -> set[str]:
    text = (ROOT / REFERENCE).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return {github_anchor(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def test_no_file_cites_notes_outside_the_repository() -> None:
    found = [p for name in repository_files() for p in problems_in(name)]
    assert not found, "cite docs/auth0-behaviour.md#<anchor> or the public source:\n" + "\n".join(
        found
    )


def test_every_cited_anchor_is_a_heading_of_the_reference() -> None:
    anchors = reference_anchors()
    missing = []
    for name in repository_files():
        text = text_of(name)
        if text is None:
            continue
        cited = set(CITED_ANCHOR.findall(text))
        if name == REFERENCE:
            cited |= set(OWN_ANCHOR.findall(text))
        missing += [f"{name}: #{anchor}" for anchor in sorted(cited - anchors)]
    assert not missing, "no such heading in docs/auth0-behaviour.md:\n" + "\n".join(missing)


def test_the_reference_has_the_sections_the_code_cites() -> None:
    assert {"account-linking", "error-bodies", "query-syntax", "logins"} <= reference_anchors()


def test_a_bad_anchor_or_an_outside_citation_is_caught() -> None:
    assert github_anchor("Paging, totals and consistency") == "paging-totals-and-consistency"
    assert github_anchor("Email, username and password") == "email-username-and-password"
    section = "\N{SECTION SIGN}3"
    outside = "behaviour" + ".md " + section
    assert OUTSIDE.search(f"see {outside}") and not OUTSIDE.search("see " + REFERENCE + "#users")
    assert OUTSIDE.search("../" + "shared/auth0") and BARE_SECTION.search(f"rules ({section})")
    shorthand = "D" + "1 articles/users/search/v2"
    assert SHORTHAND.search(f"({shorthand})") and SHORTHAND.search("(require-username" + ".mdx)")
    assert not SHORTHAND.search("https://auth0.com/docs/authenticate/database-connections")
