"""The Zero to JupyterHub config.yaml in docs/instructors.md parses and matches the measured peaks.

scripts/hub/check_z2jh.py does the work; with the chart's schema (not in this repository) it
also validates the keys: see docs/instructors.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "hub"))

import check_z2jh  # noqa: E402


def test_the_guide_s_config_parses_and_covers_the_measured_peaks():
    config = check_z2jh.snippet(check_z2jh.GUIDE.read_text(encoding="utf-8"))
    measured = check_z2jh.measured_mib(check_z2jh.BENCHMARK.read_text(encoding="utf-8"))
    assert check_z2jh.problems(config, measured) == []
    assert config["cull"]["enabled"] is True


def test_a_guarantee_below_the_measured_peak_is_reported():
    config = {
        "singleuser": {
            "image": {"name": "x", "tag": "1"},
            "memory": {"guarantee": "100M", "limit": "2G"},
        }
    }
    found = check_z2jh.problems(config, {"pss": 562.0, "rss": 887.0})
    assert len(found) == 1 and "guarantee 100M is below" in found[0]
    assert check_z2jh.to_bytes("1.5G") == 1.5e9 and check_z2jh.to_bytes("2Gi") == 2**31
