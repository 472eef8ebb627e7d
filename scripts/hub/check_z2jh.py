"""Check the Zero to JupyterHub ``config.yaml`` in docs/instructors.md, offline.

Always: the YAML block after ``<!-- z2jh-config -->`` parses; it sets the keys the guide
relies on; its memory guarantee covers the measured peak PSS per student and its limit the
measured peak RSS per student (docs/hub_benchmark.md, from ``make bench-hub``).

With ``--schema`` (the chart's ``jupyterhub/values.schema.yaml``) and ``--values`` (its
``jupyterhub/values.yaml``), both of the chart version the guide names: the snippet merged
into the chart's defaults must validate, as Helm does on install. The chart files are not
part of this repository; take them from the chart's source at its tag.

    python scripts/hub/check_z2jh.py [--schema values.schema.yaml --values values.yaml]
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "instructors.md"
BENCHMARK = ROOT / "docs" / "hub_benchmark.md"
MARKER = "<!-- z2jh-config -->"
UNITS = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
}


def snippet(guide: str) -> dict[str, Any]:
    """The YAML block that follows the marker in the guide."""
    if MARKER not in guide:
        raise ValueError(f"no {MARKER} in {GUIDE.name}")
    match = re.search(r"```yaml\n(.*?)```", guide.split(MARKER, 1)[1], re.S)
    if not match:
        raise ValueError(f"no ```yaml block after {MARKER}")
    return yaml.safe_load(match.group(1))


def to_bytes(quantity: str | int | float) -> float:
    """A Kubernetes quantity (``1.5G``, ``900M``, ``2Gi``) in bytes."""
    match = re.fullmatch(r"([0-9.]+)([kMG]i?)?", str(quantity))
    if not match:
        raise ValueError(f"not a memory quantity: {quantity!r}")
    return float(match.group(1)) * UNITS[match.group(2) or ""]


def measured_mib(benchmark: str) -> dict[str, float]:
    """Peak PSS and RSS per student (max over the class), in MiB, from the benchmark."""
    pss = re.search(
        r"peak PSS per student: max / median \| (\d+) / (\d+) MB", benchmark
    )
    rss = re.search(r"peak RSS per student: max \| (\d+) MB", benchmark)
    if not (pss and rss):
        raise ValueError(
            f"{BENCHMARK.name} has no peak PSS/RSS lines: run make bench-hub"
        )
    return {"pss": float(pss.group(1)), "rss": float(rss.group(1))}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def problems(config: dict[str, Any], measured: dict[str, float]) -> list[str]:
    found = []
    user = config.get("singleuser", {})
    for path in ("image.name", "image.tag", "memory.guarantee", "memory.limit"):
        node: Any = user
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node in (None, ""):
            found.append(f"singleuser.{path} is not set")
    if found:
        return found
    guarantee = to_bytes(user["memory"]["guarantee"])
    limit = to_bytes(user["memory"]["limit"])
    if guarantee < measured["pss"] * 2**20:
        found.append(
            f"memory.guarantee {user['memory']['guarantee']} is below the measured peak "
            f"PSS per student ({measured['pss']:.0f} MiB)"
        )
    if limit < measured["rss"] * 2**20:
        found.append(
            f"memory.limit {user['memory']['limit']} is below the measured peak RSS per "
            f"student ({measured['rss']:.0f} MiB)"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schema", type=Path, help="the chart's values.schema.yaml")
    parser.add_argument("--values", type=Path, help="the chart's values.yaml")
    args = parser.parse_args(argv)
    try:
        config = snippet(GUIDE.read_text(encoding="utf-8"))
        found = problems(config, measured_mib(BENCHMARK.read_text(encoding="utf-8")))
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"check_z2jh: {error}", file=sys.stderr)
        return 2
    if args.schema:
        import jsonschema

        schema = yaml.safe_load(args.schema.read_text(encoding="utf-8"))
        defaults = yaml.safe_load(args.values.read_text()) if args.values else {}
        validator = jsonschema.Draft7Validator(schema)
        for error in validator.iter_errors(merge(defaults or {}, config)):
            where = ".".join(str(p) for p in error.absolute_path)
            found.append(f"schema: {where}: {error.message}")
    for problem in found:
        print(f"check_z2jh: {problem}", file=sys.stderr)
    if not found:
        checked = "YAML, keys, numbers" + (", chart schema" if args.schema else "")
        print(f"check_z2jh: the config.yaml in {GUIDE.name} is consistent ({checked})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
