"""Respondents: the real microdata when configured, otherwise seeded synthetic respondents.

Synthetic respondents exist so that every microdata method (weighting, subgroups, NPS by
subgroup, tests) runs and can be checked. They illustrate the method, never a finding.

How the citizens are made (one sample per weighted wave of data/waves.csv, n as the registry gives it,
demographics from the population of the wave's margin year):
1. Population cells sex x age group x health region from SSB (data/population/cells.csv),
   crossed with an ASSUMED education split (EDUCATION_ASSUMED: not from the sources).
2. Panel bias: the cells are re-weighted (raked) to the unweighted composition of the latest
   panel sample published by the Directorate (15 % under 30, 38 % 60+, 59 % with a degree;
   data/published/publisher/sample_composition.csv) and n respondents are drawn from them.
3. Two latent traits per respondent carry the subgroup patterns the citizen report states in
   words (ASSUMPTIONS below, each with its sentence): digital engagement and attitude.
4. For every published answer distribution (question x statement x year, from the sources the
   registry lists for that wave: report text and/or publisher's pages, or x region where the
   report breaks it down by region), respondents who would be asked (filters: the most engaged,
   as many as the published base; where a filtered question's base is printed for other years
   only, the share asked in the nearest such year; where it is never printed, the question gets
   no synthetic answers, since who answered is unknown) answer by a multinomial model tilted by their trait, with
   category intercepts solved so that the raked (population-weighted) expected shares equal the
   published ones. Unweighted shares then differ from the published ones (the panel is old and
   educated) and raking on sex, age and region brings them back, up to sampling error.

Personnel (the personnel survey's latest wave, not weighted) are drawn with the published composition by workplace and
profession; their intercepts make the unweighted expected shares equal the published ones.
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import DATA, waves
from .data import codebook, inventory, publisher_values, sample_composition, values, wave_margins
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
    {"trait": "engagement", "effect": "30-44 and 60+ equal (+0.2), 15-29 -0.4",
     "source": "digital kontakt med helsetjenesten er omtrent like utbredt blant innbyggere mellom 30 og 44 år "
               "som for de over 60 år"},
    {"trait": "attitude", "effect": "15-29 +0.4, 30-44 +0.8, 45-59 +0.1, 60+ -0.8",
     "source": "oftere mer positive holdninger ... blant de mellom 30 og 44 år og oftere mindre positive / mer "
               "negative holdninger blant de over 60 år"},
    {"trait": "attitude", "effect": "+0.3 x engagement",
     "source": "positive holdninger til de digitale tjenestene oftere forekommer blant innbyggere med erfaring "
               "med de digitale helsetjenestene"},
    {"trait": "engagement", "effect": "degree +0.3, upper secondary -0.2",
     "source": "innbyggere med høyere utdanning har mer bruk av ... mens innbyggere med videregående utdanning "
               "har mindre bruk av"},
    {"trait": "unmet needs (barriers and unmet needs questions)", "effect": "degree +0.4, upper secondary -0.3, "
     "+0.3 x engagement",
     "source": "innbyggere med høyere utdanning har ... oftere udekkede behov for digitale helsetjenester, mens "
               "innbyggere med videregående utdanning har ... sjeldnere udekkede behov"},
    {"trait": "don't know", "effect": "compulsory school only: +0.5 on the logit of non-answers",
     "source": "Det er mer utbredt ikke å ta stilling til spørsmål i undersøkelsen blant innbyggere med "
               "grunnskoleutdanning"},
]
RESIDUAL = "Øvrige svar"  # the unprinted rest of a scale whose text gives only nets
TILT = 1.0  # strength of a trait on the answer logits


# ------------------------------------------------------------------ published inputs

def sample_sizes() -> dict[int, int]:
    """Completed interviews of every weighted citizen wave, {year: n}, from the wave registry."""
    n = waves.interviews("citizens")
    missing = [y for y in waves.years("citizens") if waves.weighted("citizens", y) and y not in n]
    if missing:
        raise ValueError(f"data/waves.csv: citizens wave(s) {missing} have no number of interviews")
    return {y: n[y] for y in waves.years("citizens") if waves.weighted("citizens", y)}


def published_numbers(report: str) -> pd.DataFrame:
    """A report's printed numbers for each wave from the sources the registry lists for it.

    Waves whose sources include 'report' take the report text's numbers; waves whose numbers come
    from the publisher's pages only take the publisher's rows (a new wave before its report text).
    """
    survey = waves.survey_of(report)
    text_years = set(waves.years(survey, "report", report))
    pub_years = set(waves.years(survey, "publisher", report)) - text_years
    v = values()
    v = v[(v["report"] == report) & v["year"].isin(text_years)]
    p = publisher_values()
    p = p[(p["report"] == report) & p["year"].isin(pub_years)]
    cols = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n"]
    return pd.concat([v[cols], p[cols]], ignore_index=True)


def panel_composition() -> dict[str, dict[str, float]]:
    """Unweighted composition of the citizen panel sample (publisher's method table), in shares."""
    sc = sample_composition()
    sc = sc[(sc["survey"] == "citizens") & (sc["category"] != "Sum")]

    def shares(var: str, mapping: dict[str, str]) -> dict[str, float]:
        g = sc[sc["variable"].str.startswith(var)]
        k = g["category"].map(mapping)  # groupby drops the NaN of an unmapped category: check before it
        s = g.assign(k=k).groupby("k")["count"].sum()
        if k.isna().any() or len(s) != len(set(mapping.values())):
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
    v = published_numbers(report)
    v = v[v["unit"] == "percent"]
    specs = []
    for fid, g in v.groupby("figure_id", sort=True):
        fig = inv.loc[fid]
        if fig["chart_type"] not in ("stacked_bar", "multi_bar") or not fig["question_id"]:
            continue
        if fig["numbers_source"] == "partial":  # a headline's one or two numbers are not a distribution to answer
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
                          "filtered": bool(fig["filter_no"]), "chapter": fig["chapter"],
                          # a bar with most of it unprinted is treated as nets plus an unprinted rest
                          "exhaustive": cb["scales"][scale].get("exhaustive", True) and bar["value"].sum() >= 90})
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
    elif not spec.get("exhaustive", True) and target.sum() < 99.5:
        cats, target = cats + [RESIDUAL], np.append(target, 100 - target.sum())
    target = np.clip(target, 0.05, None)
    target = target / target.sum()
    s, non = _category_scores(cats)
    tilt = TILT * np.outer(trait, s) + 0.5 * np.outer(basic, non.astype(float))
    p = calibrated_probabilities(tilt, w, target)
    u = rng.random(len(people))[:, None]
    idx = (u > np.cumsum(p, axis=1)).sum(axis=1)
    return np.asarray(cats, dtype=object)[np.minimum(idx, len(cats) - 1)]


