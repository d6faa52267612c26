"""Downloading one big file: our ``download()`` (streamed SHA-256, written to disk, renamed)
against ``curl -s -o /dev/null`` of the same file from the same local server.

``python -m bench.downloads [SIZE_MIB]`` (default 1024) serves a file of random bytes from
127.0.0.1 with ``sendfile`` (the server is not what is measured), times curl and our download a
few times each (median), and prints a table and, on its last line, the results as JSON:
throughput of both, their ratio (target >= 0.9), and our process's peak RSS above its idle RSS
during the download (target <= 30 MB). Our download runs in a fresh process (requests loaded
before "idle" is read, as in the app, where store refreshes load it), so its RSS is its own.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

RUNS = 5
TARGET_RATIO = 0.9
TARGET_RSS_MB = 30


def make_file(path: Path, size: int) -> str:
    """``size`` random-looking bytes (a random block, varied per MiB); their SHA-256."""
    block = bytearray(os.urandom(16 << 20))
    h = hashlib.sha256()
    with open(path, "wb") as f:
        left, n = size, 0
        while left > 0:
            part = min(left, len(block))
            block[:8] = n.to_bytes(8, "little")  # no two blocks alike
            view = memoryview(block)[:part]
            f.write(view)
            h.update(view)
            left -= part
            n += 1
    return h.hexdigest()


def serve(path: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A fast server for one file: ``sendfile`` from the page cache, Range honoured."""
    size = path.stat().st_size

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            start = 0
            asked = self.headers.get("Range", "")
            if asked.startswith("bytes=") and asked[6:].rstrip("-").isdigit():
                start = int(asked[6:].rstrip("-"))
            self.send_response(206 if start else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size - start))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
            self.end_headers()
            with open(path, "rb") as f:
                self.connection.sendfile(f, offset=start, count=size - start)

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def server_bind(self) -> None:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            super().server_bind()

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/{path.name}"


def ensure_curl() -> str:
    found = shutil.which("curl")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-q", "curl"], check=True, capture_output=True)
    found = shutil.which("curl")
    if not found:
        raise SystemExit("curl is needed for this benchmark")
    return found


def time_curl(curl: str, url: str, size: int, out_file: str = os.devnull) -> float:
    os.sync()
    out = subprocess.run([curl, "-s", "-o", out_file, "-w", "%{time_total} %{size_download}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    if int(out[1]) != size:
        raise SystemExit(f"curl got {out[1]} bytes, not {size}")
    return float(out[0])


def _status_kb(field: str) -> int:
    """``VmRSS``/``VmHWM`` of this process in KiB (Linux); ru_maxrss elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(url: str, sha: str, size: int, dest: str) -> None:
    """One download of ours in this (fresh) process; prints its time, CPU and memory as JSON."""
    from appstore.core.downloads import DownloadRequest, download
    from appstore.core.downloads.http import session
    from appstore.core.jobs import JobContext

    session()  # requests loaded, as in the app
    with suppress(OSError):  # start the peak-RSS count afresh (Linux): the download's own peak
        Path("/proc/self/clear_refs").write_text("5")
    idle = _status_kb("VmRSS")
    req = DownloadRequest("bench/big@1", "bench", "packages/big/big.bin", size, sha, [url])
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    path = download(req, Path(dest), JobContext())
    elapsed = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    peak = _status_kb("VmHWM")
    assert path.stat().st_size == size
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(json.dumps({"s": elapsed, "cpu_s": cpu, "idle_kb": idle, "peak_kb": peak}))


def sha256_alone(path: Path) -> float:
    """Seconds to hash the file from the page cache: the floor of any verified download."""
    h = hashlib.sha256()
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    t = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return time.perf_counter() - t


def time_ours(url: str, sha: str, size: int, dest: Path) -> dict[str, float]:
    shutil.rmtree(dest, ignore_errors=True)
    os.sync()
    out = subprocess.run([sys.executable, "-m", "bench.downloads", "--child", url, sha, str(size),
                          str(dest)], check=True, capture_output=True, text=True)
    row: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    shutil.rmtree(dest, ignore_errors=True)
    return row


def run(size_mib: int) -> dict[str, Any]:
    curl = ensure_curl()
    size = size_mib << 20
    tmp = Path(tempfile.mkdtemp(prefix="imapp-bench-dl-"))
    try:
        src = tmp / "big.bin"
        sha = make_file(src, size)
        server, url = serve(src)
        try:
            time_curl(curl, url, size)  # warm the page cache and the server
            curl_s, curl_file_s, ours = [], [], []
            for _ in range(RUNS):  # interleaved, so all see the same machine
                curl_s.append(time_curl(curl, url, size))
                curl_file_s.append(time_curl(curl, url, size, str(tmp / "curl.out")))
                (tmp / "curl.out").unlink()
                ours.append(time_ours(url, sha, size, tmp / "dest"))
            hash_s = statistics.median(sha256_alone(src) for _ in range(RUNS))
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c = statistics.median(curl_s)
    cf = statistics.median(curl_file_s)
    o = statistics.median(r["s"] for r in ours)
    rss = max(r["peak_kb"] - r["idle_kb"] for r in ours) / 1024
    return {
        "size_mib": size_mib,
        "curl_s": round(c, 3),
        "ours_s": round(o, 3),
        "curl_mib_s": round(size_mib / c),
        "ours_mib_s": round(size_mib / o),
        "ratio": round(c / o, 3),
        "ratio_target": TARGET_RATIO,
        # context: the same disk work (curl -o FILE), and hashing alone (no network, no disk)
        "curl_to_file_s": round(cf, 3),
        "ratio_vs_curl_to_file": round(cf / o, 3),
        "sha256_alone_s": round(hash_s, 3),
        "ours_cpu_s": round(statistics.median(r["cpu_s"] for r in ours), 3),
        "rss_above_idle_mb": round(rss, 1),
        "rss_target_mb": TARGET_RSS_MB,
        "runs": RUNS,
        "cpus": os.cpu_count(),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    r = run(int(sys.argv[1]) if len(sys.argv) > 1 else 1024)
    print(f"{r['size_mib']} MiB: curl {r['curl_s']:.2f} s ({r['curl_mib_s']} MiB/s), "
          f"ours {r['ours_s']:.2f} s ({r['ours_mib_s']} MiB/s), ratio {r['ratio']:.2f} "
          f"(target >= {TARGET_RATIO}); curl -o FILE {r['curl_to_file_s']:.2f} s, SHA-256 alone "
          f"{r['sha256_alone_s']:.2f} s, our CPU {r['ours_cpu_s']:.2f} s; our peak RSS above idle "
          f"{r['rss_above_idle_mb']} MB (target <= {TARGET_RSS_MB})")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
