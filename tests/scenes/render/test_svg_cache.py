"""scenes.render.svg_cache: outlines loaded from the disk cache are exactly the parsed ones, and an
entry is data only (an ``.npz`` read without pickle), so a crafted one never runs code."""

from __future__ import annotations

import io
import json
import pathlib
import pickle
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from manim import BOLD, ITALIC, MathTex, Text, tempconfig
from manim.camera.camera import Camera
from manim.mobject.svg import svg_mobject

from scenes.render import svg_cache, svg_store

#: Text and MathTex of different fonts, sizes and colours, with colour per substring.
OBJECTS: dict[str, Callable[[], svg_mobject.SVGMobject]] = {
    "text": lambda: Text("‖θ − θ*‖ = 0.25\nβ = 0.9", font="DejaVu Sans", font_size=30, t2c={"[0:7]": "#FF8800"}),
    "serif-bold": lambda: Text("Heavy ball", font="DejaVu Serif", font_size=56, color="#44AAFF", weight=BOLD),
    "mono-italic": lambda: Text("step 12: 0.0031", font="DejaVu Sans Mono", font_size=18, slant=ITALIC),
    "t2c": lambda: Text("gradient plus velocity", font="DejaVu Sans", font_size=36,
                        t2c={"gradient": "#FF4444", "velocity": "#00FF88"}),
    "tex": lambda: MathTex(r"\rho = \frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}"),
    "tex-parts": lambda: MathTex(r"v", r"=", r"\beta v + g", font_size=60, color="#FFCC00",
                                 tex_to_color_map={r"\beta": "#FF4444"}),
}
#: What draws a mobject, or styles it later, besides its class.
DRAWN = ("points", "fill_rgbas", "stroke_rgbas", "background_stroke_rgbas", "stroke_width",
         "background_stroke_width", "sheen_factor", "sheen_direction", "z_index")


def build(kind: str) -> svg_mobject.SVGMobject:
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's in-process cache would hide ours
    return OBJECTS[kind]()


def outline(mobject) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(part.points.copy(), part.fill_rgbas.copy()) for part in mobject.family_members_with_points()]


def same_outline(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(a, b))


def frame(mobject) -> np.ndarray:
    camera = Camera()
    camera.capture_mobject(mobject)
    return camera.pixel_array.copy()


@pytest.fixture(scope="module")
def svg_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Manim's own text and LaTeX SVG folders, shared by this module's tests (LaTeX is slow)."""
    root = tmp_path_factory.mktemp("svgs")
    return {"text_dir": str(root / "texts"), "tex_dir": str(root / "tex"), "pixel_width": 480, "pixel_height": 270}


@pytest.fixture
def cache(tmp_path: Path, svg_dirs: dict) -> Iterator[Path]:
    with tempconfig(svg_dirs):
        svg_cache.enable(tmp_path / "outlines")
        yield tmp_path / "outlines"
        svg_cache.disable()


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Calling it makes any SVG parsing (svgelements, or Manim's generate_mobject) fail."""
    def forbid() -> None:
        def refuse(*args, **kwargs):
            raise AssertionError("parsed an SVG")
        monkeypatch.setattr(svg_mobject.se.SVG, "parse", refuse)
        monkeypatch.setattr(svg_cache, "_original_generate", refuse)
    return forbid


@pytest.mark.parametrize("kind", ["text", "tex"])
def test_cached_outlines_equal_parsed_ones(kind: str, cache: Path) -> None:
    svg_cache.disable()
    parsed = outline(build(kind))
    svg_cache.enable(cache)
    first = outline(build(kind))  # parses, stores
    assert [entry.suffix for entry in cache.iterdir()] == [".npz"]
    loaded_mobject = build(kind)  # loads
    loaded = outline(loaded_mobject)
    assert len(parsed) > 3
    assert same_outline(parsed, first) and same_outline(parsed, loaded)
    assert all(part.path_obj is None for part in loaded_mobject.get_family() if hasattr(part, "path_obj"))


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_rebuilt_mobject_is_the_parsed_one(kind: str, cache: Path, no_parsing: Callable[[], None]) -> None:
    svg_cache.disable()
    parsed = build(kind)
    svg_cache.enable(cache)
    build(kind)  # parses, stores
    no_parsing()
    loaded = build(kind)

    family_p, family_l = parsed.get_family(), loaded.get_family()
    assert len(family_p) == len(family_l) > 2
    assert [type(m).__name__ for m in family_p] == [type(m).__name__ for m in family_l]
    for part_p, part_l in zip(family_p, family_l):
        for name in DRAWN:
            value_p, value_l = getattr(part_p, name), getattr(part_l, name)
            assert type(value_p) is type(value_l) and np.array_equal(value_p, value_l), (kind, name)
    assert list(parsed.id_to_vgroup_dict) == list(loaded.id_to_vgroup_dict)
    for name, group_p in parsed.id_to_vgroup_dict.items():
        group_l = loaded.id_to_vgroup_dict[name]
        assert [family_p.index(m) for m in group_p] == [family_l.index(m) for m in group_l], name
    assert svg_store.differences(parsed, loaded) == []  # every attribute, everywhere
    assert np.array_equal(frame(parsed), frame(loaded))
    assert frame(loaded).any()


