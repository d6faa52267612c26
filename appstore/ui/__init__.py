"""The PySide6 desktop front. Never does network or disk I/O on the GUI thread."""
