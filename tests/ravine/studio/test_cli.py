"""``ravine studio``'s own options: help with examples, a bad port or folder refused with one
line (exit 2), a port already taken refused before the app starts (exit 1)."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from ravine.cli.commands import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, ["studio", *args])


def test_help_lists_the_options_and_examples():
    result = invoke("--help")
    assert result.exit_code == 0
    for text in ("--host", "--port", "--out", "--no-browser", "127.0.0.1", "8765", "ravine studio --port"):
        assert text in result.output


def test_bad_options_exit_2_with_one_line():
    for args, where in ((("--port", "0"), "--port"), (("--port", "65536"), "--port"),
                        (("--port", "http"), "--port"), (("--out", "a\nb"), "--out")):
        result = invoke(*args, "--no-browser")
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and where in lines[0]


def test_a_taken_port_exits_1_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("--port", str(port), "--out", str(tmp_path / "out"), "--no-browser")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: --port {port}: cannot listen on 127.0.0.1:{port} (it is in use)"
    assert not (tmp_path / "out").exists()
