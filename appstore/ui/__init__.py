"""The PySide6 desktop front. Never does network or disk I/O on the GUI thread."""

import PySide6.QtCore  # noqa: F401 - loads PySide's import hook, made quicker here

from appstore.ui import tuning

tuning.quick_feature_check()
