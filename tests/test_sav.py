"""The numpy .sav reader (ehelse.sav) gives exactly pyreadstat's values, or declines and leaves the file to pyreadstat."""
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ehelse.adapter import read_raw
from ehelse.sav import read_numeric


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "id": np.arange(n, dtype=float) * 1000.5,                      # mostly outside the compressible range
        "a": rng.integers(-150, 300, n).astype(float),                  # across the bias (-99 .. 151 compress)
        "b": rng.choice([1.0, 2.0, 99.0, np.nan], n),                   # system-missing and a user-missing code
        "c": rng.normal(size=n),
        "d": rng.choice([0.5, 151.0, 152.0, -99.0, -100.0, 1e300, -1e300], n),
    })


def _pyreadstat(p):
    return pyreadstat.read_sav(str(p), apply_value_formats=False, user_missing=True)[0]


@pytest.mark.parametrize("kind", ["plain", "bytecode"])
@pytest.mark.parametrize("n", [1, 7, 997, 20_000])
def test_fast_reader_equals_pyreadstat(tmp_path, kind, n):
    df = _frame(n, n)
    p = tmp_path / "x.sav"
    pyreadstat.write_sav(df, str(p), row_compress=kind == "bytecode", missing_ranges={"b": [99]},
                         variable_value_labels={"b": {1: "ja", 2: "nei"}}, column_labels=list("IABCD"), note="n")
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    cols = read_numeric(p, meta, list(meta.column_names))
    assert cols is not None, "the fast path must take a numeric file"
    pd.testing.assert_frame_equal(pd.DataFrame(cols), _pyreadstat(p))
    raw, user_missing = read_raw(p)
    pd.testing.assert_frame_equal(raw, _pyreadstat(p))
    assert user_missing == {"b": {99.0}}


@pytest.mark.parametrize("k", range(1, 10))
def test_bytecode_blocks_of_every_width(tmp_path, k):
    rng = np.random.default_rng(k)
    df = pd.DataFrame({f"v{j}": rng.choice([1.0, 250.0, 151.0, -99.0, 1e6, np.nan, 0.5], 301) for j in range(k)})
    p = tmp_path / "k.sav"
    pyreadstat.write_sav(df, str(p), row_compress=True)
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, list(meta.column_names))), _pyreadstat(p))


@pytest.mark.parametrize("how", ["text", "zsav"])
def test_files_the_fast_path_cannot_take_are_read_by_pyreadstat(tmp_path, how):
    df = _frame(500, 3)
    if how == "text":
        df["t"] = np.random.default_rng(0).choice(["", "abc", "a longer text value than eight"], 500)
    p = tmp_path / "y.sav"
    pyreadstat.write_sav(df, str(p), compress=how == "zsav")
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    assert read_numeric(p, meta, list(meta.column_names)) is None
    raw, _ = read_raw(p)
    pd.testing.assert_frame_equal(raw, _pyreadstat(p))
