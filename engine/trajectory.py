"""The Trajectory record of a (batched) optimization run, and its npz / json / csv io.

Shapes (T steps, B configurations, d coordinates), for ``record="full"``:

- ``theta``     (T+1, B, d): θ_0 … θ_T (θ_0 = start);
- ``velocity``  (T+1, B, d): optimizer velocity after each step, velocity[0] = 0;
- ``grad``      (T, B, d):   the loss gradient used at step t (before weight decay);
- ``loss``      (T+1, B):    the true full-batch loss L(θ_t);
- ``lookahead`` (T, B, d) or None: Nesterov's look-ahead points (where grad was evaluated);
- ``diverged_at`` (B,) int:  first index k with θ_k out of bounds, −1 if never.

Light records keep less (see ``RECORD_MODES``): ``"loss"`` keeps the per-step
loss (T+1, B) and only the final θ and velocity, shape (1, B, d);
``"final"`` keeps only final θ, velocity (1, B, d) and loss (1, B). In both,
``grad`` and ``lookahead`` are None.

All io round-trips are exact in float64: json and csv write floats with
``repr`` (the shortest string that reads back to the same double).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Trajectory", "RECORD_MODES"]

RECORD_MODES: tuple[str, ...] = ("full", "loss", "final")

_FORMAT = "ravine-trajectory"
_FORMAT_VERSION = 1
_CSV_MAGIC = "# " + _FORMAT + " "
_VECTOR_FIELDS = ("theta", "velocity", "grad", "lookahead")


def _jsonable(value: Any) -> Any:
    """Metadata value -> plain JSON types (arrays to nested lists, numpy scalars to Python)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _encode_metadata(metadata: dict, squeeze: bool) -> tuple[dict, list[str]]:
    """Metadata to JSON types; arrays are listed by key (and lose the batch axis if squeeze)."""
    array_keys = sorted(k for k, v in metadata.items() if isinstance(v, np.ndarray))
    encoded = {}
    for key, value in metadata.items():
        if key in array_keys and squeeze and value.ndim >= 1 and value.shape[0] == 1:
            value = value[0]
        encoded[str(key)] = _jsonable(value)
    return encoded, array_keys


def _decode_metadata(params: dict, array_keys: list[str], squeezed: bool) -> dict:
    metadata = dict(params)
    for key in array_keys:
        arr = np.asarray(metadata[key], dtype=np.float64)
        metadata[key] = arr[None] if squeezed else arr
    return metadata


def _as_text_source(source: str | Path) -> str:
    """A JSON string stays as is; anything else is read as a path."""
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return source
    return Path(source).read_text(encoding="utf-8")


