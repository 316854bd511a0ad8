"""`bike-pipeline --help`: every command listed with its own summary, none imported."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from bike_pipeline.cli import COMMANDS, SUMMARIES, main

HEAVY = ("dagster", "numpy", "sqlalchemy", "dash", "pyarrow")


def test_each_summary_is_its_commands_own_first_sentence() -> None:
    context = click.Context(main)
    assert set(SUMMARIES) == set(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert command is not None, name
        assert SUMMARIES[name] == command.get_short_help_str(limit=1000), name


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:")[1].split()
    assert all(name in listed for name in COMMANDS)
    assert "Validate and load the client's dump" in result.output


def test_help_imports_no_command() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from bike_pipeline.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        f"print(*[name for name in {HEAVY!r} if name in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
