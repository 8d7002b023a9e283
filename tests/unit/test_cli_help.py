"""``fakeauth0 --help`` is plain text: no reStructuredText markup from docstrings."""

from __future__ import annotations

import pytest

from fakeauth0 import cli


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"]])
def test_help_reads_as_plain_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli._parser().parse_args(argv)
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "usage: fakeauth0" in text
    assert "``" not in text and ":class:" not in text
