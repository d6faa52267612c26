"""Building and refreshing a signed store (the CLI's ``keys``/``publish`` and the demo store)."""
