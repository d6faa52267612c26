"""Starts imapp desktop (see appstore/ui/app.py for the options)."""

import sys

from appstore.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
