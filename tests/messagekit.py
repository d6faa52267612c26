"""The messages the core writes, found in its source (``ast``): each ``raise`` of one of its errors
(an ``AppStoreError`` subclass), each verification finding's detail, and what its ``*problem``
functions return, as templates with ``{0}``, ``{1}``… for the values (the keys of
``resources/translations/messages_LANG.json``; ``appstore/core/messages.py`` matches them)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

_SLOT = re.compile(r"\{(\d+)\}")
_DETAIL_ARG = {"Problem": 4}  # findings that are not errors: the argument holding the words


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    bases: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                                    for b in node.bases]

    def is_error(name: str, depth: int = 0) -> bool:
        return name == "AppStoreError" or (depth < 20 and any(
            is_error(b, depth + 1) for b in bases.get(name, [])))

    return {name for name in bases if is_error(name)}


def template(node: ast.expr) -> str | None:
    """The template of a message written as a literal or an f-string (values as {0}, {1}…)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                out.append(str(value.value))
            else:
                out.append(f"{{{n}}}")
                n += 1
        return "".join(out)
    return None


def templates_in(root: Path, skip: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(template, "file:line") of every message a core error is raised with under ``root``."""
    trees = {p: ast.parse(p.read_text("utf-8")) for p in sorted(root.rglob("*.py"))
             if not any(part in skip for part in p.relative_to(root).parts)}
    errors = _error_classes(trees)
    for path, tree in trees.items():
        for func in ast.walk(tree):  # what a ``*problem`` function returns goes into messages
            if isinstance(func, ast.FunctionDef) and func.name.endswith("problem"):
                for ret in ast.walk(func):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        text = template(ret.value)
                        if text and len(re.sub(r"\{\d+\}|[^A-Za-z]", "", text)) >= 3:
                            yield text, f"{path.relative_to(root)}:{ret.lineno}"
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in _DETAIL_ARG:  # a verification's finding: its words are its detail
                if len(node.args) <= _DETAIL_ARG[name]:
                    continue
                first = node.args[_DETAIL_ARG[name]]
            elif name not in errors:
                continue
            else:
                first = node.args[0]
            if (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and " " not in first.value and len(node.args) > 1):
                first = node.args[1]  # (code, message): ServiceError and its kind
            text = template(first)
            if text and len(re.sub(r"\{\d+\}|[^A-Za-z]", "", text)) >= 3:
                yield text, f"{path.relative_to(root)}:{node.lineno}"
