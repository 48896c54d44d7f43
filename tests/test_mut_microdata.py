"""In-process unit tests of ehelse.microdata written against its mutants (issue 17): the command line."""
import sys

import pytest

from ehelse import DATA, microdata


@pytest.fixture
def written(monkeypatch):
    calls = []

    def fake_write(seed=None):
        calls.append(seed)
        return [DATA / "synthetic" / "citizens.csv", DATA / "synthetic" / "personnel.csv"]

    monkeypatch.setattr(microdata, "write", fake_write)
    return calls


def test_main_write_passes_the_seed_and_prints_paths_from_the_repository(written, capsys):
    """Fails if `write --seed N` does not call write(N) with an int, or the printed paths are not
    relative to the repository root (mutants of main: argument names, type=int, print)."""
    microdata.main(["write", "--seed", "5"])
    assert written == [5] and type(written[0]) is int
    assert capsys.readouterr().out == "wrote data/synthetic/citizens.csv\nwrote data/synthetic/personnel.csv\n"
    microdata.main(["write"])
    assert written == [5, None]


def test_main_reads_sys_argv_by_default(written, capsys, monkeypatch):
    """Fails if main() without arguments does not parse the command line (sys.argv)."""
    monkeypatch.setattr(sys, "argv", ["python -m ehelse.microdata", "write", "--seed", "7"])
    microdata.main()
    assert written == [7]


def test_main_usage_errors(written, capsys):
    """Fails if the program name, the command choices or the --seed type change (usage and error text)."""
    with pytest.raises(SystemExit) as e:
        microdata.main(["read"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m ehelse.microdata [-h] [--seed SEED] {write}\n")
    assert "python -m ehelse.microdata: error: argument command: invalid choice: 'read' (choose from 'write')" in err
    with pytest.raises(SystemExit):
        microdata.main(["write", "--seed", "x"])
    assert "error: argument --seed: invalid int value: 'x'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        microdata.main(["write", "--SEED", "1"])
    assert written == []
