"""The two ids every part of the core checks: a store's and an app's. They become folder names
and signed fields, so one rule each, at the bottom of the core: the catalogue, the store list,
the wallet and the IA protocol check them without importing one another. Use with ``fullmatch``
("$" alone would let a trailing newline through)."""

import re

STORE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")  # a folder name under DATA/stores
ID_RE = re.compile(r"[a-z0-9]+([.-][a-z0-9]+)*")  # an app's id (docs/store-format.md)
