"""Rendering jobs on a Dask cluster (``--cluster ADDRESS``): the jobs left after the cache check
run as tasks on a Dask ``distributed`` scheduler; their files come back to this process, which
commits them into the output folder exactly as a local render does.

**Outputs flow back; nothing is shared.** A worker renders a job into a scratch folder of its own
(inside the Dask worker's local directory), then reads every file of the clip (video, poster,
captions and the sealed manifest, already written for the client's output folder) into chunks
of at most :data:`CHUNK_BYTES` with each file's size and SHA-256, removes the scratch folder and
returns that :class:`ShippedClip`. Here each file is written chunk by chunk (a chunk is released
as it is written, so a clip is held once) into an owned temporary folder inside the output
folder, checked against its size and SHA-256, and the set is committed with
:func:`ravine.pipeline.render.commit`: manifest last, under the folder's lock.

**Versions.** With every job goes what this client's cache key is made of
(:class:`CodeVersions`: ravine, Manim, numpy and the coding libraries' versions, and the hash of
the source that shapes a clip) and the job's cache key. A worker with anything else refuses the
job (one line naming each difference); one that computes another key for the job (its inputs
differ) refuses too. The client then cancels the run and exits 1 with that line; nothing from
that worker is written, so outputs of two code versions never mix.

**Faults.** A worker that dies while it renders (killed, out of memory, its machine gone) is
noticed by the scheduler, which runs the task again on another worker (up to the scheduler's
``distributed.scheduler.allowed-failures``, 3 by default); an exception raised on a worker
outside ravine's render (one that cannot import ravine, say) is retried :data:`RETRIES` times,
and a render that fails there (a failed encode, a full scratch disk) is its own error, as here.
Nothing is written here before a whole clip has arrived. The scheduler unreachable, or no worker within the wait:
:class:`~ravine.pipeline.executor.ClusterError` within ``$RAVINE_CLUSTER_TIMEOUT`` seconds
(default 10, :class:`~ravine.pipeline.job.ClusterTarget`). An interrupt (Ctrl-C, SIGTERM) cancels
every task not yet finished on the cluster, then propagates.

Dask is imported only here, and only when a cluster is used: ``pip install 'ravine[cluster]'``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ravine.media import outputs
from ravine.pipeline import cache
from ravine.pipeline.executor import ClusterError, pack_error, unpack_error
from ravine.pipeline.job import CLUSTER_TIMEOUT_ENV, ClusterTarget, RenderJob, RenderResult

CHUNK_BYTES = 8 * 2**20  # the largest piece of a file in one message
RETRIES = 2  # reruns of a task that raised on a worker outside the render (its deaths: the scheduler's)
INSTALL_HINT = "pip install 'ravine[cluster]'"

# Manim's configuration is one per process: a worker with several threads renders one job at a time.
_RENDER_LOCK = threading.Lock()


# --- what must match between the client and a worker -------------------------------------------
@dataclass(frozen=True)
class CodeVersions:
    """What a clip's cache key takes from the process that renders it: ``packages`` (ravine,
    Manim, numpy and, under ``codec``, PyAV, FFmpeg, x264 and libvpx: :func:`cache.versions`) and
    ``source``, the SHA-256 of the code that shapes a clip (:func:`cache.source_hash`)."""

    packages: dict[str, Any]
    source: str

    @classmethod
    def here(cls) -> CodeVersions:
        """This process's versions."""
        return cls(cache.versions(), cache.source_hash())

    def differences(self, client: CodeVersions) -> list[str]:
        """Each way these (a worker's) differ from the ``client``'s, as ``manim 0.22.1 (client:
        0.22.0)``; the source as its hash's first 12 digits. Empty when they are the same."""
        mine, theirs = _flat(self.packages), _flat(client.packages)
        found = [f"{name} {mine.get(name, 'missing')} (client: {theirs.get(name, 'missing')})"
                 for name in sorted(set(mine) | set(theirs)) if mine.get(name) != theirs.get(name)]
        if self.source != client.source:
            found.append(f"ravine source hash {self.source[:12]} (client: {client.source[:12]})")
        return found


def _flat(versions: dict[str, Any]) -> dict[str, str]:
    """``{"codec": {"ffmpeg": "8.1"}}`` as ``{"ffmpeg": "8.1"}`` (nested names without their group)."""
    flat: dict[str, str] = {}
    for name, value in versions.items():
        if isinstance(value, dict):
            flat.update(_flat(value))
        else:
            flat[name] = str(value)
    return flat


