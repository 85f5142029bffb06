"""The scene registry (scenes/lesson.py): chapters name scene classes, names come from the classes,
and a scene module that fails to import is an error, never a scene silently left out."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# Run in a fresh interpreter: a finder makes one scene module fail as a broken module would.
BREAK_ONE_MODULE = textwrap.dedent("""
    import importlib.abc, importlib.util, sys

    class Broken(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path, target=None):
            return importlib.util.spec_from_loader(name, self) if name == "scenes.lessons.heavy_ball" else None

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            raise {error}

    sys.meta_path.insert(0, Broken())
""")


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_chapters_name_scene_classes_in_one_table():
    from scenes import lesson
    from scenes.kit.base import LessonScene

    classes = lesson.scenes_in_order()
    assert all(isinstance(cls, type) and issubclass(cls, LessonScene) for cls in classes)
    assert lesson.scene_names() == tuple(cls.SPEC.name for cls in classes)
    assert len(set(lesson.scene_names())) == len(classes) == 16
    assert [title for title, _ in lesson.chapters()][0] == "Why plain SGD struggles"
    assert lesson.scene_class("ravine-race").__name__ == "RavineRace"
    assert lesson.scene_class("title-card") is lesson.CARDS[0]
    with pytest.raises(KeyError, match="unknown scene 'nope'; known: minibatch-noise"):
        lesson.scene_class("nope")


@pytest.mark.slow  # a fresh interpreter each
@pytest.mark.parametrize("error", ["NameError(\"name 'oops' is not defined\")",
                                   "ModuleNotFoundError(\"No module named 'scenes.lessons.heavy_ball'\", "
                                   "name='scenes.lessons.heavy_ball')"])
def test_a_scene_module_that_fails_to_import_is_an_error(error):
    """Even a ModuleNotFoundError for the scene's own module (the old registry skipped those)."""
    done = run_python(BREAK_ONE_MODULE.format(error=error) + "import scenes.lesson\nprint('imported')")
    assert done.returncode != 0 and "imported" not in done.stdout
    assert error.split("(")[0] in done.stderr


@pytest.mark.slow  # a fresh interpreter each
def test_the_cli_reports_a_broken_scene_module_in_one_line():
    done = run_python(BREAK_ONE_MODULE.format(error="NameError(\"name 'oops' is not defined\")")
                      + "from ravine.cli.commands import main\nsys.argv = ['ravine', 'list']\nmain()")
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1 and "oops" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    help_still_works = run_python(BREAK_ONE_MODULE.format(error="NameError('oops')")
                                  + "from ravine.cli.commands import main\nsys.argv = ['ravine', '--help']\nmain()")
    assert help_still_works.returncode == 0 and "render" in help_still_works.stdout
