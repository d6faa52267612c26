"""The CLI loads a command's own module only: the table that says which module adds which
command must match the modules, and the parser built for one command must read its arguments
as the whole parser does."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from appstore import cli


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_the_table_names_every_modules_commands() -> None:
    full = _commands(cli._parser())
    core = _commands(cli._parser("search"))
    assert tuple(core) == cli.CORE_COMMANDS
    listed = [c for commands in cli.SUBCOMMANDS.values() for c in commands]
    assert full == [*cli.CORE_COMMANDS, *listed]  # the order help shows them in
    for name, commands in cli.SUBCOMMANDS.items():
        module = importlib.import_module(f"appstore.cli.{name}")
        assert tuple(getattr(module, "COMMANDS", commands)) == commands
        assert _commands(cli._parser(commands[0])) == [*cli.CORE_COMMANDS, *commands]


@pytest.mark.parametrize("argv", [
    ["--data-dir", "d", "news", "--json", "read", "7"],
    ["--lang", "zh_CN", "wallet", "history", "--limit", "5"],
    ["--data-dir", "news", "games", "--json"],
    ["install", "demo/x"],
    ["share", "x"],
    ["search", "dice", "--json"],
    ["store", "list"],
])
def test_one_commands_parser_reads_like_the_whole(argv: list[str]) -> None:
    command = cli._command(argv)
    assert command is not None
    assert cli._parser(command).parse_args(argv) == cli._parser().parse_args(argv)


@pytest.mark.parametrize("argv", [["-h", "news"], ["news", "-h"], ["--help"], ["--data-dir"], []])
def test_help_and_usage_errors_find_no_command(argv: list[str]) -> None:
    assert cli._command(argv) is None  # the whole parser: help lists every command


def test_an_unknown_command_gets_the_whole_parser() -> None:
    assert _commands(cli._parser(cli._command(["nope"]))) == _commands(cli._parser())


def test_a_command_does_not_load_the_others() -> None:
    code = ("import sys; from appstore import cli; cli._parser(cli._command(['search', 'x']));"
            "print(sorted(m for m in sys.modules if m.rpartition('.')[::2] in "
            "[('appstore.cli', n) for n in cli.SUBCOMMANDS]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code = code.replace("'search', 'x'", "'news'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "appstore.cli.news" in out.stdout and "appstore.cli.games" not in out.stdout
