"""Checks across the tables of a run: rows of one entity-year given in several files or sheets, and
the values of a whole entity that its unit rows must repeat alike."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..keys import dense_codes, run_starts
from .checks import DUPLICATE_RULES, MANY_PER_ENTITY, duplicates, fmt


def _unit_key(frame: pd.DataFrame) -> np.ndarray:
    many = frame["unit_type"].isin(MANY_PER_ENTITY).to_numpy(dtype=bool, na_value=True)
    return np.where(many, frame["unit"].str.casefold().to_numpy(dtype=object), frame["unit_type"].to_numpy(dtype=object))


def across_tables(frames: list[pd.DataFrame], kind: str) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Rows of one entity-year given in several files or sheets are compared like rows of one table."""
    entity = ["year", "entity_code"]
    # An entity's rows come together: the first row of each run of them is enough to see which a table has.
    seen = pd.concat([f[entity].iloc[run_starts(f, entity)].drop_duplicates().assign(_t=i)
                      for i, f in enumerate(frames)], ignore_index=True) \
        if frames else pd.DataFrame(columns=[*entity, "_t"])
    shared = seen[seen.duplicated(entity, keep=False)][entity].drop_duplicates()
    if shared.empty:
        return frames, []
    shared_index = pd.MultiIndex.from_frame(shared)
    parts = [f[pd.MultiIndex.from_frame(f[entity]).isin(shared_index)].assign(_t=i, _i=lambda d: d.index)
             for i, f in enumerate(frames)]
    sub = pd.concat(parts, ignore_index=True)
    value_columns, conflict_column, what = DUPLICATE_RULES[kind]
    key_columns = entity + (["dimension", "indicator_code", "respondent"] if kind == "answers" else [])
    keys = [pd.factorize(sub[c].astype(object).where(sub[c].notna(), None))[0] for c in key_columns]
    keys.append(pd.factorize(_unit_key(sub))[0])
    sheet = sub["source_sheet"].astype(object).map(lambda s: "" if pd.isna(s) else f"[{s}]")
    where = (sub["source_file"].astype(str) + sheet + " row " + sub["source_row"].astype(str)).to_numpy(dtype=object)
    refused = duplicates(dense_codes(keys), [sub[c].to_numpy(dtype=float, na_value=np.nan) for c in value_columns],
                          where.__getitem__, what)
    if not refused:
        return frames, []
    picked = sub.iloc[[p for p, _, _ in refused]]
    headers = {"units": "Nilai", "answers": "Skor"}
    problems = pd.DataFrame({
        "file": picked["source_file"].to_numpy(dtype=object),
        "sheet": picked["source_sheet"].to_numpy(dtype=object, na_value=None),
        "row": picked["source_row"].to_numpy(dtype=object), "value": None,
        "column": [headers[kind] if conflicting else None for _, _, conflicting in refused],
        "reason": [reason for _, reason, _ in refused],
        "year": picked["year"].to_numpy(dtype=object, na_value=None),
        "entity_code": picked["entity_code"].to_numpy(dtype=object),
        "province_code": picked["province_code"].to_numpy(dtype=object, na_value=None),
        "entity_type": picked["entity_type"].to_numpy(dtype=object), "other_entity_code": None,
        "holds_back": [conflicting for _, _, conflicting in refused],
    })
    drop = picked.groupby("_t")["_i"].agg(list)
    kept = [f.drop(index=drop[i]).reset_index(drop=True) if i in drop.index else f for i, f in enumerate(frames)]
    return kept, [problems]


def same_per_entity(units: pd.DataFrame, column: str, header: str, what: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A value of the whole entity (Koreksi, Tanpa Maladministrasi): unit rows giving different values
    (an empty cell counts as a value) are refused, each named with its file and row."""
    if units.empty or units[column].isna().all():
        return units, pd.DataFrame()
    value = units[column].astype(object).where(units[column].notna(), "none")
    differ = (value.groupby([units["year"], units["entity_code"]]).transform("nunique") > 1).to_numpy()
    if not differ.any():
        return units, pd.DataFrame()
    bad = units[differ]
    shown = {True: "Ya", False: "Tidak"}
    values = bad[column].astype(object).map(lambda x: "" if pd.isna(x) else shown[bool(x)]
                                            if column == "tanpa_maladministrasi" else fmt(x)).to_numpy(dtype=object)
    problems = pd.DataFrame({
        "file": bad["source_file"].to_numpy(dtype=object),
        "sheet": bad["source_sheet"].to_numpy(dtype=object, na_value=None),
        "row": bad["source_row"].to_numpy(dtype=object), "column": header,
        "value": values,
        "reason": (pd.Series(np.where(values == "", "(empty)", values), index=bad.index)
                   + f": {header} differs between the unit rows of " + bad["entity"].astype(str) + " "
                   + bad["year"].astype(str) + f"; it is {what} (expected the same value on every row)")
        .to_numpy(dtype=object),
        "year": bad["year"].to_numpy(dtype=object, na_value=None), "entity_code": bad["entity_code"].to_numpy(dtype=object),
        "province_code": bad["province_code"].to_numpy(dtype=object, na_value=None),
        "entity_type": bad["entity_type"].to_numpy(dtype=object), "other_entity_code": None, "holds_back": True,
    })
    return units[~differ].reset_index(drop=True), problems
