"""The bundle's one program (packaging/imapp.spec): imapp's window as ``imapp-desktop``, its command
line as ``imapp`` (a link to the same program), and the Python-like starts imapp makes of its own
program, which in a bundle is this one and not a Python: ``-m MODULE ...`` (a DApp host process),
``-I -c CODE`` (a catalogue shard parser) and multiprocessing's spawned workers."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys
from pathlib import Path

PYTHON_FLAGS = {"-I", "-E", "-s", "-S", "-u", "-B", "-O"}


def python_like(argv: list[str]) -> bool:
    """Run ``argv`` as ``python`` would if it is a ``-c`` or ``-m`` start; False if it is not."""
    args = argv[1:]
    while args and args[0] in PYTHON_FLAGS:
        args = args[1:]
    if len(args) >= 2 and args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
        return True
    if len(args) >= 2 and args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return True
    return False


def use_bundled_fonts() -> None:
    """The fonts inside the bundle (Latin and Chinese) join the system's, for Qt and QtWebEngine
    alike (both ask fontconfig), so text shows on a machine that has none installed."""
    conf = Path(getattr(sys, "_MEIPASS", "")) / "fonts" / "fonts.conf"
    if conf.is_file():
        os.environ.setdefault("FONTCONFIG_FILE", str(conf))


def main() -> int:
    multiprocessing.freeze_support()  # a spawned worker (`service serve --workers N`) starts here
    use_bundled_fonts()
    if python_like(sys.argv):
        return 0
    if Path(sys.argv[0]).name == "imapp":
        from appstore.cli import main as cli

        return cli()
    from appstore.gui import main as gui

    return gui()


if __name__ == "__main__":
    sys.exit(main())
