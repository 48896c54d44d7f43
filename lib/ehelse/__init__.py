"""Shared library of the e-helse book: data loading, weighting, estimates, NPS and plots."""
from pathlib import Path

#: Root of the repository (lib/ehelse/ -> repo root).
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
