"""One function per report-notebook section: each reads the processed data and displays what the section shows,
in the report's language (i18n: every message through ``_``, every label from ``labels``). One module per report
kind (``provinsi``, ``nasional``, ``entitas``), what they share in ``common``; the HTML is drawn by the templates
in templates/sections/. The notebooks call ``sections.<name>`` (names re-exported here)."""

from .common import data_dictionary, dimension_shares, methodology_html
from .entitas import (lampiran_entitas, lintasan_entitas, metodologi_entitas, pembuka_entitas, peringkat_entitas,
                      perubahan_entitas, ringkasan_entitas, sumber_entitas, unit_entitas)
from .nasional import (dimensi_nasional, komposisi_zona, lampiran_nasional, metodologi_nasional, pembuka_nasional,
                       peta_provinsi, province_summary, ringkasan_nasional, sumber_nasional, teratas_terbawah,
                       zone_counts)
from .provinsi import (headline_figures, lampiran_provinsi, metodologi_provinsi, pembuka_provinsi, peringkat_provinsi,
                       pergerakan_provinsi, perubahan_provinsi, ringkasan_provinsi, sumber_provinsi, unit_provinsi)

__all__ = [
    "data_dictionary", "dimension_shares", "methodology_html",
    "pembuka_provinsi", "ringkasan_provinsi", "peringkat_provinsi", "perubahan_provinsi", "unit_provinsi",
    "pergerakan_provinsi", "metodologi_provinsi", "lampiran_provinsi", "sumber_provinsi", "headline_figures",
    "pembuka_nasional", "ringkasan_nasional", "komposisi_zona", "peta_provinsi", "teratas_terbawah",
    "dimensi_nasional", "metodologi_nasional", "lampiran_nasional", "sumber_nasional", "zone_counts",
    "province_summary",
    "pembuka_entitas", "ringkasan_entitas", "lintasan_entitas", "unit_entitas", "peringkat_entitas",
    "perubahan_entitas", "metodologi_entitas", "lampiran_entitas", "sumber_entitas",
]
