"""A data-only file format for parsed SVG outlines: numbers in an ``.npz``, the tree in JSON.

:mod:`scenes.render.svg_cache` keeps what Manim's ``SVGMobject.generate_mobject`` makes (the
leaf mobjects and ``id_to_vgroup_dict``) on disk. Nothing in an entry can run code when it is
read: the file is opened with ``np.load(..., allow_pickle=False)``, and its two kinds of member
are plain data.

``meta`` (uint8, UTF-8 JSON)
    ``format``; ``dtypes`` (the array pools present); ``arrays``: one ``[pool, offset, shape]``
    per distinct array; ``shapes``: one per distinct node layout, ``{"class", "shared", "own"}``,
    where ``class`` is a name from :data:`CLASSES`, ``shared`` the ``[name, value]`` attributes
    equal in every node of that layout (flags, scalars, colours, enums) and ``own`` the
    ``[name, kind]`` of each attribute a node stores itself (those holding arrays or mobjects);
    ``nodes``: one ``[shape, [own values]]`` per mobject, an own value being by kind an array
    index (``a``), a node index (``m``), a list of node indices (``n``, submobjects) or a value
    (``v``); ``roots`` (the ``SVGMobject``'s submobjects) and ``groups`` (``id_to_vgroup_dict``
    as ``[name, node]`` pairs).
``a_<dtype>`` (one flat array per dtype in :data:`DTYPES`)
    Every array attribute of every node, each distinct array once.

A value in JSON is ``null``, a boolean, a number or a string as itself, or a one-key object:
``{"a": i}`` array ``i`` (a fresh copy per use), ``{"m": i}`` node ``i``, ``{"l": [...]}`` a
list, ``{"t": [...]}`` a tuple, ``{"d": [[key, value], ...]}`` a dict, ``{"c": [r, g, b, a]}`` a
``ManimColor``, ``{"e": [enum, member]}`` a member of an enum in :data:`ENUMS`, ``{"s": [dtype,
value]}`` a numpy scalar. A mobject is rebuilt as ``cls.__new__(cls)`` with its attributes set,
as unpickling did, so nothing is re-parsed or re-computed. :func:`dumps` refuses anything else
(:class:`Unstorable`) and checks that what it wrote reads back equal (:func:`differences`).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from manim import Circle, Line, Mobject, Polygon, Rectangle, RoundedRectangle, VGroup, VMobject
from manim.constants import CapStyleType, LineJointType
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.utils.color import ManimColor

FORMAT = "ravine-svg-outlines/2"
#: The classes SVG parsing makes (paths, polylines, lines, rects, circles and ellipses, polygons,
#: the groups of ``id_to_vgroup_dict`` and a ``Rectangle``'s ``grid_lines``): nothing else is built.
CLASSES: dict[str, type[Mobject]] = {cls.__name__: cls for cls in (
    VMobjectFromSVGPath, VMobject, VGroup, Line, Rectangle, RoundedRectangle, Circle, Polygon)}
ENUMS: dict[str, type[Enum]] = {cls.__name__: cls for cls in (CapStyleType, LineJointType)}
DTYPES: dict[str, np.dtype] = {name: np.dtype(name) for name in (
    "float64", "float32", "int64", "int32", "uint8", "bool")}
_DTYPE_NAMES: dict[np.dtype, str] = {dtype: name for name, dtype in DTYPES.items()}
#: Attributes only read while a mobject is first built (svgelements' path): stored as ``None``.
DROPPED = frozenset({"path_obj"})

Outlines = tuple[list[Mobject], dict[str, Mobject]]


class Unstorable(ValueError):
    """The outlines hold something this format does not describe (the entry is not written)."""


class Malformed(ValueError):
    """An entry that is not a well-formed outline file of this format."""


def _attribute_name(name: Any) -> str:
    if type(name) is not str or not name.isidentifier() or name.startswith("__"):
        raise Malformed(f"bad attribute name {name!r}")
    return name


class _Writer:
    """Turns a graph of mobjects into the JSON document and the array pools."""

    def __init__(self) -> None:
        self.nodes: list[list | None] = []
        self.node_of: dict[int, int] = {}
        self.shape_of: dict[str, int] = {}
        self.shapes: list[dict] = []
        self.array_of: dict[tuple, int] = {}
        self.arrays: list[np.ndarray] = []
        self.references = 0  # arrays and mobjects met so far: such attributes are the node's own
        self.names: set[str] = set()  # attribute names already checked

    def node(self, mobject: Mobject) -> int:
        """The index of ``mobject``'s node, adding it (and what it refers to) when new."""
        found = self.node_of.get(id(mobject))
        if found is not None:
            return found
        name = type(mobject).__name__
        if CLASSES.get(name) is not type(mobject):
            raise Unstorable(f"class {type(mobject).__qualname__} is not in the allow-list")
        index = self.node_of[id(mobject)] = len(self.nodes)
        self.nodes.append(None)
        shared, own_names, own_values = [], [], []
        for attribute, value in vars(mobject).items():
            if attribute not in self.names:
                try:
                    self.names.add(_attribute_name(attribute))
                except Malformed as error:
                    raise Unstorable(str(error)) from None
            before = self.references
            encoded = self.value(None if attribute in DROPPED else value)
            if self.references == before:
                shared.append([attribute, encoded])
                continue
            kind, encoded = _own_form(encoded)
            own_names.append([attribute, kind])
            own_values.append(encoded)
        key = json.dumps([name, shared, own_names])
        shape = self.shape_of.get(key)
        if shape is None:
            shape = self.shape_of[key] = len(self.shapes)
            self.shapes.append({"class": name, "shared": shared, "own": own_names})
        self.nodes[index] = [shape, own_values]
        return index

    def array(self, array: np.ndarray) -> int:
        name = _DTYPE_NAMES.get(array.dtype)
        if name is None:
            raise Unstorable(f"array of dtype {array.dtype}")
        key = (name, array.shape, array.tobytes())
        found = self.array_of.get(key)
        if found is None:
            found = self.array_of[key] = len(self.arrays)
            self.arrays.append(array)
        return found

    def value(self, value: Any) -> Any:
        """``value`` as JSON (see the module's docstring); :class:`Unstorable` if it has no form."""
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value
        if kind is np.ndarray:
            self.references += 1
            return {"a": self.array(value)}
        if isinstance(value, Mobject):
            self.references += 1
            return {"m": self.node(value)}
        if kind is list:
            return {"l": [self.value(item) for item in value]}
        if kind is tuple:
            return {"t": [self.value(item) for item in value]}
        if kind is dict:
            if not all(type(key) is str for key in value):
                raise Unstorable("a dict with keys other than strings")
            return {"d": [[key, self.value(item)] for key, item in value.items()]}
        if kind is ManimColor:
            rgba = value.to_rgba()
            if rgba.dtype != np.float64 or rgba.shape != (4,):
                raise Unstorable(f"colour {value!r}")
            return {"c": [float(channel) for channel in rgba]}
        if isinstance(value, Enum) and ENUMS.get(kind.__name__) is kind:
            return {"e": [kind.__name__, value.name]}
        if isinstance(value, np.generic) and value.dtype in _DTYPE_NAMES:
            return {"s": [_DTYPE_NAMES[value.dtype], value.item()]}
        raise Unstorable(f"a value of type {kind.__qualname__}")

    def document(self, roots: list[int], groups: list[list]) -> tuple[dict, dict[str, np.ndarray]]:
        """The JSON document and the ``a_<dtype>`` pools."""
        pieces: dict[str, list[np.ndarray]] = {}
        sizes: dict[str, int] = {}
        table = []
        dtypes: list[str] = []
        for array in self.arrays:
            name = _DTYPE_NAMES[array.dtype]
            if name not in pieces:
                pieces[name], sizes[name] = [], 0
                dtypes.append(name)
            table.append([dtypes.index(name), sizes[name], list(array.shape)])
            pieces[name].append(array.ravel())
            sizes[name] += array.size
        pools = {f"a_{name}": np.concatenate(pieces[name]) for name in dtypes}
        document = {"format": FORMAT, "dtypes": dtypes, "arrays": table, "shapes": self.shapes,
                    "nodes": self.nodes, "roots": roots, "groups": groups}
        return document, pools


