"""``python -m appstore.ui.host``: a DApp host process (``process.py``), started by imapp."""

import sys

from appstore.ui.host.process import main

if __name__ == "__main__":
    sys.exit(main())
