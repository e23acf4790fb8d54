"""The log level: `--log-level`, else CROSSFLOW_LOG_LEVEL, else warning; a bad value is one clear line."""

from __future__ import annotations

import logging

import pytest

from redesign import logs
from redesign.cli import build_parser, main


def test_the_option_wins_over_the_setting_which_wins_over_the_default() -> None:
    assert logs.level_name("INFO", {"CROSSFLOW_LOG_LEVEL": "error"}) == "info"
    assert logs.level_name(None, {"CROSSFLOW_LOG_LEVEL": "Error"}) == "error"
    assert logs.level_name(None, {}) == "warning"


def test_a_bad_level_names_where_it_came_from() -> None:
    with pytest.raises(logs.LogLevelInvalid, match='CROSSFLOW_LOG_LEVEL "loud" is not a log level'):
        logs.level_name(None, {"CROSSFLOW_LOG_LEVEL": "loud"})


def test_configure_sets_the_level_and_adds_one_handler_however_often_it_runs() -> None:
    logger = logging.getLogger("redesign")
    before = list(logger.handlers), logger.level
    try:
        logs.configure("debug", {})
        logs.configure("error", {})
        assert logger.level == logging.ERROR
        assert sum(getattr(h, "crossflow", False) for h in logger.handlers) == 1
    finally:
        logger.handlers[:], logger.level = before[0], before[1]


def test_log_level_is_an_option_before_any_command_and_after_serve() -> None:
    parser = build_parser()
    assert parser.parse_args(["--log-level", "INFO", "validate", "x.json"]).log_level == "info"
    assert parser.parse_args(["serve", "--log-level", "debug"]).log_level == "debug"
    assert parser.parse_args(["--log-level", "error", "serve"]).log_level == "error"
    assert parser.parse_args(["serve"]).log_level is None


def test_a_bad_setting_stops_the_cli_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CROSSFLOW_LOG_LEVEL", "loud")
    assert main(["schema"]) == 2
    assert capsys.readouterr().err.strip().endswith("use one of: debug, info, warning, error.")
