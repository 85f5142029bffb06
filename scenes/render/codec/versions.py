"""Which coding libraries this process uses: PyAV, FFmpeg's libraries, x264 and libvpx.

A different x264 or libvpx (or swscale, which converts every picture) can code the same frames
to different pixels, so these versions belong in a render's cache key and manifest.
:func:`codec_versions` reports what PyAV exposes, and two things it does not:

- x264 writes its identification into the first picture's SEI ("x264 - core 165 r3222 …"; the
  build of PyAV's wheels says only "core 165"): one 16 × 16 picture is coded to read it.
- libvpx carries no version in its stream; where the process's loaded libraries are listed
  (``/proc/self/maps``, Linux) the loaded libvpx is asked with ``vpx_codec_version_str``
  ("v1.16.0"). Elsewhere its entry says "unknown".
"""

from __future__ import annotations

import ctypes
import functools
import re
from fractions import Fraction
from pathlib import Path

import av

X264_ID = re.compile(rb"x264 - (core \d+[^-]*?) - H\.264")


def _x264_identification() -> str:
    """x264's own identification ("core 165", with its revision where built with one), or "unavailable"."""
    try:
        context = av.CodecContext.create("libx264", "w")
    except (ValueError, av.FFmpegError):
        return "unavailable"
    context.width = context.height = 16
    context.pix_fmt = "yuv420p"
    context.time_base = Fraction(1, 1)
    picture = av.VideoFrame(16, 16, "yuv420p")
    for plane in picture.planes:
        plane.update(bytes(plane.buffer_size))
    picture.pts = 0
    coded = b"".join(bytes(packet) for packet in [*context.encode(picture), *context.encode(None)])
    found = X264_ID.search(coded)
    return found.group(1).decode("ascii", "replace").strip() if found else "unknown"


def _loaded_library(prefix: str) -> Path | None:
    """The file of a shared library named ``prefix``… that this process has loaded (Linux), or None."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = Path(line.split()[-1]) if "/" in line else None
                if path is not None and path.name.startswith(prefix) and ".so" in path.name:
                    return path
    except OSError:
        return None
    return None


def _libvpx_version() -> str:
    """The loaded libvpx's ``vpx_codec_version_str`` ("v1.16.0"), or "unknown"/"unavailable"."""
    try:
        av.codec.Codec("libvpx-vp9", "w")
    except ValueError:
        return "unavailable"
    library = _loaded_library("libvpx")
    if library is None:
        return "unknown"
    try:
        version = ctypes.CDLL(str(library)).vpx_codec_version_str
    except (OSError, AttributeError):
        return "unknown"
    version.restype = ctypes.c_char_p
    return version().decode("ascii", "replace")


def codec_versions() -> dict[str, str]:
    """Versions of everything that turns drawn frames into coded video, for cache keys and manifests.

    Keys: ``pyav``; ``ffmpeg`` (FFmpeg's release); each of FFmpeg's libraries PyAV reports
    (``libavcodec``, ``libavformat``, ``libavutil``, ``libswscale``, … as "62.28.102");
    ``libx264`` (x264's identification, "core 165") and ``libvpx`` ("v1.16.0"): either may be
    "unknown" (not readable here) or "unavailable" (not built into this PyAV).
    Computed once per process (a tiny x264 encode, about 2 ms); each call returns a fresh dict.
    """
    return dict(_versions())


@functools.cache
def _versions() -> dict[str, str]:
    versions = {"pyav": str(av.__version__), "ffmpeg": str(getattr(av, "ffmpeg_version_info", "unknown"))}
    for library, numbers in sorted(getattr(av, "library_versions", {}).items()):
        versions[library] = ".".join(str(number) for number in numbers)
    versions["libx264"] = _x264_identification()
    versions["libvpx"] = _libvpx_version()
    return versions
