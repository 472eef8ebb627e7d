"""Keep every helper's "Taught in: NN §k" line equal to where the notebooks really call it.

A learner who meets ``gd.mse_cost(...)`` in a notebook can open the helper and read where it is
taught; a maintainer who moves a call cannot leave a stale line behind, because the list is built
from the notebooks: for each public function of a lesson module, the first numbered section
(``## k. …``) of each notebook whose code uses it (calls it, or passes it on as ``loss=helper``).

    python scripts/taught_in.py           # report helpers whose line differs (exit 1 if any)
    python scripts/taught_in.py --write   # rewrite the lines (replaces old "Used in:" lines)

``tests/test_taught_in.py`` runs the report.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import re
import sys
from collections import defaultdict
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "course_utils"

#: Infrastructure every notebook uses; it is described in CONTRIBUTING.md, not taught.
NOT_LESSONS = {
    "checks",
    "environment",
    "plotting",
    "validation",
    "widgets",
    "exercises",
}

SECTION = re.compile(r"^##\s+(\d+)\s*[.·:)]", re.M)
TAUGHT = re.compile(r"Taught in:\s*((?:(?:\d\d|[A-Z]) §\d+(?:,\s*)?)+)\.?")
USED = re.compile(r"^[ \t]*Used in:.*$", re.M)


def lesson_modules() -> list[str]:
    """Dotted names of the modules whose helpers notebooks call (course_utils.<name>...)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1 and parts[1] in NOT_LESSONS:
            continue
        if any(part.startswith("_") for part in parts[1:]):
            continue
        names.append(".".join(parts))
    return names


def _public_functions(module_name: str) -> dict[str, object]:
    module = importlib.import_module(module_name)
    return {
        name: obj
        for name, obj in vars(module).items()
        if inspect.isfunction(obj)
        and obj.__module__ == module_name
        and not name.startswith("_")
    }


def _bindings(source: str) -> dict[str, tuple[str, str | None]]:
    """Names a cell binds to course_utils: name -> (module, function or None for a module)."""
    found: dict[str, tuple[str, str | None]] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "course_utils"
        ):
            for alias in node.names:
                bound = alias.asname or alias.name
                found[bound] = (node.module or "", alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("course_utils.") and alias.asname:
                    found[alias.asname] = (alias.name, None)
    return found


def taught_sections() -> dict[tuple[str, str], set[str]]:
    """(module, function) -> {"NN §k", ...}: the first numbered section per notebook calling it."""
    modules = set(lesson_modules())
    result: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        number = path.name.split("_", 1)[0]
        notebook = nbformat.read(path, as_version=4)
        bound: dict[str, tuple[str, str | None]] = {}
        section: str | None = None
        seen: set[tuple[str, str]] = set()
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                heading = SECTION.search(cell.source)
                if heading:
                    section = heading.group(1)
                elif re.match(r"^##\s", cell.source):
                    section = (
                        None  # Pitfalls, Exercises, Summary, Solutions: not lessons
                    )
                continue
            if cell.cell_type != "code":
                continue
            bound.update(_bindings(cell.source))
            if section is None:
                continue
            # what the cell uses: a call, or a function passed on (loss=helper); not imports
            code = "\n".join(
                line
                for line in cell.source.splitlines()
                if not re.match(r"\s*(from|import)\s", line)
                and not line.lstrip().startswith("#")
            )
            for name, (module, attribute) in bound.items():
                if attribute is None or f"{module}.{attribute}" in modules:
                    # a module alias: find alias.function( calls
                    target_module = (
                        module if attribute is None else f"{module}.{attribute}"
                    )
                    uses = re.findall(rf"\b{re.escape(name)}\.(\w+)\b", code)
                    targets = [(target_module, use) for use in uses]
                else:
                    used = re.search(rf"(?<![.\w]){re.escape(name)}\b", code)
                    targets = [(module, attribute)] if used else []
                for target in targets:
                    if target[0] in modules and target not in seen:
                        seen.add(target)
                        result[target].add(f"{number} §{section}")
    return result


def _docstring_span(source: str, function: str) -> tuple[int, int] | None:
    """Line span (0-based, end exclusive) of ``function``'s docstring in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            if node.body and isinstance(node.body[0], ast.Expr):
                value = node.body[0].value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return node.body[0].lineno - 1, node.body[0].end_lineno or 0
    return None


def _sort_key(entry: str) -> tuple[str, int]:
    number, section = entry.split(" §")
    return number, int(section)


def expected_lines() -> dict[tuple[str, str], str]:
    """(module, function) -> the "Taught in: …" text its docstring must hold ("" = none)."""
    taught = taught_sections()
    expected = {}
    for module in lesson_modules():
        for function in _public_functions(module):
            sections = sorted(taught.get((module, function), ()), key=_sort_key)
            expected[(module, function)] = (
                f"Taught in: {', '.join(sections)}." if sections else ""
            )
    return expected


def current_line(module: str, function: str) -> str:
    doc = inspect.getdoc(getattr(importlib.import_module(module), function)) or ""
    match = TAUGHT.search(doc)
    if not match:
        return ""
    entries = [e.strip() for e in match.group(1).split(",") if e.strip()]
    return f"Taught in: {', '.join(sorted(entries, key=_sort_key))}."


def problems() -> list[str]:
    found = []
    for (module, function), wanted in expected_lines().items():
        have = current_line(module, function)
        if have != wanted:
            found.append(
                f"{module}.{function}: docstring says {have or 'nothing'!r}, "
                f"notebooks say {wanted or 'nothing'!r}"
            )
    return found


def write() -> int:
    changed = 0
    by_module: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (module, function), wanted in expected_lines().items():
        if current_line(module, function) != wanted:
            by_module[module].append((function, wanted))
    for module, items in by_module.items():
        path = Path(importlib.import_module(module).__file__ or "")
        source = path.read_text(encoding="utf-8")
        for function, wanted in items:
            span = _docstring_span(source, function)
            if span is None:
                continue
            lines = source.splitlines(keepends=True)
            start, end = span
            block = "".join(lines[start:end])
            indent = re.match(r"\s*", lines[start]).group(0)
            if TAUGHT.search(block):
                block = TAUGHT.sub(wanted, block, count=1)
            elif USED.search(block):
                block = USED.sub(f"{indent}{wanted}" if wanted else "", block, count=1)
            elif wanted:
                body, close = block.rstrip().rsplit('"""', 1)
                if "\n" in body:
                    block = f'{body.rstrip()}\n{indent}{wanted}\n{indent}"""{close}\n'
                else:
                    block = f'{body.rstrip()}\n\n{indent}{wanted}\n{indent}"""{close}\n'
            block = re.sub(r"\n[ \t]*\n([ \t]*\"\"\")", r"\n\1", block)
            lines[start:end] = [block]
            source = "".join(lines)
            changed += 1
        path.write_text(source, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help="rewrite the lines")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.write:
        print(f"rewrote {write()} docstrings")
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
