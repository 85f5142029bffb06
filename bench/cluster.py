"""A sweep here against the same sweep on a Dask cluster on this machine (not a test; prints numbers).

  (a) local:   ``ravine sweep ... -j 2`` (two render processes of ravine's own executor);
  (b) cluster: the same sweep with ``--cluster ADDRESS``, on a scheduler and two single-thread
      workers (``dask scheduler`` / ``dask worker --nthreads 1``) started before the clock starts,
      so each worker's first job imports Manim as a ``-j`` process does;
  overhead = (b) / (a) − 1. Both run with ``--force`` into fresh folders, alternately, ``--repeat``
  times; the table shows each run and the medians.

Then the cluster's own costs, per job: the round trip of a no-op task (submit, run, result; one
at a time, and 500 at once), and the client's receiving rate: a worker returns a clip-sized
payload in :data:`ravine.pipeline.cluster.CHUNK_BYTES` chunks, timed from ready to received and
written with :func:`ravine.pipeline.cluster.receive`'s chunk writer. The load average before and
after is printed: on a shared 2-core machine the numbers move with it.

    .venv/bin/python bench/cluster.py                     # 24 ravine-race clips at low quality
    .venv/bin/python bench/cluster.py --repeat 2 --scene-args "chapter-card --number 1,2,3,4"
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BIN = Path(sys.executable).parent
SWEEP = ("ravine-race --beta 0.5,0.6,0.7,0.8,0.9,0.95 --lr-momentum 0.01,0.015,0.02,0.025 --steps 3")


def start_cluster(place: Path, workers: int) -> tuple[list[subprocess.Popen], str]:
    """A scheduler and ``workers`` single-thread workers, each in its own process group but in
    this session: with the kernel's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``)
    a new session would get a CPU share of its own, and on a busy machine the cluster would then
    outrun the local run for that reason alone."""
    started = []

    def start(args: list[str], log: str) -> None:
        with open(place / log, "wb") as out:
            started.append(subprocess.Popen([str(BIN / "dask"), *args], stdout=out, stderr=subprocess.STDOUT,
                                            cwd=place, process_group=0))

    scheduler_file = place / "scheduler.json"
    start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file",
           str(scheduler_file)], "scheduler.log")
    while not scheduler_file.exists():
        time.sleep(0.1)
    for number in range(workers):
        start(["worker", "--scheduler-file", str(scheduler_file), "--nworkers", "1", "--nthreads", "1",
               "--no-dashboard", "--local-directory", str(place / f"worker{number}")], f"worker{number}.log")
    return started, json.loads(scheduler_file.read_text())["address"]


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def timed_sweep(scene_args: list[str], out: Path, extra: list[str]) -> float:
    """Wall seconds of ``ravine sweep SCENE_ARGS -q low --force --out OUT EXTRA``."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "ravine"), "sweep", *scene_args, "-q", "low", "--force", "--out", str(out), *extra],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _noop(value: int) -> int:
    return value


def _payload(size: int, chunk: int) -> list:
    """``size`` random bytes in numpy chunks of ``chunk``, as a worker ships a clip (random:
    nothing on the way can compress them)."""
    import numpy as np

    return [np.frombuffer(os.urandom(min(chunk, size - start)), dtype=np.uint8) for start in range(0, size, chunk)]


def scheduling_costs(address: str, payload_mib: int) -> dict[str, float]:
    """Milliseconds per no-op task (one at a time; 500 at once), and the payload's MiB/s from a
    worker to a file here."""
    import hashlib

    from distributed import Client

    from ravine.pipeline.cluster import CHUNK_BYTES, ShippedFile

    with Client(address, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=60)
        for warm in range(20):
            client.submit(_noop, warm, pure=False).result()
        rounds = []
        for value in range(200):
            started = time.perf_counter()
            client.submit(_noop, value, pure=False).result()
            rounds.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.gather(client.map(_noop, range(500), pure=False))
        batch = (time.perf_counter() - started) / 500
        size = payload_mib * 2**20
        rates = []
        with tempfile.TemporaryDirectory() as scratch:
            for _ in range(3):
                future = client.submit(_payload, size, CHUNK_BYTES, pure=False)
                while future.status == "pending":
                    time.sleep(0.01)
                started = time.perf_counter()
                chunks = future.result()
                digest = hashlib.sha256()
                for chunk in chunks:
                    digest.update(chunk)
                shipped = ShippedFile("payload.bin", size, digest.hexdigest(), chunks)
                del chunks
                shipped.write(Path(scratch) / "payload.bin", "bench")
                rates.append(payload_mib / (time.perf_counter() - started))
                future.release()
    return {"round_trip_ms": statistics.median(rounds) * 1000, "round_trip_p90_ms":
            sorted(rounds)[int(len(rounds) * 0.9)] * 1000, "batch_ms": batch * 1000,
            "receive_mib_s": statistics.median(rates)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene-args", default=SWEEP, help=f"the sweep's scene and values [{SWEEP}]")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (alternating)")
    parser.add_argument("--payload-mib", type=int, default=32, help="size of the receiving-rate payload")
    args = parser.parse_args()
    scene_args = shlex.split(args.scene_args)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPUs: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="ravine-bench-cluster-") as scratch:
        place = Path(scratch)
        processes, address = start_cluster(place, 2)
        try:
            from distributed import Client

            with Client(address, set_as_default=False) as client:
                client.wait_for_workers(2, timeout=120)
            local, remote = [], []
            for run in range(args.repeat):
                local.append(timed_sweep(scene_args, place / f"local{run}", ["-j", "2"]))
                remote.append(timed_sweep(scene_args, place / f"cluster{run}", ["--cluster", address]))
            clips = len(list((place / "local0").glob("*.manifest.json")))
            sizes = [path.stat().st_size for path in (place / "local0").glob("*.mp4")]
            costs = scheduling_costs(address, args.payload_mib)
        finally:
            stop(processes)
    print(f"sweep: ravine sweep {args.scene_args} -q low --force ({clips} clips, "
          f"mp4 {statistics.mean(sizes) / 1024:.0f} KiB on average)")
    print("\n| run | local -j 2 | cluster, 2 workers | overhead |\n| --- | ---: | ---: | ---: |")
    for run, (here, there) in enumerate(zip(local, remote), start=1):
        print(f"| {run} | {here:.1f} s | {there:.1f} s | {there / here - 1:+.1%} |")
    here, there = statistics.median(local), statistics.median(remote)
    print(f"| median | {here:.1f} s ({here / clips:.2f} s/clip) | {there:.1f} s ({there / clips:.2f} s/clip) "
          f"| {there / here - 1:+.1%} |")
    print(f"\nno-op task round trip: {costs['round_trip_ms']:.1f} ms median (p90 {costs['round_trip_p90_ms']:.1f} ms), "
          f"one at a time; {costs['batch_ms']:.2f} ms per task, 500 at once")
    print(f"receiving: {costs['receive_mib_s']:.0f} MiB/s ({args.payload_mib} MiB from a worker on this machine, "
          "checked and written)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