def payloads(marker: Path) -> dict[str, bytes]:
    """Entries whose loading with pickle would create ``marker``."""
    class Touch:
        def __reduce__(self):
            return pathlib.Path.touch, (marker,)

    pickled = pickle.dumps((Touch(), {}), protocol=5)

    def npz(**members) -> bytes:
        buffer = io.BytesIO()
        np.savez(buffer, **members)  # object arrays are pickled inside the .npy
        return buffer.getvalue()

    objects = np.empty(1, dtype=object)
    objects[0] = Touch()
    good_meta = np.frombuffer(json.dumps({"format": svg_store.FORMAT, "dtypes": ["float64"], "arrays": [],
                                          "shapes": [], "nodes": [], "roots": [], "groups": []}).encode(), np.uint8)
    return {"pickle": zlib.compress(pickled), "raw-pickle": pickled,
            "object-meta": npz(meta=objects), "object-pool": npz(meta=good_meta, a_float64=objects)}


def test_payloads_would_run_if_unpickled(tmp_path: Path) -> None:
    """The payloads below are real: unpickling one creates its marker."""
    marker = tmp_path / "ran"
    entries = payloads(marker)
    pickle.loads(zlib.decompress(entries["pickle"]))
    assert marker.exists()
    marker.unlink()
    with np.load(io.BytesIO(entries["object-pool"]), allow_pickle=True) as archive:
        archive["a_float64"]
    assert marker.exists()


@pytest.mark.parametrize("payload", ["pickle", "raw-pickle", "object-meta", "object-pool"])
def test_a_pickle_in_the_cache_is_never_unpickled(payload: str, cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    data = payloads(marker)[payload]
    svg_cache.disable()
    expected = outline(build("text"))
    svg_bytes = build("text").get_file_path().read_bytes()
    key = svg_cache.entry_key(build("text"), svg_bytes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(svg_cache, "FORMAT", 1)
        old_key = svg_cache.entry_key(build("text"), svg_bytes)  # named as format 1 named it
    old_entries = [cache / f"{old_key}.pickle.z", cache / f"{key}.pickle.z"]
    for entry in old_entries:
        entry.write_bytes(data)
    entry = cache / f"{key}.npz"
    entry.write_bytes(data)
    svg_cache.enable(cache)
    assert not any(old.exists() for old in old_entries)  # deleted, unread
    for entry_name in old_entries:
        entry_name.write_bytes(data)  # and ignored when they come back
    built = outline(build("text"))  # the crafted .npz is ignored, parsed and rewritten
    assert not marker.exists()
    assert same_outline(built, expected)
    svg_store.load(entry)  # now a good entry
    assert same_outline(outline(build("text")), expected) and not marker.exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "unknown-class", "wrong-format"])
def test_unreadable_entry_is_rebuilt(damage: str, cache: Path) -> None:
    expected = outline(build("text"))
    (entry,) = cache.iterdir()
    good = entry.read_bytes()
    if damage == "garbage":
        bad = b"not an outline file"
    elif damage == "truncated":
        bad = good[: len(good) // 2]
    elif damage == "empty":
        bad = b""
    else:
        with np.load(entry, allow_pickle=False) as archive:
            members = {name: archive[name] for name in archive.files}
        document = json.loads(members["meta"].tobytes())
        if damage == "unknown-class":
            document["shapes"][0]["class"] = "Path"
        else:
            document["format"] = "ravine-svg-outlines/1"
        members["meta"] = np.frombuffer(json.dumps(document).encode(), np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **members)
        bad = buffer.getvalue()
    with pytest.raises(Exception):
        svg_store.load(io.BytesIO(bad))
    entry.write_bytes(bad)
    again = outline(build("text"))
    assert same_outline(expected, again)
    assert entry.read_bytes() != bad  # rewritten whole
    svg_store.load(entry)
    assert same_outline(outline(build("text")), expected)  # and read back


def test_what_the_format_cannot_describe_is_not_stored() -> None:
    from manim import Square, VMobject

    with pytest.raises(svg_store.Unstorable, match="allow-list"):
        svg_store.dumps([Square()], {})  # not a class SVG parsing makes
    part = VMobject()
    part.extra = object()
    with pytest.raises(svg_store.Unstorable, match="object"):
        svg_store.dumps([part], {})
    part.extra = (1, 2.5, None, "x", [np.float32(0.5)], {"k": True})
    (rebuilt,), _ = svg_store.load(io.BytesIO(svg_store.dumps([part], {})))
    assert svg_store.differences(part, rebuilt) == [] and rebuilt.extra == part.extra
