"""Starts imapp desktop."""

import sys

from appstore.cli import main

if __name__ == "__main__":
    sys.exit(main(["search", *sys.argv[1:]]))
