"""Parsing many new shards at once, on every core (a store added, or a catalogue replaced).

Validating 100,000 apps is CPU work that one Python process does at one core's speed, so when
a refresh has many shards to parse (``PARALLEL_MIN`` or more) they go to worker processes
while this thread goes on downloading the next ones; fewer are parsed right here. A worker gets
the verified bytes of a shard and gives back its cache files (``catalog/cache.py``), never
objects: the result is the same bytes either way (a test holds them to it).

A worker is ``python -I`` running ``serve``: requests and answers are length-prefixed
``marshal`` frames of plain data on its stdin and stdout. Not ``multiprocessing``: its ``spawn``
re-runs the main script of whatever program uses the core, and ``fork`` is unsafe in a process
with threads (the GUI). Isolated mode: the worker never imports from the current folder or
reads ``PYTHON*`` variables, and it gets no environment of ours. At most ``window`` shards are
in flight, so memory stays flat. Workers end with the refresh; one that cannot start, dies,
answers nonsense or takes longer than ``ANSWER_TIMEOUT`` is killed, and its shards are parsed
here instead.
"""

from __future__ import annotations

import contextlib
import json
import logging
import marshal
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from appstore.core.catalog import cache as catalog_cache
from appstore.core.catalog import shards as catalog_shards
from appstore.core.catalog.models import Catalog, Localized
from appstore.core.errors import CatalogError, shorten

if TYPE_CHECKING:  # (loaded when shards are parsed: a warm start reads only ``loads``)
    import queue
    from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger("imapp.catalog")

PARALLEL_MIN = 16  # shards (about 4,000 apps): below this, starting workers costs more
WORKERS = 2
ANSWER_TIMEOUT = 120.0  # seconds for one shard (a few milliseconds of work): a worker is stuck
PROTOCOL = 1  # the frames' shape; a worker of another imapp answers nothing we use
Categories = dict[str, Localized]
_ROOT = str(Path(__file__).resolve().parents[3])  # the folder that holds ``appstore``
_START = (f"import sys; sys.path.append({_ROOT!r}); "
          "from appstore.core.store.shardparse import serve; serve(sys.stdin.buffer, sys.stdout.buffer)")


def loads(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise CatalogError(f"{name} is nested too deeply to be a catalogue") from None
    except ValueError as e:
        raise CatalogError(f"{name} is not valid JSON ({shorten(e, 200)})") from None


def to_cache(data: bytes, name: str, categories: Categories, store: str,
             key: str) -> tuple[bytes, bytes]:
    """The cache files (list part, details part) of a shard's verified bytes; ``CatalogError``
    names what is wrong."""
    apps = catalog_shards.parse_shard(loads(data, name), name, categories, store=store)
    return catalog_cache.dump(Catalog("", {}, "", {}, apps), key)


# -- the frames -----------------------------------------------------------------------------
def _send(out: IO[bytes], value: Any) -> None:
    data = marshal.dumps(value)
    out.write(len(data).to_bytes(8, "big"))
    out.write(data)
    out.flush()


def _receive(src: IO[bytes]) -> Any:
    """The next frame, or None at the end of the stream."""
    head = src.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "big")
    data = src.read(size)
    if len(data) < size:
        return None
    return marshal.loads(data)


def serve(src: IO[bytes], out: IO[bytes]) -> None:
    """A worker: answer (PROTOCOL, data, name, categories, store, key) with (PROTOCOL, error,
    listing, details) until the stream ends."""
    while (request := _receive(src)) is not None:
        _, data, name, categories, store, key = request
        try:
            answer = (PROTOCOL, "", *to_cache(data, name, categories, store, key))
        except CatalogError as e:
            answer = (PROTOCOL, str(e) or "the shard is not a valid catalogue", b"", b"")
        _send(out, answer)


class WorkerLost(Exception):
    pass