@dataclass(eq=False)
class Trajectory:
    """What a run computed, batched over B configurations (see the module docstring for shapes).

    Divergence convention (set by ``run``): for a configuration with
    ``diverged_at == k`` (k >= 1), θ, velocity and loss at indices >= k repeat
    their values at k − 1 (the last in-bound state), ``grad[k − 1:]`` is zero and
    ``lookahead[k − 1:]`` repeats θ_{k−1}; arrays never contain NaN or inf.

    ``metadata`` holds the run's parameters: landscape, optimizer, convention,
    per-configuration arrays ``lr``, ``beta``, ``dampening``, ``weight_decay``
    (B,) and ``start`` (B, d), seed, noise (None, "minibatch" or σ),
    batch_size (the MINI-batch size b, None without mini-batch noise; not to be
    confused with the property ``batch_size`` = B), n_samples, steps, record,
    divergence_bound, engine_version.
    """

    theta: np.ndarray
    velocity: np.ndarray
    grad: np.ndarray | None
    loss: np.ndarray
    lookahead: np.ndarray | None
    diverged_at: np.ndarray
    metadata: dict = field(default_factory=dict)
    record: str = "full"

    def __post_init__(self) -> None:
        if self.record not in RECORD_MODES:
            raise ValueError(f"record must be one of {', '.join(RECORD_MODES)}; got {self.record!r}")

    # ----------------------------------------------------------------- shape
    @property
    def steps(self) -> int:
        """Number of optimizer steps T taken (also for light records)."""
        if self.record == "full":
            return self.theta.shape[0] - 1
        if self.record == "loss":
            return self.loss.shape[0] - 1
        return int(self.metadata["steps"])

    @property
    def batch_size(self) -> int:
        """Number of configurations B."""
        return self.theta.shape[1]

    @property
    def dim(self) -> int:
        """Number of coordinates d."""
        return self.theta.shape[2]

    @property
    def final(self) -> np.ndarray:
        """Final parameters θ_T (frozen value for diverged configurations), shape (B, d)."""
        return self.theta[-1]

    @property
    def final_loss(self) -> np.ndarray:
        """Final loss L(θ_T), shape (B,)."""
        return self.loss[-1]

    @property
    def diverged(self) -> np.ndarray:
        """Boolean mask of configurations that diverged, shape (B,)."""
        return self.diverged_at >= 0

    def select(self, index: int) -> "Trajectory":
        """Configuration ``index`` alone, as a Trajectory with B = 1 (metadata arrays sliced too)."""
        batch = self.batch_size
        if not -batch <= index < batch:
            raise IndexError(f"index {index} out of range for batch of {batch}")
        i = index % batch
        pick = slice(i, i + 1)

        def cut(arr: np.ndarray | None) -> np.ndarray | None:
            """Column ``i`` of a (N, B, ...) array, kept as (N, 1, ...)."""
            return None if arr is None else arr[:, pick].copy()

        metadata = {
            key: (value[pick].copy() if isinstance(value, np.ndarray) and value.ndim >= 1
                  and value.shape[0] == batch else value)
            for key, value in self.metadata.items()
        }
        return Trajectory(
            theta=cut(self.theta), velocity=cut(self.velocity), grad=cut(self.grad),
            loss=self.loss[:, pick].copy(), lookahead=cut(self.lookahead),
            diverged_at=self.diverged_at[pick].copy(), metadata=metadata, record=self.record,
        )

    def _arrays(self) -> dict[str, np.ndarray]:
        arrays = {"theta": self.theta, "velocity": self.velocity, "loss": self.loss,
                  "diverged_at": self.diverged_at}
        if self.grad is not None:
            arrays["grad"] = self.grad
        if self.lookahead is not None:
            arrays["lookahead"] = self.lookahead
        return arrays

    # ------------------------------------------------------------------- npz
    def to_npz(self, path: str | Path) -> None:
        """Write a compressed ``.npz`` to exactly ``path`` (no suffix is added): the arrays
        (``theta``, ``velocity``, ``loss``, ``diverged_at``, and ``grad``/``lookahead`` when
        recorded) plus ``header``, a JSON string with the metadata and record mode."""
        params, array_keys = _encode_metadata(self.metadata, squeeze=False)
        header = json.dumps({"format": _FORMAT, "version": _FORMAT_VERSION, "record": self.record,
                             "params": params, "array_params": array_keys})
        with open(path, "wb") as handle:
            np.savez_compressed(handle, header=np.array(header), **self._arrays())

    @classmethod
    def from_npz(cls, path: str | Path) -> "Trajectory":
        """Read a Trajectory written by ``to_npz``."""
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            arrays = {key: data[key] for key in data.files if key != "header"}
        return cls(
            theta=arrays["theta"], velocity=arrays["velocity"], grad=arrays.get("grad"),
            loss=arrays["loss"], lookahead=arrays.get("lookahead"),
            diverged_at=arrays["diverged_at"],
            metadata=_decode_metadata(header["params"], header["array_params"], squeezed=False),
            record=header["record"],
        )

    # ------------------------------------------------------------------ json
    def to_json(self, path: str | Path | None = None) -> str:
        """JSON text (also written to ``path`` if given).

        Object keys: ``format``, ``version``, ``record``, ``batch_size``, ``dim``,
        ``steps``, ``params`` (the metadata), ``array_params`` (which params are
        per-configuration arrays), ``diverged_at`` and the per-step arrays
        ``theta``, ``velocity``, ``grad``, ``loss``, ``lookahead`` (null when not
        recorded) as nested lists. For B == 1 the batch axis is dropped everywhere:
        ``theta`` is a list of T+1 rows [θ₀, θ₁, …], ``loss`` a list of numbers,
        ``diverged_at`` an int, ``params.lr`` a number and ``params.start`` a row.
        """
        squeeze = self.batch_size == 1
        params, array_keys = _encode_metadata(self.metadata, squeeze=squeeze)
        doc: dict[str, Any] = {
            "format": _FORMAT, "version": _FORMAT_VERSION, "record": self.record,
            "batch_size": self.batch_size, "dim": self.dim, "steps": self.steps,
            "params": params, "array_params": array_keys,
        }
        diverged = self.diverged_at[0] if squeeze else self.diverged_at
        doc["diverged_at"] = _jsonable(diverged)
        for name in ("theta", "velocity", "grad", "loss", "lookahead"):
            arr = getattr(self, name)
            if arr is not None and squeeze:
                arr = arr[:, 0]
            doc[name] = None if arr is None else arr.tolist()
        text = json.dumps(doc)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> "Trajectory":
        """Read ``to_json`` output from a JSON string or a file path."""
        doc = json.loads(_as_text_source(source))
        if doc.get("format") != _FORMAT:
            raise ValueError("not a ravine trajectory JSON document (format key missing)")
        squeezed = doc["batch_size"] == 1
        arrays: dict[str, np.ndarray | None] = {}
        for name in ("theta", "velocity", "grad", "loss", "lookahead"):
            value = doc.get(name)
            if value is None:
                arrays[name] = None
                continue
            arr = np.asarray(value, dtype=np.float64)
            if name == "grad" and arr.size == 0:
                arr = np.zeros((0, doc["dim"]))
            arrays[name] = arr[:, None] if squeezed else arr
        diverged = np.asarray(doc["diverged_at"], dtype=np.int64)
        return cls(
            theta=arrays["theta"], velocity=arrays["velocity"], grad=arrays["grad"],
            loss=arrays["loss"], lookahead=arrays["lookahead"],
            diverged_at=diverged.reshape(1) if squeezed else diverged,
            metadata=_decode_metadata(doc["params"], doc["array_params"], squeezed=squeezed),
            record=doc["record"],
        )

    # ------------------------------------------------------------------- csv
    def _recorded_steps(self, name: str) -> range:
        """Step indices at which field ``name`` holds values."""
        arr = getattr(self, name)
        return range(self.steps - arr.shape[0] + 1, self.steps + 1) if name in ("theta", "velocity", "loss") \
            else range(arr.shape[0])

    def to_csv(self, path: str | Path | None = None, *, header: bool = True) -> str:
        """CSV text (also written to ``path`` if given): one row per (config, step).

        With ``header`` (default) the first line is a comment, ``# ravine-trajectory
        {json}``, carrying the metadata, record mode, sizes and ``diverged_at`` so that
        ``from_csv`` round-trips exactly (pandas: ``read_csv(..., comment="#")``).
        Columns: ``config``, ``step``, ``theta_0..theta_{d-1}``, ``velocity_*``,
        ``grad_*``, [``lookahead_*`` for Nesterov], ``loss``; floats as ``repr``. A
        cell is empty where that field was not recorded (``grad`` at step T; light
        records at intermediate steps).
        """
        d, batch = self.dim, self.batch_size
        vector_fields = [f for f in _VECTOR_FIELDS if f != "lookahead" or self.lookahead is not None]
        columns = ["config", "step"]
        for name in vector_fields:
            columns += [f"{name}_{j}" for j in range(d)]
        columns.append("loss")
        steps_of = {name: (self._recorded_steps(name) if getattr(self, name) is not None else range(0))
                    for name in vector_fields + ["loss"]}
        all_steps = sorted(set().union(*(set(r) for r in steps_of.values())))
        out = io.StringIO()
        if header:
            params, array_keys = _encode_metadata(self.metadata, squeeze=False)
            info = {"record": self.record, "batch_size": batch, "dim": d, "steps": self.steps,
                    "params": params, "array_params": array_keys,
                    "diverged_at": self.diverged_at.tolist(), "lookahead": self.lookahead is not None}
            out.write(_CSV_MAGIC + json.dumps(info) + "\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for config in range(batch):
            for step in all_steps:
                row: list[str] = [str(config), str(step)]
                for name in vector_fields + ["loss"]:
                    width = 1 if name == "loss" else d
                    recorded = steps_of[name]
                    if step in recorded:
                        values = np.atleast_1d(getattr(self, name)[step - recorded.start, config])
                        row += [repr(float(v)) for v in values]
                    else:
                        row += [""] * width
                writer.writerow(row)
        text = out.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_csv(cls, source: str | Path) -> "Trajectory":
        """Read ``to_csv`` output from CSV text (a str with a newline) or a file path.

        Without the header line (``to_csv(header=False)``) sizes and record mode are
        inferred from the rows; metadata is then empty and ``diverged_at`` is −1.
        """
        if isinstance(source, str) and (source.startswith(_CSV_MAGIC) or "\n" in source):
            text = source
        else:
            text = Path(source).read_text(encoding="utf-8")
        first, _, body = text.partition("\n")
        info = json.loads(first[len(_CSV_MAGIC):]) if first.startswith(_CSV_MAGIC) else None
        reader = csv.DictReader(io.StringIO(body if info is not None else text))
        rows = list(reader)
        if info is None:
            info = _infer_csv_info(rows, reader.fieldnames or [])
        batch, d, steps, record = info["batch_size"], info["dim"], info["steps"], info["record"]
        light = record != "full"
        n_state = 1 if light else steps + 1
        n_loss = 1 if record == "final" else steps + 1
        arrays: dict[str, np.ndarray | None] = {
            "theta": np.zeros((n_state, batch, d)), "velocity": np.zeros((n_state, batch, d)),
            "grad": None if light else np.zeros((steps, batch, d)),
            "lookahead": np.zeros((steps, batch, d)) if info["lookahead"] else None,
            "loss": np.zeros((n_loss, batch)),
        }
        offsets = {"theta": steps + 1 - n_state, "velocity": steps + 1 - n_state,
                   "grad": 0, "lookahead": 0, "loss": steps + 1 - n_loss}
        for row in rows:
            config, step = int(row["config"]), int(row["step"])
            for name in _VECTOR_FIELDS:
                arr = arrays[name]
                if arr is None or row.get(f"{name}_0", "") == "":
                    continue
                arr[step - offsets[name], config] = [float(row[f"{name}_{j}"]) for j in range(d)]
            if row["loss"] != "":
                arrays["loss"][step - offsets["loss"], config] = float(row["loss"])
        return cls(
            theta=arrays["theta"], velocity=arrays["velocity"], grad=arrays["grad"],
            loss=arrays["loss"], lookahead=arrays["lookahead"],
            diverged_at=np.asarray(info["diverged_at"], dtype=np.int64),
            metadata=_decode_metadata(info["params"], info["array_params"], squeezed=False),
            record=record,
        )


def _infer_csv_info(rows: list[dict], fieldnames: list[str]) -> dict:
    """Sizes and record mode of a header-less trajectory CSV, from its columns and rows."""
    if not rows or not {"config", "step", "theta_0", "loss"} <= set(fieldnames):
        raise ValueError("not a ravine trajectory CSV (needs config, step, theta_*, loss columns "
                         "or the '# ravine-trajectory' header line)")
    batch = max(int(r["config"]) for r in rows) + 1
    steps = max(int(r["step"]) for r in rows)
    step_zero = [r for r in rows if r["step"] == "0"]
    if step_zero and step_zero[0]["theta_0"] != "":
        record = "full"
    elif step_zero and step_zero[0]["loss"] != "":
        record = "loss"
    else:
        record = "final"
    return {"batch_size": batch, "dim": sum(1 for f in fieldnames if f.startswith("theta_")),
            "steps": steps, "record": record, "params": {}, "array_params": [],
            "diverged_at": [-1] * batch, "lookahead": "lookahead_0" in fieldnames}