# --- a clip on its way back -------------------------------------------------------------------
@dataclass
class ShippedFile:
    """One finished file of a clip: its ``name`` in the output folder, its ``size`` (bytes) and
    ``sha256``, and its content in ``chunks`` of at most :data:`CHUNK_BYTES`: numpy byte arrays,
    which Dask sends as they are (pickle protocol 5's out-of-band buffers: no copy of the clip
    is made to serialize it, and none to read it here)."""

    name: str
    size: int
    sha256: str
    chunks: list[np.ndarray]

    @classmethod
    def read(cls, path: Path, name: str) -> ShippedFile:
        """The file at ``path``, to be written as ``name``."""
        digest, chunks = hashlib.sha256(), []
        with open(path, "rb") as source:
            size = os.fstat(source.fileno()).st_size
            for start in range(0, size, CHUNK_BYTES):
                chunk = np.empty(min(CHUNK_BYTES, size - start), dtype=np.uint8)
                if source.readinto(memoryview(chunk)) != chunk.size:
                    raise OSError(f"'{path}' changed while it was read")
                digest.update(chunk)
                chunks.append(chunk)
        return cls(name, size, digest.hexdigest(), chunks)

    def write(self, path: Path, sender: str, release: bool = True) -> None:
        """Write the chunks to ``path``, releasing each once written (``release=False`` keeps
        them: a file a worker may write again for its next job); a
        :class:`~ravine.media.outputs.DamagedFile` if what arrived is not the size and SHA-256
        ``sender`` reported."""
        digest, size = hashlib.sha256(), 0
        with open(path, "wb") as target:
            for chunk in self._chunks(release):
                digest.update(chunk)
                target.write(chunk)
                size += memoryview(chunk).nbytes
        if size != self.size or digest.hexdigest() != self.sha256:
            raise outputs.DamagedFile(f"'{self.name}' arrived from {sender} as {size} bytes that do not match "
                                      f"the {self.size} bytes and SHA-256 it sent")


    def _chunks(self, release: bool) -> Iterator[np.ndarray]:
        if not release:
            yield from self.chunks
            return
        while self.chunks:
            yield self.chunks.pop(0)


@dataclass
class ShippedFolder:
    """A job's recordings folder on its way to a worker (no shared filesystem): every file that
    :func:`~ravine.pipeline.recordings.folder_digest` hashes, read on the client and sent once
    to each worker that needs it (``Client.scatter``)."""

    folder: str
    files: list[ShippedFile]

    @classmethod
    def read(cls, folder: str) -> ShippedFolder:
        """The recordings and ``script.json`` in ``folder`` (as a job names it)."""
        from ravine.pipeline.recordings import folder_digest

        return cls(folder, [ShippedFile.read(Path(folder) / name, name) for name in folder_digest(Path(folder))])

    def write(self, into: Path, sender: str) -> None:
        """Write every file into the folder ``into``, keeping the chunks for the next job."""
        for shipped in self.files:
            shipped.write(into / shipped.name, sender, release=False)


@dataclass
class ShippedClip:
    """A clip rendered on ``worker``: its ``files`` in commit order (poster, video, captions), its
    sealed ``manifest`` and the ``result`` they make (paths in the client's output folder)."""

    worker: str
    files: list[ShippedFile]
    manifest: ShippedFile
    result: RenderResult


# --- on a worker -------------------------------------------------------------------------------
def render_remote(job: dict[str, Any], client: CodeVersions, key: str,
                  recordings: ShippedFolder | None = None) -> tuple[str, Any]:
    """The task a Dask worker runs for one job (``job`` as JSON, ``key`` its cache key on the
    client, ``recordings`` the client's recordings folder where the job names one): ``("done",
    ShippedClip)``; ``("refused", line)`` where this worker's :class:`CodeVersions` or its cache
    key for the job differ from the client's; ``("failed", (packed error, traceback text))``
    where the render raised (a bad value, a failed encode)."""
    if recordings is None:
        return _render_remote(job, client, key)
    from ravine.pipeline.recordings import standing_in

    with tempfile.TemporaryDirectory(prefix="ravine-recordings-", dir=_scratch_root()) as copy:
        try:
            recordings.write(Path(copy), "the client")
        except Exception as error:  # noqa: BLE001 - a damaged copy fails the job, as a render would
            return "failed", (pack_error(error), "".join(traceback.format_exception(error)))
        with standing_in(recordings.folder, Path(copy)):
            return _render_remote(job, client, key)


