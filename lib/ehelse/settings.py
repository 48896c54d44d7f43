"""Book settings from settings.yml, with environment overrides for the microdata location."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from . import ROOT

SETTINGS = ROOT / "settings.yml"


def load(path: Path = SETTINGS) -> dict:
    """Settings as a dict; EHELSE_MICRODATA / EHELSE_PERSONNEL_MICRODATA / EHELSE_MAPPING override."""
    s = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    micro = dict(s.get("microdata") or {})
    for key, env in (("citizens", "EHELSE_MICRODATA"), ("personnel", "EHELSE_PERSONNEL_MICRODATA"),
                     ("mapping", "EHELSE_MAPPING")):
        if os.environ.get(env):
            micro[key] = os.environ[env]
    s["microdata"] = micro
    return s
