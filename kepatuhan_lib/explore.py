"""For analysts in JupyterLab: an edition's processed tables, the trend of an entity, a province's league
table and two years compared. Each result is a DataFrame of plain values (the columns of the reports' CSV
tables) that Jupyter shows as the reports show it: every figure with its mark (P and its source number, H,
S, †) and the Sumber list below. The figures, ranks and held-back entities are the pipeline's
(pipeline.py); nothing here decides one. ``compare`` applies the pipeline's year-over-year rule
(ranking.year_over_year) to whichever two years are asked.

    from kepatuhan_lib import explore
    terbitan = explore.open("terbitan")
    terbitan.trend("Kabupaten Mukomuko")
    terbitan.league(2023, "Bengkulu")
    terbitan.compare(2022, 2023, "Bengkulu")
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from dataclasses import dataclass

import pandas as pd

from . import config, ranking
from .errors import AmbiguousEntityError, ParameterError, ReportDataError, UnknownEntityError, UnknownValueError
from .reports import data, tables
from .reference import province_names

__all__ = ["Edition", "Table", "open"]


class Table(pd.DataFrame):
    """A result: plain values to compute with; in Jupyter, the report's table and its sources. A frame
    derived from it (a selection, a copy, a computation) is a plain DataFrame."""

    _metadata = ["_html"]
    _html = ""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _repr_html_(self) -> str:
        return self._html


def open(edition: str = config.PUBLIC_EDITION) -> Edition:  # shadows the builtin on purpose: explore.open(...)
    """An edition's processed tables, all of one generation (what `kepatuhan ingest` last wrote, or the
    generation a running build pinned)."""
    if edition not in config.EDITIONS:
        raise UnknownValueError(edition, "edition", config.EDITIONS)
    return Edition(data.load(edition))


@dataclass(frozen=True)
class Edition:
    """One edition's tables (``tables.scores``, ``tables.published``, ...) and the views the reports show."""

    tables: data.ReportData

    def trend(self, entity: str) -> Table:
        """Every year's figure of an entity, given by code (``17.06``) or name (``Kabupaten Mukomuko``,
        ``mukomuko``)."""
        code = self.entity_code(entity)
        scores, facts = self.tables.scores, self.tables.published
        history = scores[scores["entity_code"] == code].sort_values("year")
        cites, notes = self._citations(facts[facts["entity_code"] == code])
        caption = f"{history['entity'].iloc[-1]} ({code}): nilai setiap tahun"
        return _table(tables.trend_export(history, facts), tables.trend_styler(history, facts, cites, notes),
                      cites, caption)

    def league(self, year: int, province: str) -> Table:
        """A province's league table of ``year`` (province by code or name), beside the previous assessed
        year of the same series, as in the province report."""
        code = self.province_code(province)
        rows = data.province_scores(self.tables.scores, code)
        _require_year(rows, year, f"Provinsi {data.province_label(code)}")
        table = tables.league_frame(self.tables.scores, self.tables.changes, year, code, self.tables.public)
        years = [y for y in (year, data.previous_year(rows, year)) if y is not None]  # as the report cites
        cites, notes = self._citations(data.province_facts(self.tables.published, code, years))
        styler = tables.league_styler(table, rows[["entity_code", "year", "score"]], year, cites, notes,
                                      self.tables.public)
        return _table(tables.league_export(table, self.tables.published), styler, cites,
                      f"Peringkat {year}, Provinsi {data.province_label(code)}")

    def compare(self, year_from: int, year_to: int, province: str | None = None) -> Table:
        """Each entity of ``year_to`` beside its ``year_from`` figure: change, rank change, comparability, by
        the rule the pipeline applies to consecutive years (ranking.year_over_year), for any two years. In a
        province (by code or name): its government and kabupaten/kota, ranks in the province; without one:
        the nationally counted entity types, ranks within each type."""
        if year_from >= year_to:
            raise ParameterError(f"compare: year_from ({year_from}) must be before year_to ({year_to})",
                                 name="year_from", value=year_from)
        scores, facts = self.tables.scores, self.tables.published
        if province is None:
            scope, where, level = scores[scores["entity_type"].isin(data.NATIONAL_TYPES)], "nasional", "national"
            cited = data.national_facts(facts, [year_from, year_to])
        else:
            code = self.province_code(province)
            scope, where, level = data.province_scores(scores, code), \
                f"Provinsi {data.province_label(code)}", "province"
            cited = data.province_facts(facts, code, [year_from, year_to])
        for year in (year_from, year_to):
            _require_year(scope, year, where)
        if level == "province":
            shown = tables.league_rows(scores, year_to, code)
        else:
            kind = scope["entity_type"].map({t: i for i, t in enumerate(data.NATIONAL_TYPES)})
            shown = scope.assign(_kind=kind)[scope["year"] == year_to].sort_values(
                ["_kind", "score", "entity"], ascending=[True, False, True], na_position="last", kind="stable")
            shown = shown.drop(columns="_kind")
        table = tables.with_previous(shown, scores, year_from, ranking.year_over_year(scope, year_from, year_to),
                                     self.tables.public, level)
        cites, _ = self._citations(cited)
        return _table(tables.comparison_export(table, facts, level), tables.movers_styler(table, cites), cites,
                      f"Perubahan {year_from} → {year_to}, {where}")

    def entity_code(self, entity: str) -> str:
        """The code of an entity of this edition given by code or name: the full name (any case), else the
        one name holding those words; several are an AmbiguousEntityError, none an UnknownEntityError
        naming the nearest (difflib)."""
        latest = self.tables.scores.sort_values("year").drop_duplicates("entity_code", keep="last")
        names = dict(zip(latest["entity_code"], latest["entity"], strict=True))
        if entity in names:
            return entity
        wanted = _words(entity)
        found = [c for c, n in names.items() if _words(n) == wanted] or \
            [c for c, n in names.items() if re.search(rf"\b{re.escape(wanted)}\b", _words(n))]
        if len(found) == 1:
            return found[0]
        label = {c: f"{n} ({c})" for c, n in names.items()}
        if found:
            candidates = sorted(label[c] for c in found)
            more = [f"{len(candidates) - 10} more"] if len(candidates) > 10 else []
            raise AmbiguousEntityError(entity, candidates[:10] + more, hint="give the full name or the code")
        keys = {c: c for c in names}  # a mistyped code, a name, or a name without its kind ("mukomoko")
        for c, n in names.items():
            words = _words(n).split()
            keys |= {" ".join(words[i:]): c for i in range(len(words))}
        close = difflib.get_close_matches(wanted, list(keys), n=8, cutoff=0.7)
        raise UnknownEntityError(entity, list(dict.fromkeys(label[keys[k]] for k in close))[:5],
                                 expected=f"no such name or code in edition {self.tables.edition}")

    @staticmethod
    def province_code(province: str) -> str:
        """'17' for '17', 'Bengkulu' or 'bengkulu'; else an UnknownEntityError naming the nearest provinces."""
        names = province_names()
        if province in names:
            return province
        by_name = {_words(n): c for c, n in names.items()}
        wanted = _words(province).removeprefix("provinsi ")
        if wanted in by_name:
            return by_name[wanted]
        close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
        raise UnknownEntityError(province, [f"{names[by_name[k]]} ({by_name[k]})" for k in close],
                                 expected="a province name or its 2-digit code, such as Bengkulu or 17")

    def _citations(self, facts: pd.DataFrame) -> tuple[data.Citations, dict]:
        cites = data.citations(facts)
        return cites, tables.disagreement_notes(self.tables.disagreements, cites)


_results = itertools.count(1)


def _words(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _require_year(rows: pd.DataFrame, year: int, where: str) -> None:
    if not (rows["year"] == year).any():
        raise ReportDataError(f"no figures for {where} in {year}; years with figures: "
                              f"{', '.join(map(str, data.assessed_years(rows)))}")


def _table(frame: pd.DataFrame, styler, cites: data.Citations, caption: str) -> Table:
    """``frame`` shown as ``styler`` (the report's table) under ``caption``, then the sources it cites. A
    notebook shows many results on one page: each result's footnotes link to its own Sumber list."""
    result = Table(frame.reset_index(drop=True))
    sources = "" if cites.sources.empty else f"<p><strong>Sumber</strong></p>{tables.sources_html(cites)}"
    shown = styler.set_caption(html.escape(caption)).to_html() + sources
    own = f"sumber-{next(_results)}-"  # data text is escaped: only the footnotes' own markup matches
    result._html = shown.replace('href="#sumber-', f'href="#{own}').replace('id="sumber-', f'id="{own}')
    return result