def _render_remote(job: dict[str, Any], client: CodeVersions, key: str) -> tuple[str, Any]:
    from ravine.pipeline.resolve import resolve

    worker = _worker_address()
    differences = _running_versions().differences(client)
    if differences:
        return "refused", f"worker {worker} refuses the job: it runs other versions than this client: " + \
            "; ".join(differences)
    with _RENDER_LOCK:
        try:
            parsed = RenderJob.from_json(job)
            resolved = resolve(parsed)
            if resolved.key != key:
                return "refused", (f"worker {worker} refuses {parsed.stem}: its cache key for the job differs "
                                   "from this client's (the job's inputs differ there: a --recordings folder it lacks?)")
            return "done", render_shipped(resolved, worker)
        except Exception as error:  # noqa: BLE001 - every failure of the render goes back to the client
            return "failed", (pack_error(error), "".join(traceback.format_exception(error)))


def render_shipped(resolved: Any, worker: str) -> ShippedClip:
    """Render a resolved job (:class:`~ravine.pipeline.resolve.ResolvedJob`) into a scratch
    folder of this worker and return its files, read back in chunks; the folder is removed."""
    from ravine.pipeline.frames import render_frames
    from ravine.pipeline.render import encode, stage_record
    from ravine.pipeline.resolve import make_narrator

    narrator = make_narrator(resolved)
    with tempfile.TemporaryDirectory(prefix="ravine-render-", dir=_scratch_root()) as scratch:
        staging = Path(scratch)
        run = render_frames(resolved, staging, narrator)
        finished = encode(resolved, run, staging)
        staged = stage_record(resolved, run, finished, narrator, staging)
        return ShippedClip(worker=worker, files=[ShippedFile.read(work, final.name) for work, final in staged.moves],
                           manifest=ShippedFile.read(staged.manifest_work, staged.manifest.name), result=staged.result)


@lru_cache(maxsize=1)
def _running_versions() -> CodeVersions:
    """This worker process's :class:`CodeVersions`, read once: at its start with the preload hook
    (:func:`dask_setup`), else at its first job. A worker keeps the code it imported, so after
    ravine is updated the workers are restarted (or they refuse the new clients' jobs)."""
    return CodeVersions.here()


def dask_setup(worker: Any) -> None:
    """Dask's preload hook (``dask worker ADDRESS --preload ravine.pipeline.cluster``): read this
    worker's versions and import the scenes (and Manim) as the worker starts, not at its first job."""
    import importlib

    _running_versions()
    importlib.import_module("scenes.lesson")  # the registry, and with it Manim and the render path


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # not in a Dask worker (a test calling the task itself)
        return "this process"


