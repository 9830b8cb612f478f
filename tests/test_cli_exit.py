"""The `cnnt` entry point leaves nothing for the garbage collector to scan at exit (app/cli.py `main`)."""

from __future__ import annotations

import gc
import sys

import pytest

from app.cli import main


@pytest.mark.parametrize("argv", [["cnnt", "--help"], ["cnnt", "no-such-command"]])
def test_main_freezes_what_is_left_whatever_the_outcome(monkeypatch: pytest.MonkeyPatch,
                                                         argv: list[str]) -> None:
    gc.unfreeze()
    monkeypatch.setattr(sys, "argv", argv)
    try:
        with pytest.raises(SystemExit):
            main()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process goes on: its objects stay collectable
