"""A store's code (TUF, the HTTP client) loads on a thread of its own that a job waits for while
it checks its cancel: a close during a start's first refresh does not wait for the imports. (In a
process of its own: this one has loaded them long ago.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys
    from appstore.core.jobs import Cancelled, JobContext
    from appstore.ui.controller import STORE_CODE, load_store_code
    before = [name in sys.modules for name in STORE_CODE]
    cancelled = JobContext()
    cancelled.cancel()
    try:
        load_store_code(cancelled)
        stopped = False
    except Cancelled:
        stopped = True
    loaded_when_stopped = all(name in sys.modules for name in STORE_CODE)
    load_store_code(JobContext())  # the same loading, waited for to the end
    print(json.dumps({"before": before, "stopped": stopped, "loaded": loaded_when_stopped,
                      "after": [name in sys.modules for name in STORE_CODE]}))
""")


def test_a_cancelled_job_does_not_wait_for_the_store_code() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer["before"] == [False, False]
    assert answer["stopped"] and not answer["loaded"]  # it did not wait for the imports
    assert answer["after"] == [True, True]