def _scratch_root() -> str | None:
    """The Dask worker's local directory (removed with the worker's own scratch), else the system's."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError, AttributeError):
        return None


# --- on the client -----------------------------------------------------------------------------
def receive(job: RenderJob, clip: ShippedClip) -> RenderResult:
    """Write ``clip``'s files, as they arrive, into an owned temporary folder inside ``job``'s
    output folder and commit them with its manifest as a local render does (manifest last)."""
    from ravine.pipeline.render import Staged, commit

    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    result = clip.result
    expected = {path.name for path in result.files}
    names = [shipped.name for shipped in (*clip.files, clip.manifest)]
    if sorted(names) != sorted(expected) or any(outputs.stem_problem(name) for name in names) \
            or any(Path(path).parent != out_dir for path in result.files):
        raise outputs.DamagedFile(f"{clip.worker} sent other files than {job.stem}'s ({', '.join(names)})")
    with outputs.temp_dir(out_dir) as staging:
        moves = []
        with outputs.writing(out_dir / clip.manifest.name, staging):
            for number, shipped in enumerate(clip.files):
                work = staging / f"{number}-{shipped.name}"
                shipped.write(work, clip.worker)
                moves.append((work, out_dir / shipped.name))
            manifest_work = staging / "manifest.json"
            clip.manifest.write(manifest_work, clip.worker)
        return commit(Staged(moves=moves, manifest_work=manifest_work, manifest=out_dir / clip.manifest.name,
                             result=result))


def render_on_cluster(target: ClusterTarget, jobs: Sequence[RenderJob], pending: Sequence[int], force: bool,
                      on_done: Callable[[int, RenderResult], None], results: list) -> None:
    """Render ``jobs[i]`` for each ``i`` in ``pending`` as tasks on the Dask scheduler at
    ``target``, committing each clip here as it arrives (:func:`receive`), filling ``results`` and
    calling ``on_done(index, result)`` in the order they finish. ``force`` changes nothing on a
    worker (it never looks for a cached clip; the client did).

    Raises :class:`~ravine.pipeline.executor.ClusterError` (one line) for an unreachable
    scheduler, no worker, a refused job or a lost one; the first failed render raises its own
    error as a local run does. Either way, and on an interrupt, the tasks not yet finished are
    cancelled on the cluster first.
    """
    from ravine.pipeline.resolve import resolve

    distributed = _distributed()
    client_versions = CodeVersions.here()
    keys = {index: resolve(jobs[index], check_speech=False).key for index in pending}
    with _quiet_logs(), _connected(distributed, target) as client:
        for folder in dict.fromkeys(jobs[index].out_dir for index in pending):  # made once the cluster is there
            outputs.clean_stale_temps(outputs.ensure_writable_dir(Path(folder)))
        futures: dict[Any, int] = {}
        try:
            # Each recordings folder is read once and sent once to each worker that needs it.
            folders = {folder: client.scatter(ShippedFolder.read(folder), hash=False)
                       for folder in dict.fromkeys(jobs[index].recordings for index in pending) if folder is not None}
            for index in pending:
                job = jobs[index]
                future = client.submit(render_remote, job.to_json(), client_versions, keys[index],
                                       folders.get(job.recordings), pure=False,
                                       retries=RETRIES, key=f"ravine-{job.stem}-{uuid.uuid4().hex[:12]}")
                futures[future] = index
            for future in distributed.as_completed(list(futures), loop=client.loop):
                index = futures.pop(future)
                state, value = _outcome(distributed, future, jobs[index], target)
                future.release()
                if state == "refused":
                    raise ClusterError(value)
                if state == "failed":
                    packed, text = value
                    error = unpack_error(packed)
                    error.__cause__ = _RemoteTraceback(text)
                    raise error
                results[index] = receive(jobs[index], value)
                del value
                on_done(index, results[index])
        except BaseException:
            if futures:
                client.cancel(list(futures), force=True)
            raise


class _RemoteTraceback(Exception):
    """A worker's traceback, attached as the cause of the error it sent (``ravine --debug``)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _outcome(distributed: Any, future: Any, job: RenderJob, target: ClusterTarget) -> tuple[str, Any]:
    """The task's ``(state, value)``; a task the cluster lost or cancelled is a ClusterError."""
    try:
        return future.result()
    except distributed.CancelledError:
        raise ClusterError(f"the Dask scheduler at {target.address} dropped the render of {job.stem} "
                           "(the scheduler was lost, restarted or cancelled it)") from None
    except Exception as error:  # noqa: BLE001 - the cluster's own failures, one line each
        if type(error).__name__ == "KilledWorker":
            raise ClusterError(f"the render of {job.stem} was lost with every worker that ran it (they died: "
                               "out of memory, or killed); see the workers' logs") from None
        first = (str(error).strip().splitlines() or [""])[0]
        raise ClusterError(f"the render of {job.stem} failed on the cluster after {RETRIES} retries: "
                           f"{type(error).__name__}: {first}") from None


def _distributed() -> Any:
    """Dask's ``distributed`` module, or a ClusterError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--cluster needs Dask's distributed package: {INSTALL_HINT}") from None
    return distributed


@contextmanager
def _connected(distributed: Any, target: ClusterTarget) -> Iterator[Any]:
    """A client of the scheduler at ``target`` with at least one worker, closed afterwards;
    ClusterError when the scheduler or a worker is not there within ``target.timeout``."""
    wait = f"within {target.timeout:g} s (${CLUSTER_TIMEOUT_ENV} sets the wait)"
    try:
        client = distributed.Client(target.address, timeout=target.timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ClusterError(f"cannot reach the Dask scheduler at {target.address} {wait}: {reason}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=target.timeout)
        except (TimeoutError, OSError):
            raise ClusterError(f"no Dask worker joined the scheduler at {target.address} {wait}") from None
        yield client
    finally:
        client.close(timeout=target.timeout)


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's own log lines stay off stderr while ravine reports (errors are one line of ravine's)."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