def _own_form(encoded: Any) -> tuple[str, Any]:
    """A node's own value in its shortest form: ``("a", i)`` an array, ``("m", i)`` a node,
    ``("n", [i, ...])`` a list of nodes (submobjects), else ``("v", encoded)``."""
    if "a" in encoded:
        return "a", encoded["a"]
    if "m" in encoded:
        return "m", encoded["m"]
    items = encoded.get("l")
    if items is not None and all(type(item) is dict and "m" in item for item in items):
        return "n", [item["m"] for item in items]
    return "v", encoded


def dumps(submobjects: list[Mobject], groups: dict[str, Mobject], verify: bool = True) -> bytes:
    """The ``.npz`` bytes of an entry holding ``submobjects`` and ``groups`` (``id_to_vgroup_dict``).

    Raises :class:`Unstorable` for anything outside the format, and (``verify``) when reading the
    bytes back does not give the same graph, so a file written from them is never false.
    """
    writer = _Writer()
    roots = [writer.node(mobject) for mobject in submobjects]
    if type(groups) is not dict or not all(type(name) is str for name in groups):
        raise Unstorable("id_to_vgroup_dict is not a dict of names")
    pairs = [[name, writer.node(group)] for name, group in groups.items()]
    document, pools = writer.document(roots, pairs)
    meta = np.frombuffer(json.dumps(document, separators=(",", ":")).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=meta, **pools)
    data = buffer.getvalue()
    if verify:
        again, again_groups = load(io.BytesIO(data))
        found = differences((submobjects, groups), (again, again_groups))
        if found:
            raise Unstorable("read back differently: " + "; ".join(found[:3]))
    return data


