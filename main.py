"""Starts imapp desktop (see appstore/ui/app.py for the options)."""

import gc
import sys

gc.disable()  # until the first paint (ui/tuning.py, collect_again, says why)

from appstore.ui.app import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
