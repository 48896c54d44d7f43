"""Shared library of the e-helse book: data loading, weighting, estimates, NPS and plots."""
import os
from pathlib import Path

#: Root of the book (lib/ehelse/ -> repo root); EHELSE_ROOT points a run at another copy of the book.
ROOT = Path(os.environ.get("EHELSE_ROOT") or Path(__file__).resolve().parents[2]).resolve()
DATA = ROOT / "data"