class _Worker:
    def __init__(self) -> None:
        import subprocess

        env = {k: v for k, v in os.environ.items() if k in ("PATH", "SYSTEMROOT", "TMPDIR")}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _START], env=env, cwd=_ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.dead = False

    def ask(self, request: tuple[Any, ...]) -> tuple[str, bytes, bytes]:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        if self.dead or stdin is None or stdout is None:
            raise WorkerLost("it stopped earlier")
        try:
            _send(stdin, request)
            answer = _receive(stdout)
        except (OSError, ValueError, EOFError, TypeError) as e:
            self.dead = True
            raise WorkerLost(str(e) or type(e).__name__) from None
        if not (type(answer) is tuple and len(answer) == 4 and answer[0] == PROTOCOL
                and type(answer[1]) is str and type(answer[2]) is bytes
                and type(answer[3]) is bytes):
            self.dead = True
            raise WorkerLost(f"it exited ({self.proc.poll()})" if answer is None
                             else "it answered something else")
        return answer[1], answer[2], answer[3]

    def stop(self, *, kill: bool) -> None:
        """End it: ``kill`` now, or end its input (it answers what it was asked, then exits)."""
        import subprocess

        if kill:
            self.proc.kill()
        elif self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Parser:
    """Parses shards as they are handed over, here or in workers. ``result`` takes them in the
    order given; hand over at most ``window`` more than taken."""

    def __init__(self, shards: int, categories: Categories, store: str) -> None:
        import queue
        from concurrent.futures import ThreadPoolExecutor

        self.categories, self.store = categories, store
        self._plain = {k: dict(v) for k, v in categories.items()}  # for marshal
        self._workers: list[_Worker] = []
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._threads: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[tuple[str, bytes, bytes]]] = {}
        self._files: dict[str, tuple[Path, str]] = {}
        self._warned = False
        if shards >= PARALLEL_MIN and _cores() > 1:
            try:
                for _ in range(WORKERS):
                    self._workers.append(_Worker())
            except (OSError, ValueError) as e:
                log.warning("parsing the catalogue on one core: %s", e)
            for w in self._workers:
                self._idle.put(w)
            if self._workers:
                self._threads = ThreadPoolExecutor(len(self._workers), "shardparse")

    @property
    def parallel(self) -> bool:
        """Whether shards go to worker processes."""
        return self._threads is not None

    @property
    def window(self) -> int:
        """How many shards may wait in flight (here: none, each is parsed when taken)."""
        return 2 * len(self._workers) + 2 if self._threads is not None else 0

    def submit(self, key: str, path: Path, name: str) -> None:
        """Parse the verified shard at ``path`` (target ``name``), as ``key``."""
        self._files[key] = (path, name)
        threads = self._threads
        if threads is not None:
            with contextlib.suppress(RuntimeError):  # (shut down: parsed here instead)
                self._futures[key] = threads.submit(self._ask, path, name, key)

    def _ask(self, path: Path, name: str, key: str) -> tuple[str, bytes, bytes]:
        worker = self._idle.get()
        try:
            return worker.ask((PROTOCOL, path.read_bytes(), name, self._plain, self.store, key))
        finally:
            self._idle.put(worker)

    def result(self, key: str) -> tuple[bytes, bytes]:
        """The cache files of the shard handed over as ``key``; raises its ``CatalogError``."""
        from concurrent.futures import TimeoutError as FutureTimeout

        future = self._futures.pop(key, None)
        path, name = self._files.pop(key)
        if future is not None:
            try:
                error, listing, details = future.result(ANSWER_TIMEOUT)
            except (WorkerLost, FutureTimeout) as e:
                self._lost(e)
            else:
                if error:
                    raise CatalogError(error)
                return listing, details
        return to_cache(path.read_bytes(), name, self.categories, self.store, key)

    def _lost(self, e: BaseException) -> None:
        from concurrent.futures import TimeoutError as FutureTimeout

        if not self._warned:
            self._warned = True
            log.warning("a catalogue worker stopped (%s); parsing here instead",
                        e if str(e) else "no answer in time")
        if isinstance(e, FutureTimeout):
            self.close(kill=True)

    def close(self, *, kill: bool = False) -> None:
        """Stop the workers (``kill``: at once, without waiting for answers)."""
        threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)
        for worker in self._workers:
            worker.stop(kill=kill)
        if threads is not None:
            threads.shutdown(wait=True)
        self._workers = []
        self._futures.clear()

    def __enter__(self) -> Parser:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close(kill=exc_type is not None)  # cut short: nothing in flight is wanted
