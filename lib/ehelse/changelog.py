"""CHANGELOG.md against the replication expectation: every changed result must be named in the changelog.

`data/replication/expected.csv` holds every verdict, computed claim value, chart source,
contradiction and unplaced number (`make replicate` keeps it current). `released.csv` beside it
is the snapshot of the last release; its sha256 stands on that release's heading in CHANGELOG.md.
Every (kind, key) row added, removed or changed since that snapshot must be named as
`` `kind:key` `` (a shell-style pattern such as `` `claim_value:CC1*` `` is allowed) in the
changelog's "Unreleased" section.

    python -m ehelse.changelog            # list the changes not yet named (exit 1 if any)
    python -m ehelse.changelog release X  # make "Unreleased" version X: snapshot, hash, pyproject version
"""
from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import hashlib
import re
import shutil
import sys

import pandas as pd

from . import DATA, ROOT
from .citation import PYPROJECT, version

CHANGELOG = ROOT / "CHANGELOG.md"
EXPECTED = DATA / "replication" / "expected.csv"
RELEASED = DATA / "replication" / "released.csv"
_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] (?P<date>\d{4}-\d{2}-\d{2}) · released\.csv sha256 "
                      r"(?P<sha>[0-9a-f]{64})\s*$", re.M)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def releases(text: str | None = None) -> list[dict]:
    """The changelog's releases, newest first: version, date, sha256 of the snapshot."""
    text = CHANGELOG.read_text(encoding="utf-8") if text is None else text
    return [m.groupdict() for m in _RELEASE.finditer(text)]


def unreleased(text: str | None = None) -> str:
    """The text of the changelog's 'Unreleased' section."""
    text = CHANGELOG.read_text(encoding="utf-8") if text is None else text
    m = re.search(r"^## Unreleased\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return m.group(1) if m else ""


def changes(current=EXPECTED, released=RELEASED) -> pd.DataFrame:
    """Rows of the expectation added, removed or changed since the release snapshot: kind, key, old, new."""
    old, new = _read(released), _read(current)
    m = old.merge(new, on=["kind", "key"], how="outer", suffixes=("_old", "_new"), indicator=True)
    m = m[(m["_merge"] != "both") | (m["value_old"] != m["value_new"])]
    return (m.rename(columns={"value_old": "old", "value_new": "new"})[["kind", "key", "old", "new"]]
            .fillna({"old": "(none)", "new": "(none)"}).sort_values(["kind", "key"]).reset_index(drop=True))


def named(text: str) -> list[str]:
    """The `kind:key` names (or patterns) a changelog section mentions."""
    return re.findall(r"`([a-z_]+:[^`\s]+)`", text)


def unlisted(text: str | None = None, current=EXPECTED, released=RELEASED) -> pd.DataFrame:
    """Changes since the last release that the 'Unreleased' section does not name."""
    names = named(unreleased(text))
    ch = changes(current, released)
    hit = [any(fnmatch.fnmatchcase(f"{k}:{key}", n) for n in names) for k, key in zip(ch["kind"], ch["key"])]
    return ch[[not h for h in hit]].reset_index(drop=True)


def sha256(path=RELEASED) -> str:
    """sha256 of a file, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release(new_version: str, date: dt.date | None = None) -> None:
    """Turn 'Unreleased' into a release: snapshot expected.csv, record its hash, set pyproject's version."""
    text = CHANGELOG.read_text(encoding="utf-8")
    shutil.copyfile(EXPECTED, RELEASED)
    heading = f"## [{new_version}] {(date or dt.date.today()).isoformat()} · released.csv sha256 {sha256()}"
    text = re.sub(r"^## Unreleased[ \t]*$", f"## Unreleased\n\n{heading}", text, count=1, flags=re.M)
    CHANGELOG.write_text(text, encoding="utf-8")
    py = PYPROJECT.read_text(encoding="utf-8")
    PYPROJECT.write_text(re.sub(r'^version = "[^"]+"', f'version = "{new_version}"', py, count=1, flags=re.M),
                         encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ehelse.changelog")
    p.add_argument("command", nargs="?", default="check", choices=["check", "release"])
    p.add_argument("version", nargs="?")
    a = p.parse_args(argv)
    if a.command == "release":
        if not a.version:
            p.error("release needs a version")
        release(a.version)
        print(f"released {a.version}")
        return 0
    missing = unlisted()
    if missing.empty:
        print(f"every change since {releases()[0]['version']} is in CHANGELOG.md (version {version()})")
        return 0
    print("changes of data/replication/expected.csv not named in CHANGELOG.md's Unreleased section:")
    print(missing.to_string(index=False))
    return 1


if __name__ == "__main__":
    sys.exit(main())
