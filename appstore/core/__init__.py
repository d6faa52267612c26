"""All of imapp's logic. Never imports Qt (a test enforces it)."""