class _Reader:
    """Rebuilds the mobjects of a parsed document."""

    def __init__(self, document: dict, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays
        shapes = []
        for shape in document["shapes"]:
            cls = CLASSES[shape["class"]]
            own = [(_attribute_name(name), kind) for name, kind in shape["own"]]
            if not all(kind in ("a", "m", "n", "v") for _, kind in own):
                raise Malformed("unknown kind of own value")
            shapes.append((cls, shape["shared"], own))
        self.nodes = document["nodes"]
        self.objects = [shapes[shape][0].__new__(shapes[shape][0]) for shape, _ in self.nodes]
        self.shapes = []
        for cls, shared, own in shapes:
            fixed, fresh = {}, []
            for name, encoded in shared:
                if _needs_fresh_copy(encoded):
                    fresh.append((_attribute_name(name), encoded))
                else:
                    fixed[_attribute_name(name)] = self.value(encoded)
            self.shapes.append((fixed, fresh, own))

    def build(self) -> list[Mobject]:
        """Set every node's attributes; the nodes, in order. (A bad index raises IndexError or
        TypeError, as a malformed entry should.)"""
        value, arrays, objects = self.value, self.arrays, self.objects
        for target, (shape, own_values) in zip(self.objects, self.nodes):
            fixed, fresh, own = self.shapes[shape]
            attributes = dict(fixed)
            for name, encoded in fresh:
                attributes[name] = value(encoded)
            if len(own_values) != len(own):
                raise Malformed("a node's values do not match its shape")
            for (name, kind), encoded in zip(own, own_values):
                if kind == "a":
                    attributes[name] = arrays[encoded].copy()
                elif kind == "n":
                    attributes[name] = [objects[index] for index in encoded]
                elif kind == "m":
                    attributes[name] = objects[encoded]
                else:
                    attributes[name] = value(encoded)
            target.__dict__.update(attributes)
        return self.objects

    def value(self, encoded: Any) -> Any:
        kind = type(encoded)
        if kind is not dict:
            if encoded is None or kind in (bool, int, float, str):
                return encoded
            raise Malformed(f"bare {kind.__name__} in a value")
        if len(encoded) != 1:
            raise Malformed("a tagged value with several keys")
        ((tag, body),) = encoded.items()
        if tag == "a":
            return self.arrays[_index(body)].copy()
        if tag == "m":
            return self.objects[_index(body)]
        if tag == "l":
            return [self.value(item) for item in body]
        if tag == "t":
            return tuple(self.value(item) for item in body)
        if tag == "d":
            return {_text(key): self.value(item) for key, item in body}
        if tag == "c":
            rgba = np.array(body, dtype=np.float64)
            if rgba.shape != (4,):
                raise Malformed("a colour without four channels")
            return ManimColor(rgba)
        if tag == "e":
            enum, member = body
            return ENUMS[enum][_text(member)]
        if tag == "s":
            dtype, number = body
            if type(number) not in (bool, int, float):
                raise Malformed("a numpy scalar that is not a number")
            return DTYPES[dtype].type(number)
        raise Malformed(f"unknown tag {tag!r}")


def _index(body: Any) -> int:
    if type(body) is not int or body < 0:
        raise Malformed(f"bad index {body!r}")
    return body


def _text(body: Any) -> str:
    if type(body) is not str:
        raise Malformed(f"expected a string, got {type(body).__name__}")
    return body


def _needs_fresh_copy(encoded: Any) -> bool:
    """Whether a shared value decodes to something mutable, so each node needs its own."""
    if type(encoded) is not dict or len(encoded) != 1:
        return False
    ((tag, body),) = encoded.items()
    if tag in ("l", "d", "a", "m"):
        return True
    return tag == "t" and any(_needs_fresh_copy(item) for item in body)


def load(source: Path | BinaryIO) -> Outlines:
    """The submobjects and ``id_to_vgroup_dict`` stored in the ``.npz`` at ``source``.

    Never unpickles (``allow_pickle=False``); raises (:class:`Malformed`, ``ValueError``,
    ``OSError``, ``KeyError``, ...) on anything that is not a well-formed entry of this format.
    """
    opened = np.load(source, allow_pickle=False)
    if not isinstance(opened, np.lib.npyio.NpzFile):
        raise Malformed("not an .npz archive")
    with opened as archive:
        meta = archive["meta"]
        if meta.dtype != np.uint8 or meta.ndim != 1:
            raise Malformed("meta is not UTF-8 bytes")
        document = json.loads(meta.tobytes())
        if type(document) is not dict or document.get("format") != FORMAT:
            raise Malformed("not this format")
        pools = []
        for name in document["dtypes"]:
            pool = archive[f"a_{_text(name)}"]
            if pool.dtype != DTYPES[name] or pool.ndim != 1:
                raise Malformed(f"pool {name} is not a flat {name} array")
            pools.append(pool)
    arrays = []
    for pool, offset, shape in document["arrays"]:
        if not all(type(size) is int and size >= 0 for size in shape):
            raise Malformed(f"bad array shape {shape!r}")
        size = math.prod(shape)
        piece = pools[_index(pool)][_index(offset):offset + size]
        if piece.size != size:
            raise Malformed("an array runs past its pool")
        arrays.append(piece.reshape(shape))
    reader = _Reader(document, arrays)
    objects = reader.build()
    roots = [objects[_index(index)] for index in document["roots"]]
    groups = {_text(name): objects[_index(index)] for name, index in document["groups"]}
    return roots, groups


def differences(expected: Any, actual: Any, ignore: frozenset[str] = DROPPED) -> list[str]:
    """Where ``actual`` differs from ``expected``, compared as data: mobjects by class and every
    attribute (but ``ignore``), pairing each mobject with one counterpart throughout (so sharing is
    kept), arrays by dtype, shape and bytes, colours by RGBA, floats by value (NaN equal to NaN)."""
    found: list[str] = []
    paired: dict[int, int] = {}
    keep: list[Any] = []  # the paired objects stay alive, so their ids stay theirs
    for where, problem in _walk(expected, actual, "", paired, keep, ignore):
        found.append(f"{where or 'top'}: {problem}")
    return found


def _walk(a: Any, b: Any, where: str, paired: dict[int, int], keep: list[Any],
          ignore: frozenset[str]) -> Iterator[tuple[str, str]]:
    if type(a) is not type(b):
        yield where, f"{type(a).__name__} != {type(b).__name__}"
        return
    if isinstance(a, Mobject):
        if id(a) in paired:
            if paired[id(a)] != id(b):
                yield where, "a shared mobject is not shared the same way"
            return
        paired[id(a)] = id(b)
        keep.extend((a, b))
        names_a, names_b = set(vars(a)) - ignore, set(vars(b)) - ignore
        if names_a != names_b:
            yield where, f"attributes differ: {sorted(names_a ^ names_b)}"
        for name in sorted(names_a & names_b):
            yield from _walk(vars(a)[name], vars(b)[name], f"{where}.{name}", paired, keep, ignore)
    elif isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
            yield where, "arrays differ"
    elif isinstance(a, ManimColor):
        if not np.array_equal(a.to_rgba(), b.to_rgba()):
            yield where, f"{a!r} != {b!r}"
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            yield where, f"lengths {len(a)} != {len(b)}"
        else:
            for index, (item_a, item_b) in enumerate(zip(a, b)):
                yield from _walk(item_a, item_b, f"{where}[{index}]", paired, keep, ignore)
    elif isinstance(a, dict):
        if list(a) != list(b):
            yield where, "dict keys differ"
        else:
            for key in a:
                yield from _walk(a[key], b[key], f"{where}[{key!r}]", paired, keep, ignore)
    elif isinstance(a, float):
        if not (a == b or (math.isnan(a) and math.isnan(b))):
            yield where, f"{a!r} != {b!r}"
    elif a != b:
        yield where, f"{a!r} != {b!r}"
