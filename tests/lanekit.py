"""A test's own set-up run as no lane's thread: the UI tests' thread is the GUI thread
(``tests/ui/conftest.py``), where writer-only code (``assert_lane``) is refused, as it is in the
app. Filling a ledger or claiming before the page is looked at is the test's doing, as a script
or the CLI would do it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from appstore.core.jobs import current_lane, enter_lane


@contextlib.contextmanager
def off_lane() -> Iterator[None]:
    before = current_lane()
    enter_lane(None)
    try:
        yield
    finally:
        enter_lane(before)