def _borrowed_base(spec: dict, specs: list[dict], n: int, report: str) -> int | None:
    """For a filtered question whose base is printed in other years only: the share asked in the nearest such year."""
    sizes = pd.Series(waves.interviews(waves.survey_of(report)))
    other = [s for s in specs if s["column"] == spec["column"] and s["base_n"] and s["year"] in sizes.index]
    if not other:
        return None
    near = min(other, key=lambda s: (abs(s["year"] - spec["year"]), -s["year"]))
    return int(round(n * near["base_n"] / sizes[near["year"]]))


def _asked(n: int, base: int | None, filtered: bool, engagement: np.ndarray, rng) -> np.ndarray:
    """Who answers: all, a random subset of the published base, or the most engaged (filters)."""
    if base is None or base >= n:
        return np.ones(n, dtype=bool)
    score = engagement + 0.5 * rng.normal(size=n) if filtered else rng.random(n)
    keep = np.zeros(n, dtype=bool)
    keep[np.argsort(-score, kind="stable")[:base]] = True
    return keep


def _fill_answers(people: pd.DataFrame, report: str, population: str, year: int, seed: int, w: np.ndarray,
                  traits: dict[str, np.ndarray], default_trait: np.ndarray, engagement: np.ndarray,
                  basic: np.ndarray, nps_trait: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Answer every published question of `report` for one year; returns question column -> answers."""
    n = len(people)
    columns: dict[str, np.ndarray] = {}
    asked_multi: dict[str, np.ndarray] = {}
    specs = answer_specs(report)
    for spec in [s for s in specs if s["year"] == year and s["population"] == population]:
        if spec["filtered"] and spec["base_n"] is None and spec["region"] is None:
            spec = {**spec, "base_n": _borrowed_base(spec, specs, n, report)}
            if spec["base_n"] is None:
                continue  # a filter with no printed base in any year: who answered is unknown, so no answers
        r = np.random.default_rng(_seed(seed, spec["column"], year, spec["item"]))
        trait = traits.get(spec["chapter"], default_trait)
        col = columns.setdefault(spec["column"], np.full(n, None, dtype=object))
        if spec["region"] is not None:
            asked = (people["region"] == spec["region"]).to_numpy()
        elif spec["scale"] == "multi":  # one filter for all options of a question
            if spec["question_id"] not in asked_multi:
                rq = np.random.default_rng(_seed(seed, spec["question_id"], year))
                asked_multi[spec["question_id"]] = _asked(n, spec["base_n"], spec["filtered"], engagement, rq)
            asked = asked_multi[spec["question_id"]]
        else:
            asked = _asked(n, spec["base_n"], spec["filtered"], engagement, r)
        col[asked] = _answer(spec, people[asked], w[asked], trait[asked], basic[asked], r)
    for spec in _nps_specs(report, year):
        r = np.random.default_rng(_seed(seed, spec["column"], year))
        asked = _asked(n, spec["base_n"], True, engagement, r)
        columns[spec["column"]] = _nps_scores(spec, w, default_trait if nps_trait is None else nps_trait, asked, r)
    return columns


# ------------------------------------------------------------------ citizens

def _population_frame(year: int) -> pd.DataFrame:
    """Population cells of a margin year crossed with the assumed education split."""
    cells = pd.read_csv(DATA / "population" / "cells.csv")
    cells = cells[cells["year"] == year]
    if cells.empty:
        raise ValueError(f"data/population/cells.csv has no cells for {year} (rebuild the margins)")
    rows = [dict(r, education=e, persons=r["persons"] * share)
            for r in cells.to_dict("records") for e, share in EDUCATION_ASSUMED.items()]
    return pd.DataFrame(rows)


def synthetic_citizens(year: int, seed: int) -> pd.DataFrame:
    """Seeded synthetic citizen respondents for one survey year, biased as the web panel is."""
    n = sample_sizes()[year]
    rng = np.random.default_rng(_seed(seed, "citizens", year))
    popf = _population_frame(waves.margin_year("citizens", year))
    comp = panel_composition()
    target = {v: {c: s * popf["persons"].sum() for c, s in d.items()} for v, d in comp.items()}
    sample_cells = rake(popf, target, base_weights=popf["persons"]).weights.to_numpy()
    draw = rng.choice(len(popf), size=n, p=sample_cells / sample_cells.sum())
    people = popf.iloc[draw][["sex", "agegrp", "region", "education"]].reset_index(drop=True)
    people = people.sort_values(["region", "agegrp", "sex", "education"], kind="stable").reset_index(drop=True)
    female = (people["sex"] == "female").to_numpy(float)
    degree = (people["education"] == "Universitet/høyskole").to_numpy(float)
    secondary = (people["education"] == "Videregående/fagskole").to_numpy(float)
    basic = (people["education"] == "Grunnskole").to_numpy(float)
    age_eng = people["agegrp"].map({"15-29": -0.4, "30-44": 0.2, "45-59": 0.0, "60+": 0.2}).to_numpy()
    age_att = people["agegrp"].map({"15-29": 0.4, "30-44": 0.8, "45-59": 0.1, "60+": -0.8}).to_numpy()
    engagement = 0.25 * female + 0.3 * degree - 0.2 * secondary + age_eng + rng.normal(size=n)
    attitude = age_att + 0.3 * engagement + rng.normal(size=n)
    unmet = 0.4 * degree - 0.3 * secondary + 0.3 * engagement + rng.normal(size=n)
    w = rake(people, wave_margins("citizens", year)).weights.to_numpy()
    out = people.copy()
    out.insert(0, "year", year)
    out.insert(0, "resp_id", [f"C{year}-{i + 1:04d}" for i in range(n)])
    # use of services (c1) and of Helsenorge (c8) follow engagement; barriers and unmet needs (c5)
    # their own trait; every other answer follows attitude.
    traits = {"c1": engagement, "c8": engagement, "c5": unmet}
    columns = _fill_answers(people, waves.report_of("citizens", year), "citizens", year, seed, w, traits, attitude,
                            engagement, basic)
    for c in sorted(columns, key=_natural):
        out[c] = columns[c]
    return out


def _natural(column: str) -> tuple:
    """Sort question columns as q, q[1], q[2], …, q[10]."""
    q, _, rest = column.partition("[")
    k = rest.rstrip("]")
    return (q, int(k) if k.isdigit() else -1, k)


# ------------------------------------------------------------------ personnel

#: ASSUMPTION: profession mix within each workplace. The report's table of respondents by
#: workplace and profession lost its numbers in the text, so these shares are not from it.
PROFESSIONS_ASSUMED = {
    "Helseforetak": {"Sykepleier": 0.40, "Lege, somatikk": 0.14, "Lege, psykisk helse": 0.03, "Psykolog": 0.08,
                     "Jordmor": 0.05, "Helsefagarbeider/omsorgsarbeider": 0.09, "Administrativt ansatt": 0.09,
                     "Fysioterapeut/ergoterapeut": 0.04, "Annet helsepersonell": 0.08},
    "Kommune": {"Sykepleier": 0.40, "Helsefagarbeider/omsorgsarbeider": 0.25,
                "Miljøterapeut/vernepleier/sosionom": 0.10, "Psykolog": 0.04, "Jordmor": 0.03,
                "Administrativt ansatt": 0.08, "Fysioterapeut/ergoterapeut": 0.05, "Annet helsepersonell": 0.05},
    "Fastlege": {"Fastlege": 1.0},
}
#: Profession effects on recommending helsenorge.no (NPS), from the personnel report's words.
NPS_PROFESSION_EFFECT = {"Fastlege": 1.0, "Jordmor": 0.8, "Administrativt ansatt": 0.8,
                         "Miljøterapeut/vernepleier/sosionom": 0.6, "Psykolog": -1.0,
                         "Helsefagarbeider/omsorgsarbeider": -0.8, "Fysioterapeut/ergoterapeut": -0.6}
PERSONNEL_ASSUMPTIONS = [
    {"trait": "NPS (recommend to a patient)", "effect": "GPs +1.0, midwives +0.8, administrative +0.8, "
     "milieu therapists/social workers +0.6",
     "source": "Det er spesielt fastleger, jordmødre, miljøterapeuter/miljøarbeidere/barnevernspedagoger/sosionomer "
               "og administrativt ansatte som vil anbefale tjenestene til en pasient."},
    {"trait": "NPS (recommend to a patient)", "effect": "psychologists -1.0, carers -0.8, "
     "physiotherapists/occupational therapists -0.6",
     "source": "Psykologer, omsorgsarbeidere og fysioterapeuter/ergoterapeuter utmerker seg derimot med en "
               "negativ NPS."},
]


def personnel_workplaces() -> dict[str, int]:
    """Respondents of the personnel report's own wave by workplace: GPs and municipal staff as printed,
    the health trusts as the remainder.

    The report prints 1 179 for the health trusts, but 1 179 + 627 + 97 = 1 903, not the 2 503 it
    states (source issue PI01); the remainder 2 503 - 627 - 97 = 1 779 is used.
    """
    v = values()
    v = v[(v["figure_id"] == "P03") & (v["unit"] == "count")].set_index("item")["value"]
    total, kommune, gp = int(v["Total"]), int(v["Helsepersonell i kommune"]), int(v["Fastleger"])
    return {"Helseforetak": total - kommune - gp, "Kommune": kommune, "Fastlege": gp}


def synthetic_personnel(seed: int, year: int | None = None) -> pd.DataFrame:
    """Seeded synthetic health-personnel respondents of one wave (default: the latest; unweighted survey)."""
    year = waves.latest("personnel") if year is None else year
    rng = np.random.default_rng(_seed(seed, "personnel", year))
    rows = []
    for place, k in personnel_workplaces().items():
        mix = PROFESSIONS_ASSUMED[place]
        counts = rng.multinomial(k, list(mix.values()))
        for prof, c in zip(mix, counts):
            rows += [(place, prof)] * int(c)
    people = pd.DataFrame(rows, columns=["workplace", "profession"])
    n = len(people)
    attitude = rng.normal(size=n)
    engagement = 0.5 * attitude + rng.normal(size=n)
    nps_trait = people["profession"].map(NPS_PROFESSION_EFFECT).fillna(0.0).to_numpy() + rng.normal(size=n)
    w = np.ones(n)
    out = people.copy()
    out.insert(0, "year", year)
    out.insert(0, "resp_id", [f"P{year}-{i + 1:04d}" for i in range(n)])
    columns = _fill_answers(people, waves.report_of("personnel", year), "personnel", year, seed, w, {}, attitude,
                            engagement,
                            np.zeros(n), nps_trait=nps_trait)
    for c in sorted(columns, key=_natural):
        out[c] = columns[c]
    return out


# ------------------------------------------------------------------ NPS

#: ASSUMPTION: where only the NPS is published, passives are taken to be 30 % of the base.
PASSIVES_ASSUMED = 30.0


def _nps_specs(report: str, year: int) -> list[dict]:
    v = values()
    v = v[(v["report"] == report) & (v["unit"] == "nps_points") & (v["year"] == year)]
    inv = inventory().set_index("figure_id")
    allv = values()
    out = []
    for r in v.itertuples():
        if r.item not in ("Total",):
            continue
        qid = inv.loc[r.figure_id, "question_id"]
        groups = allv[(allv["figure_id"] == r.figure_id) & (allv["year"] == year) & (allv["item"] == "Total")
                      & (allv["unit"] == "percent")].set_index("category")["value"].to_dict()
        out.append({"column": qid, "nps": float(r.value), "base_n": None if pd.isna(r.base_n) else int(r.base_n),
                    "groups": {k: groups[k] for k in ("Promoters", "Passive", "Detractors") if k in groups}})
    return out


def _nps_scores(spec: dict, w: np.ndarray, attitude: np.ndarray, asked: np.ndarray, rng) -> np.ndarray:
    """0-10 answers whose promoter / passive / detractor shares match the published ones in expectation."""
    g = spec.get("groups") or {}
    if len(g) == 3:
        target = np.array([g["Promoters"], g["Passive"], g["Detractors"]], float)
        target = target / target.sum()
    else:
        pro = (100 - PASSIVES_ASSUMED + spec["nps"]) / 2
        target = np.array([pro, PASSIVES_ASSUMED, 100 - PASSIVES_ASSUMED - pro]) / 100
    tilt = TILT * np.outer(attitude[asked], [1.0, 0.0, -1.0])
    p = calibrated_probabilities(tilt, w[asked], target)
    grp = (rng.random(int(asked.sum()))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    within = {0: [9, 10], 1: [7, 8], 2: [0, 1, 2, 3, 4, 5, 6]}
    probs = {0: [0.5, 0.5], 1: [0.5, 0.5], 2: np.array([1, 1, 1, 2, 2, 3, 4]) / 14}
    scores = np.array([rng.choice(within[g], p=probs[g]) for g in np.minimum(grp, 2)], dtype=float)
    out = np.full(len(w), np.nan)
    out[asked] = scores
    return out


# ------------------------------------------------------------------ recovery check

def categories_of(spec: dict, present) -> list[str]:
    """Answer categories of a spec's column in scale order (multi: selected / not selected)."""
    if spec["scale"] == "multi":
        return ["Valgt", "Ikke valgt"]
    cats = [c for c in spec["labels"] if c in set(present)]
    return cats + ([RESIDUAL] if RESIDUAL in set(present) else [])


def recovery(df: pd.DataFrame, report: str, population: str, year: int, margins: pd.DataFrame | None) -> pd.DataFrame:
    """Published share vs unweighted and raked estimates (95 % CI) for every published share of a year."""
    from .estimates import design, shares

    df = df[df["year"] == year].reset_index(drop=True)
    raked = design(df, rake(df, margins)) if margins is not None else design(df)
    flat = design(df)
    rows = []
    for spec in [s for s in answer_specs(report) if s["year"] == year and s["population"] == population]:
        col = spec["column"]
        if col not in df.columns:
            continue
        dom = df[col].notna().to_numpy().copy()
        if spec["region"] is not None:
            dom &= (df["region"] == spec["region"]).to_numpy()
        cats = categories_of(spec, df.loc[dom, col])
        w = shares(raked, col, categories=cats, domain=dom).set_index("category")
        u = shares(flat, col, categories=cats, domain=dom).set_index("category")
        printed = sum(spec["shares"].values())
        for cat, pub in spec["shares"].items():
            if cat not in w.index:
                continue
            # bars whose small categories were not printed: compare with the share of the printed total
            target = pub if spec["scale"] == "multi" or not spec.get("exhaustive", True) else 100 * pub / printed
            e = w.loc[cat]
            rows.append({"figure_id": spec["figure_id"], "column": col, "year": year, "item": spec["item"],
                         "category": cat, "published": pub, "target": target, "unweighted": 100 * u.loc[cat, "estimate"],
                         "weighted": 100 * e["estimate"], "ci_low": 100 * e["ci_low"], "ci_high": 100 * e["ci_high"],
                         "n": int(e["n"]), "n_eff": float(e["n_eff"])})
    out = pd.DataFrame(rows)
    out["covered"] = (out["ci_low"] <= out["target"]) & (out["target"] <= out["ci_high"])
    return out


# ------------------------------------------------------------------ loading and writing

def write(seed: int | None = None) -> list[Path]:
    """Write the synthetic respondents to data/synthetic/ (deterministic for a seed)."""
    from .settings import load

    seed = load()["synthetic_seed"] if seed is None else seed
    SYNTHETIC.mkdir(parents=True, exist_ok=True)
    frames = [synthetic_citizens(y, seed) for y in sample_sizes()]
    written = []
    for name, df in (("citizens", pd.concat(frames, ignore_index=True)), ("personnel", synthetic_personnel(seed))):
        path = SYNTHETIC / f"{name}.csv"
        df.to_csv(path, index=False, lineterminator="\n", float_format="%.0f")
        written.append(path)
    return written


def respondents(survey: str) -> tuple[pd.DataFrame, bool]:
    """Respondents of 'citizens' or 'personnel' and whether they are synthetic (real data when configured)."""
    from .settings import load

    if survey not in ("citizens", "personnel"):
        raise ValueError(f"survey must be 'citizens' or 'personnel', not {survey!r}")
    micro = load()["microdata"]  # validated: configured files exist, a mapping is configured
    real = micro[survey]
    if real:
        from .adapter import read_microdata

        from .disclosure import reading_real_respondents

        mapping = (micro["personnel_mapping"] if survey == "personnel" else None) or micro["mapping"]
        out = with_category_order(read_microdata(real, mapping, survey=survey))
        reading_real_respondents()  # from here on every table, figure and download passes the suppression rule
        return out, False
    df = pd.read_csv(SYNTHETIC / f"{survey}.csv", dtype={"year": int}, keep_default_na=True)
    return with_category_order(df), True


def with_category_order(df: pd.DataFrame) -> pd.DataFrame:
    """Breakdown variables as ordered categories (age groups and education in their natural order)."""
    out = df.copy()
    for col, order in (("sex", SEX), ("agegrp", AGE), ("region", REGION), ("education", EDUCATION)):
        if col in out.columns:
            extra = sorted(set(out[col].dropna()) - set(order))
            out[col] = pd.Categorical(out[col], categories=order + extra, ordered=True)
    return out


def main(argv: list[str] | None = None) -> None:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(prog="python -m ehelse.microdata")
    ap.add_argument("command", choices=["write"])
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args(argv)
    for p in write(a.seed):
        print(f"wrote {p.relative_to(DATA.parent)}")


if __name__ == "__main__":
    main()
