"""Respondents: the real microdata when configured, otherwise seeded synthetic respondents.

Synthetic respondents exist so that every microdata method (weighting, subgroups, NPS by
subgroup, tests) runs and can be checked. They illustrate the method, never a finding.

How the citizens are made (one sample per survey year, n as published):
1. Population cells sex x age group x health region from SSB (data/population/cells.csv),
   crossed with an ASSUMED education split (EDUCATION_ASSUMED: not from the sources).
2. Panel bias: the cells are re-weighted (raked) to the unweighted composition of the 2023
   panel sample published by the Directorate (15 % under 30, 38 % 60+, 59 % with a degree;
   data/published/publisher/sample_composition.csv) and n respondents are drawn from them.
3. Two latent traits per respondent carry the subgroup patterns the citizen report states in
   words (ASSUMPTIONS below, each with its sentence): digital engagement and attitude.
4. For every published answer distribution (question x statement x year, or x region where the
   report breaks it down by region), respondents who would be asked (filters: the most engaged,
   as many as the published base) answer by a multinomial model tilted by their trait, with
   category intercepts solved so that the raked (population-weighted) expected shares equal the
   published ones. Unweighted shares then differ from the published ones (the panel is old and
   educated) and raking on sex, age and region brings them back, up to sampling error.

Personnel (2020, not weighted) are drawn with the published composition by workplace and
profession; their intercepts make the unweighted expected shares equal the published ones.
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import DATA
from .data import codebook, inventory, population_margins, values
from .weighting import rake

SYNTHETIC = DATA / "synthetic"
AGE = ["15-29", "30-44", "45-59", "60+"]
SEX = ["female", "male"]
REGION = ["Nord", "Midt-Norge", "Vest", "Sør-Øst"]
EDUCATION = ["Grunnskole", "Videregående/fagskole", "Universitet/høyskole"]
#: ASSUMPTION (not in the sources): education of the population 15+, the same in every cell.
EDUCATION_ASSUMED = {"Grunnskole": 0.25, "Videregående/fagskole": 0.40, "Universitet/høyskole": 0.35}
REGION_ALIASES = {"Midt": "Midt-Norge", "Helse Nord": "Nord", "Helse Midt-Norge": "Midt-Norge",
                  "Helse Vest": "Vest", "Helse Sør-Øst": "Sør-Øst"}

#: Subgroup patterns of the synthetic citizens, each with the sentence of the citizen report it
#: comes from (000_5eb8532def817e42.txt, "Trender og systematikk"). Effects are on latent
#: standard-normal traits; their sizes are assumptions.
ASSUMPTIONS = [
    {"trait": "engagement", "effect": "women +0.25",
     "source": "kvinner har mer utstrakt bruk av helsetjenestene enn menn, også digitale"},
    {"trait": "attitude", "effect": "no sex effect",
     "source": "Vi finner ingen systematiske forskjeller mellom kjønnene når det gjelder holdninger"},
    {"trait": "engagement", "effect": "30-44 and 60+ equal (+0.1), 15-29 -0.1",
     "source": "digital kontakt med helsetjenesten er omtrent like utbredt blant innbyggere mellom 30 og 44 år "
               "som for de over 60 år"},
    {"trait": "attitude", "effect": "30-44 +0.3, 60+ -0.3",
     "source": "oftere mer positive holdninger ... blant de mellom 30 og 44 år og oftere mindre positive / mer "
               "negative holdninger blant de over 60 år"},
    {"trait": "attitude", "effect": "+0.3 x engagement",
     "source": "positive holdninger til de digitale tjenestene oftere forekommer blant innbyggere med erfaring "
               "med de digitale helsetjenestene"},
    {"trait": "engagement", "effect": "degree +0.3, compulsory school only -0.2",
     "source": "innbyggere med høyere utdanning har mer bruk av ... mens innbyggere med videregående utdanning "
               "har mindre bruk av"},
    {"trait": "don't know", "effect": "compulsory school only: +0.5 on the logit of non-answers",
     "source": "Det er mer utbredt ikke å ta stilling til spørsmål i undersøkelsen blant innbyggere med "
               "grunnskoleutdanning"},
]
TILT = 0.5  # strength of a trait on the answer logits


# ------------------------------------------------------------------ published inputs

def sample_sizes() -> dict[int, int]:
    """Completed citizen interviews per year: the method text where it gives them, else the largest base."""
    v = values()
    v = v[v["report"] == "citizens2022"]
    out = {int(r.year): int(r.value) for r in v[(v["unit"] == "count") & (v["item"] == "Antall intervju")].itertuples()}
    inv = inventory()
    for bases in inv.loc[inv["report"] == "citizens2022", "bases"]:
        for part in filter(None, str(bases).split(";")):
            y, _, n = part.partition(":")
            if y.strip().isdigit() and n.strip().isdigit():
                out.setdefault(int(y), 0)
    for y in [y for y, n in out.items() if n == 0]:
        out[y] = max(int(p.split(":")[1]) for b in inv["bases"] for p in filter(None, str(b).split(";"))
                     if p.split(":")[0].strip() == str(y) and p.split(":")[1].strip().isdigit())
    return dict(sorted(out.items()))


def panel_composition() -> dict[str, dict[str, float]]:
    """Unweighted composition of the citizen panel sample (2023, publisher's method table), in shares."""
    sc = pd.read_csv(DATA / "published" / "publisher" / "sample_composition.csv")
    sc = sc[(sc["survey"] == "citizens") & (sc["category"] != "Sum")]

    def shares(var: str, mapping: dict[str, str]) -> dict[str, float]:
        g = sc[sc["variable"].str.startswith(var)]
        s = g.assign(k=g["category"].map(mapping)).groupby("k")["count"].sum()
        if s.index.isna().any() or len(s) != len(set(mapping.values())):
            raise ValueError(f"sample composition: cannot map categories of {var!r}: {list(g['category'])}")
        return (s / s.sum()).to_dict()

    return {
        "sex": shares("Kjønn", {"Kvinner": "female", "Menn": "male"}),
        "agegrp": shares("Alder", {"Under 30 år": "15-29", "30–44 år": "30-44", "45-59 år": "45-59",
                                   "60 år eller over": "60+"}),
        "region": shares("Helseregion", {"Helse Sør-Øst RHF": "Sør-Øst", "Helse Vest RHF": "Vest",
                                         "Helse Midt-Norge RHF": "Midt-Norge", "Helse Nord RHF": "Nord"}),
        "education": shares("Utdanningsnivå", {"Grunnskole": "Grunnskole", "Videregående skole": "Videregående/fagskole",
                                               "Fagskole": "Videregående/fagskole",
                                               "Universitet/høyskole (lavere grad)": "Universitet/høyskole",
                                               "Universitet/høyskole (høyere grad)": "Universitet/høyskole"}),
    }


def answer_specs(report: str) -> list[dict]:
    """Published distributions a synthetic respondent answers: one spec per question column x year."""
    inv = inventory().set_index("figure_id")
    cb = codebook()
    v = values()
    v = v[(v["report"] == report) & (v["unit"] == "percent")]
    specs = []
    for fid, g in v.groupby("figure_id", sort=True):
        fig = inv.loc[fid]
        if fig["chart_type"] not in ("stacked_bar", "multi_bar") or not fig["question_id"]:
            continue
        qid = fig["question_id"]
        q = cb["questions"][qid]
        scale = q["scale"]
        labels = [l["no"] for l in cb["scales"][scale]["labels"]]
        items = [it["no"] for it in q.get("items") or []]
        pop = g["population"].iloc[0]
        by_region = set(g["item"]) <= set(REGION) | set(REGION_ALIASES)
        for (year, item), bar in g.groupby(["year", "item"], sort=True):
            if scale == "multi":
                column = f"{qid}[{items.index(item) + 1}]" if item in items else f"{qid}[{item}]"
            elif by_region or item == "Total":
                column = qid
            else:
                column = f"{qid}[{items.index(item) + 1}]" if item in items else f"{qid}[{item}]"
            specs.append({"figure_id": fid, "question_id": qid, "column": column, "year": int(year),
                          "population": pop, "item": item, "scale": scale, "labels": labels,
                          "region": REGION_ALIASES.get(item, item) if by_region else None,
                          "shares": dict(zip(bar["category"], bar["value"])),
                          "base_n": None if bar["base_n"].isna().all() else int(bar["base_n"].max()),
                          "filtered": bool(fig["filter_no"]), "chapter": fig["chapter"]})
    return specs


# ------------------------------------------------------------------ answer model

def _seed(*parts) -> int:
    """A stable seed from any labels (hash-based, so adding a question does not shift the others)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "little")


def calibrated_probabilities(tilt: np.ndarray, w: np.ndarray, target: np.ndarray, iters: int = 200) -> np.ndarray:
    """Multinomial probabilities softmax(alpha + tilt) with alpha solved so that w-weighted means equal target."""
    alpha = np.log(target)
    for _ in range(iters):
        z = alpha + tilt
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        m = w @ p / w.sum()
        if np.max(np.abs(m - target)) < 1e-12:
            break
        alpha += np.log(target / m)
    return p


def _category_scores(labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Score +1 (first, most positive) .. -1 (last substantive); non-answers flagged separately."""
    from .plots import is_non_answer

    non = np.array([is_non_answer(l) for l in labels])
    k = int((~non).sum())
    s = np.zeros(len(labels))
    s[~non] = np.linspace(1, -1, k) if k > 1 else 0.0
    return s, non


def _answer(spec: dict, people: pd.DataFrame, w: np.ndarray, trait: np.ndarray, basic: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    cats = [c for c in spec["labels"] if c in spec["shares"]]
    target = np.array([spec["shares"][c] for c in cats], float)
    if spec["scale"] == "multi":
        cats, target = ["Valgt", "Ikke valgt"], np.array([target[0], 100 - target[0]])
    target = np.clip(target, 0.05, None)
    target = target / target.sum()
    s, non = _category_scores(cats)
    tilt = TILT * np.outer(trait, s) + 0.5 * np.outer(basic, non.astype(float))
    p = calibrated_probabilities(tilt, w, target)
    u = rng.random(len(people))[:, None]
    idx = (u > np.cumsum(p, axis=1)).sum(axis=1)
    return np.asarray(cats, dtype=object)[np.minimum(idx, len(cats) - 1)]


def _asked(n: int, base: int | None, filtered: bool, engagement: np.ndarray, rng) -> np.ndarray:
    """Who answers: all, a random subset of the published base, or the most engaged (filters)."""
    if base is None or base >= n:
        return np.ones(n, dtype=bool)
    score = engagement + 0.5 * rng.normal(size=n) if filtered else rng.random(n)
    keep = np.zeros(n, dtype=bool)
    keep[np.argsort(-score, kind="stable")[:base]] = True
    return keep


# ------------------------------------------------------------------ citizens

def _population_frame(year: int) -> pd.DataFrame:
    cells = pd.read_csv(DATA / "population" / "cells.csv")
    cells = cells[cells["year"] == year]
    rows = [dict(r, education=e, persons=r["persons"] * share)
            for r in cells.to_dict("records") for e, share in EDUCATION_ASSUMED.items()]
    return pd.DataFrame(rows)


def synthetic_citizens(year: int, seed: int) -> pd.DataFrame:
    """Seeded synthetic citizen respondents for one survey year, biased as the web panel is."""
    n = sample_sizes()[year]
    rng = np.random.default_rng(_seed(seed, "citizens", year))
    popf = _population_frame(year)
    comp = panel_composition()
    target = {v: {c: s * popf["persons"].sum() for c, s in d.items()} for v, d in comp.items()}
    sample_cells = rake(popf, target, base_weights=popf["persons"]).weights.to_numpy()
    draw = rng.choice(len(popf), size=n, p=sample_cells / sample_cells.sum())
    people = popf.iloc[draw][["sex", "agegrp", "region", "education"]].reset_index(drop=True)
    people = people.sort_values(["region", "agegrp", "sex", "education"], kind="stable").reset_index(drop=True)
    female = (people["sex"] == "female").to_numpy(float)
    degree = (people["education"] == "Universitet/høyskole").to_numpy(float)
    basic = (people["education"] == "Grunnskole").to_numpy(float)
    age_eng = people["agegrp"].map({"15-29": -0.1, "30-44": 0.1, "45-59": 0.0, "60+": 0.1}).to_numpy()
    age_att = people["agegrp"].map({"15-29": 0.1, "30-44": 0.3, "45-59": 0.0, "60+": -0.3}).to_numpy()
    engagement = 0.25 * female + 0.3 * degree - 0.2 * basic + age_eng + rng.normal(size=n)
    attitude = age_att + 0.3 * engagement + rng.normal(size=n)
    w = rake(people, population_margins(year)).weights.to_numpy()
    out = people.copy()
    out.insert(0, "year", year)
    out.insert(0, "resp_id", [f"C{year}-{i + 1:04d}" for i in range(n)])
    specs = [s for s in answer_specs("citizens2022") if s["year"] == year and s["population"] == "citizens"]
    columns: dict[str, np.ndarray] = {}
    for spec in specs:
        r = np.random.default_rng(_seed(seed, spec["column"], year, spec["item"]))
        trait = engagement if spec["chapter"] == "c1" else attitude
        col = columns.setdefault(spec["column"], np.full(n, None, dtype=object))
        if spec["region"] is not None:
            mask = (people["region"] == spec["region"]).to_numpy()
            base = None
        else:
            mask = np.ones(n, dtype=bool)
            base = spec["base_n"]
        asked = mask & _asked(n, base, spec["filtered"], engagement, r)
        col[asked] = _answer(spec, people[asked], w[asked], trait[asked], basic[asked], r)
    nps_specs = _nps_specs("citizens2022", year)
    for spec in nps_specs:
        r = np.random.default_rng(_seed(seed, spec["column"], year))
        asked = _asked(n, spec["base_n"], True, engagement, r)
        columns[spec["column"]] = _nps_scores(spec, w, attitude, asked, r)
    for c in sorted(columns):
        out[c] = columns[c]
    return out


# ------------------------------------------------------------------ NPS

#: ASSUMPTION: where only the NPS is published, passives are taken to be 30 % of the base.
PASSIVES_ASSUMED = 30.0


def _nps_specs(report: str, year: int) -> list[dict]:
    v = values()
    v = v[(v["report"] == report) & (v["unit"] == "nps_points") & (v["year"] == year)]
    inv = inventory().set_index("figure_id")
    out = []
    for r in v.itertuples():
        if r.item not in ("Total",):
            continue
        qid = inv.loc[r.figure_id, "question_id"]
        out.append({"column": qid, "nps": float(r.value), "base_n": None if pd.isna(r.base_n) else int(r.base_n)})
    return out


def _nps_scores(spec: dict, w: np.ndarray, attitude: np.ndarray, asked: np.ndarray, rng) -> np.ndarray:
    pro = (100 - PASSIVES_ASSUMED + spec["nps"]) / 2
    det = 100 - PASSIVES_ASSUMED - pro
    target = np.array([pro, PASSIVES_ASSUMED, det]) / 100
    tilt = TILT * np.outer(attitude[asked], [1.0, 0.0, -1.0])
    p = calibrated_probabilities(tilt, w[asked], target)
    grp = (rng.random(int(asked.sum()))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    within = {0: [9, 10], 1: [7, 8], 2: [0, 1, 2, 3, 4, 5, 6]}
    probs = {0: [0.5, 0.5], 1: [0.5, 0.5], 2: np.array([1, 1, 1, 2, 2, 3, 4]) / 14}
    scores = np.array([rng.choice(within[g], p=probs[g]) for g in np.minimum(grp, 2)], dtype=float)
    out = np.full(len(w), np.nan)
    out[asked] = scores
    return out


# ------------------------------------------------------------------ loading and writing

def write(seed: int | None = None) -> list[Path]:
    """Write the synthetic respondents to data/synthetic/ (deterministic for a seed)."""
    from .settings import load

    seed = load()["synthetic_seed"] if seed is None else seed
    SYNTHETIC.mkdir(parents=True, exist_ok=True)
    frames = [synthetic_citizens(y, seed) for y in sample_sizes()]
    cit = pd.concat(frames, ignore_index=True)
    path = SYNTHETIC / "citizens.csv"
    cit.to_csv(path, index=False, lineterminator="\n", float_format="%.0f")
    return [path]


def citizens() -> tuple[pd.DataFrame, bool]:
    """Citizen respondents and whether they are synthetic (real microdata when configured)."""
    from .settings import load

    s = load()
    real = (s.get("microdata") or {}).get("citizens")
    if real:
        from .adapter import read_microdata

        mapping = (s.get("microdata") or {}).get("mapping")
        if not mapping:
            raise ValueError("microdata is configured but no mapping file is (settings.yml microdata.mapping "
                             "or EHELSE_MAPPING)")
        return read_microdata(real, mapping), False
    df = pd.read_csv(SYNTHETIC / "citizens.csv", dtype={"year": int}, keep_default_na=True)
    return df, True


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ehelse.microdata")
    ap.add_argument("command", choices=["write"])
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args(argv)
    for p in write(a.seed):
        print(f"wrote {p.relative_to(DATA.parent)}")


if __name__ == "__main__":
    main()
