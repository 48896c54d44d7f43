"""Book settings from settings.yml, validated against one schema, with environment overrides.

Every key is checked before anything runs (`load()` is called by every chapter and by
`python -m ehelse.build execute`): an unknown key, a value of the wrong type or out of range,
or a configured file that does not exist is a `SettingsError` naming the key (and the allowed
keys or values). Relative paths are resolved from the repository root (`ROOT`), so the
README's `private/…` example works from every chapter's folder.

Environment overrides (validated the same way, named in errors as the variable):
EHELSE_MICRODATA (microdata.citizens), EHELSE_PERSONNEL_MICRODATA (microdata.personnel),
EHELSE_MAPPING (microdata.mapping), EHELSE_PERSONNEL_MAPPING (microdata.personnel_mapping).
"""
from __future__ import annotations

import copy
import functools
import math
import os
from pathlib import Path

import yaml

from . import ROOT

SETTINGS = ROOT / "settings.yml"
CI_METHODS = ("logit", "wilson", "korn_graubard")
MULTIPLE_COMPARISONS = ("fdr_bh", "holm", "bonferroni", "none")
SURVEYS = ("citizens", "personnel")
#: microdata key -> environment variable that overrides it
ENVIRONMENT = {"citizens": "EHELSE_MICRODATA", "personnel": "EHELSE_PERSONNEL_MICRODATA",
               "mapping": "EHELSE_MAPPING", "personnel_mapping": "EHELSE_PERSONNEL_MAPPING"}
TOP_KEYS = ("microdata", "min_base", "flag_base", "confidence_level", "ci_method", "multiple_comparisons",
            "published_deff", "synthetic_seed")


class SettingsError(ValueError):
    """settings.yml (or an environment override) is not valid; the message names the key and what is allowed."""


def _allowed_keys(where: str, d, allowed, path: Path) -> dict:
    if d is None:
        d = {}
    if not isinstance(d, dict):
        raise SettingsError(f"{path}: {where or 'the file'} must be a mapping of keys, not {d!r}")
    extra = [k for k in d if k not in allowed]
    if extra:
        raise SettingsError(f"{path}: key {where + '.' if where else ''}{extra[0]!s} is not allowed; allowed keys"
                            f"{' under ' + where if where else ''}: {', '.join(allowed)}")
    return d


def _number(path: Path, key: str, v, *, integer: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise SettingsError(f"{path}: {key} must be {'an integer' if integer else 'a number'}, not {v!r}")
    if not math.isfinite(v):
        raise SettingsError(f"{path}: {key} must be finite, not {v!r}")
    return v


def resolve_path(value, key: str, source: str) -> Path | None:
    """A configured file as an absolute path (relative paths from the repository root); it must exist."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SettingsError(f"{source}: {key} must be a file path (text), not {value!r}")
    p = Path(value).expanduser()
    p = p if p.is_absolute() else ROOT / p
    if not p.is_file():
        raise SettingsError(f"{source}: {key} = {value!r}: the file {p} does not exist")
    return p.resolve()


def validate(raw, path: Path = SETTINGS, environ: dict | None = None) -> dict:
    """Settings checked against the schema, paths resolved, environment overrides applied."""
    environ = os.environ if environ is None else environ
    s = dict(_allowed_keys("", raw, TOP_KEYS, path))
    missing = [k for k in TOP_KEYS if k not in s]
    if missing:
        raise SettingsError(f"{path}: key {missing[0]} is missing (every key is required: {', '.join(TOP_KEYS)})")
    micro = dict(_allowed_keys("microdata", s["microdata"], tuple(ENVIRONMENT), path))
    for key, env in ENVIRONMENT.items():
        if environ.get(env):
            micro[key] = resolve_path(environ[env], key, f"environment variable {env}")
        else:
            micro[key] = resolve_path(micro.get(key), f"microdata.{key}", str(path))
    s["microdata"] = micro
    for survey, mkey in (("citizens", "mapping"), ("personnel", "personnel_mapping")):
        if micro[survey] and not (micro[mkey] or micro["mapping"]):
            raise SettingsError(f"{path}: microdata.{survey} is configured ({micro[survey]}) but no mapping file is "
                                f"(microdata.{mkey} / microdata.mapping or {ENVIRONMENT[mkey]} / EHELSE_MAPPING)")
    s["min_base"] = _number(path, "min_base", s["min_base"], integer=True)
    if s["min_base"] < 1:
        raise SettingsError(f"{path}: min_base must be an integer >= 1, not {s['min_base']!r}")
    s["flag_base"] = _number(path, "flag_base", s["flag_base"], integer=True)
    if s["flag_base"] < s["min_base"]:
        raise SettingsError(f"{path}: flag_base ({s['flag_base']}) must be >= min_base ({s['min_base']})")
    c = _number(path, "confidence_level", s["confidence_level"])
    if not 0.5 < c < 1:
        raise SettingsError(f"{path}: confidence_level must be between 0.5 and 1 (exclusive), not {c!r}")
    for key, allowed in (("ci_method", CI_METHODS), ("multiple_comparisons", MULTIPLE_COMPARISONS)):
        if s[key] not in allowed:
            raise SettingsError(f"{path}: {key} = {s[key]!r} is not allowed; allowed values: {', '.join(allowed)}")
    deff = _allowed_keys("published_deff", s["published_deff"], SURVEYS, path)
    for sv in SURVEYS:
        if sv not in deff:
            raise SettingsError(f"{path}: published_deff.{sv} is missing")
        if _number(path, f"published_deff.{sv}", deff[sv]) <= 0:
            raise SettingsError(f"{path}: published_deff.{sv} must be > 0, not {deff[sv]!r}")
    seed = _number(path, "synthetic_seed", s["synthetic_seed"], integer=True)
    if seed < 0:
        raise SettingsError(f"{path}: synthetic_seed must be an integer >= 0, not {seed!r}")
    return s


def read(path: Path = SETTINGS) -> dict:
    """settings.yml as parsed YAML; a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except UnicodeDecodeError as e:
        raise SettingsError(f"{path}: not UTF-8 text ({e})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise SettingsError(f"{path}{line}: YAML syntax error: {getattr(e, 'problem', e)}") from None


def load(path: Path = SETTINGS) -> dict:
    """Validated settings; EHELSE_MICRODATA / EHELSE_PERSONNEL_MICRODATA / EHELSE_MAPPING override."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    return copy.deepcopy(_cached(str(path), text, tuple(os.environ.get(e, "") for e in ENVIRONMENT.values())))


@functools.lru_cache(maxsize=16)
def _cached(path: str, text: bytes, env: tuple) -> dict:
    return validate(read(Path(path)), Path(path), dict(zip(ENVIRONMENT.values(), env)))


def interval(settings: dict | None = None) -> dict:
    """Keyword arguments of every interval the chapters compute: {'level': …, 'method': …}."""
    s = settings or load()
    return {"level": float(s["confidence_level"]), "method": s["ci_method"]}


def level_percent(settings: dict | None = None) -> str:
    """The interval level as text for captions, e.g. '95 %'."""
    return f"{100 * interval(settings)['level']:g} %"


def bases(settings: dict | None = None) -> dict:
    """Keyword arguments of every suppression: {'min_base': …, 'flag_base': …}."""
    s = settings or load()
    return {"min_base": s["min_base"], "flag_base": s["flag_base"]}


def real_microdata(settings: dict | None = None) -> bool:
    """True when real microdata are configured for either survey (suppression then applies to outputs)."""
    m = (settings or load())["microdata"]
    return bool(m.get("citizens") or m.get("personnel"))
