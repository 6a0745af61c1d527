"""Every label a report reader sees, declared once: table headers, the data dictionary of the data files,
the words for machine values (basis, zone, direction, flags) and for missing figures.

Written in Indonesian (``N_``: extracted into the gettext catalogue, translated where shown). The data
files (CSV/XLSX) keep the machine column names of ``TABLES``; ``COLUMNS`` gives each its header and its
meaning, which the appendix's data dictionary lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import N_, _


@dataclass(frozen=True)
class Column:
    header: str  # as a table header (may hold {year})
    meaning: str  # in the data dictionary


COLUMNS: dict[str, Column] = {
    "peringkat": Column(N_("Peringkat"), N_("peringkat di provinsi (kabupaten dan kota bersama; nilai sama berbagi "
                                            "peringkat)")),
    "dasar_peringkat": Column(N_("Dasar peringkat"), N_("`published` = peringkat yang dipublikasikan; `computed` = "
                                                        "dihitung di antara nilai dalam tabel")),
    "kode": Column(N_("Kode"), N_("kode wilayah Kemendagri, atau kode entitas (KEM.nn, LEM.nn)")),
    "entitas": Column(N_("Entitas"), N_("nama penyelenggara sebagaimana dipublikasikan")),
    "jenis": Column(N_("Jenis"), N_("jenis entitas (Kementerian, Lembaga, Pemerintah Provinsi, Kabupaten, Kota)")),
    "tahun": Column(N_("Tahun"), N_("tahun penilaian")),
    "nilai": Column(N_("Nilai"), N_("nilai, 2 desimal (kosong = nilai tidak dipublikasikan atau tidak dinilai)")),
    "dasar_nilai": Column(N_("Dasar nilai"), N_("`published` = dipublikasikan Ombudsman; `computed` = dihitung dari "
                                                "ekspor; `synthetic` = data contoh (sintetis)")),
    "kategori": Column(N_("Kategori"), N_("kategori A-E (2022-2024); untuk unit layanan 2025: kategori sebagaimana "
                                          "dipublikasikan (Sangat Baik .. Sangat Kurang)")),
    "zona": Column(N_("Zona"), N_("`hijau` / `kuning` / `merah` (sampai 2024)")),
    "opini": Column(N_("Opini"), N_("opini atau predikat sebagaimana dipublikasikan (2025: dengan 'Tanpa "
                                    "Maladministrasi' bila disebut)")),
    "tahun_sebelumnya": Column(N_("Tahun sebelumnya"), N_("tahun penilaian sebelumnya dalam seri yang sama")),
    "nilai_sebelumnya": Column(N_("Nilai {year}"), N_("nilai pada tahun sebelumnya dalam seri yang sama (kosong = "
                                                      "tidak ada)")),
    "selisih": Column(N_("Selisih"), N_("nilai dikurangi nilai tahun sebelumnya")),
    "arah": Column(N_("Perubahan"), N_("`naik` / `turun` / `tetap` / `baru dinilai`")),
    "perubahan_peringkat": Column(N_("Perubahan peringkat"), N_("peringkat sebelumnya dikurangi peringkat sekarang "
                                                                "(positif = naik)")),
    "catatan": Column(N_("Catatan"), N_("`metode berbeda`, `unit berbeda`, `tidak dinilai`, `seri berbeda`, "
                                        "`nilai tidak tersedia`, `<tahun> tidak dipublikasikan`")),
    "dicantumkan_terpisah": Column(N_("Dicantumkan terpisah"), N_("`True` untuk pemerintah provinsi, yang tidak "
                                                                  "diperingkat bersama kabupaten dan kota")),
    "source_url": Column(N_("Alamat sumber"), N_("alamat sumber angka yang dipublikasikan (kosong bila hanya judul "
                                                 "yang diketahui)")),
    "source_title": Column(N_("Judul sumber"), N_("judul sumber")),
    "unit": Column(N_("Unit layanan"), N_("nama unit layanan sebagaimana dipublikasikan atau diekspor")),
    "jenis_unit": Column(N_("Jenis unit"), N_("jenis unit layanan (DPMPTSP, Dinas Kesehatan, Puskesmas, ...)")),
    "input": Column(N_("Input"), N_("poin dimensi Input (sejak 2022)")),
    "proses": Column(N_("Proses"), N_("poin dimensi Proses (sejak 2022)")),
    "output": Column(N_("Output"), N_("poin dimensi Output (sejak 2022)")),
    "pengaduan": Column(N_("Pengaduan"), N_("poin dimensi Pengaduan (sejak 2022)")),
    "berkas": Column(N_("Berkas"), N_("berkas masukan (ekspor) yang dibaca")),
    "baris_dibaca": Column(N_("Baris dibaca"), N_("baris data berkas itu yang dibaca")),
    "baris_dipakai": Column(N_("Baris dipakai"), N_("baris yang dipakai untuk nilai")),
    "baris_ditolak": Column(N_("Baris ditolak"), N_("baris yang ditolak (karantina; baris dengan beberapa masalah "
                                                    "dihitung sekali)")),
    "alasan_penolakan": Column(N_("Alasan penolakan"), N_("setiap alasan penolakan dengan jumlah barisnya")),
    "jumlah": Column(N_("Jumlah (data ini)"), N_("jumlah entitas per zona dalam data laporan ini")),
    "pangsa": Column(N_("Pangsa (data ini)"), N_("pangsa zona di antara entitas berzona dalam data ini (0-1)")),
    "jumlah_dipublikasikan": Column(N_("Jumlah dipublikasikan"), N_("jumlah entitas per zona dalam angka nasional "
                                                                    "yang dipublikasikan")),
    "pangsa_dipublikasikan": Column(N_("Pangsa dipublikasikan"), N_("pangsa zona dalam angka nasional yang "
                                                                    "dipublikasikan (0-1)")),
    "sumber": Column(N_("Sumber"), N_("sumber angka nasional yang dipublikasikan")),
    "provinsi": Column(N_("Provinsi"), N_("nama provinsi")),
    "jumlah_entitas": Column(N_("Entitas"), N_("jumlah entitas provinsi itu (pemerintah provinsi dan "
                                               "kabupaten/kotanya) yang punya nilai atau hasil")),
    "rata_rata": Column(N_("Rata-rata nilai"), N_("rata-rata nilai entitas provinsi itu, 2 desimal")),
    "pangsa_hijau": Column(N_("Pangsa zona hijau"), N_("pangsa zona hijau di antara entitas berzona (0-1)")),
    "dimensi": Column(N_("Dimensi"), N_("dimensi penilaian (Input, Proses, Output, Pengaduan)")),
    "rata_rata_poin": Column(N_("Rata-rata poin"), N_("rata-rata poin dimensi itu atas unit yang memuatnya")),
    "batas": Column(N_("Batas poin"), N_("poin tertinggi dimensi itu menurut metodologi")),
    "pangsa_batas": Column(N_("Pangsa batas"), N_("rata-rata poin dibagi batas poin (0-1)")),
    "era": Column(N_("Era"), N_("metodologi yang dipakai tahun itu, sebagaimana dinamai sumbernya")),
    "jumlah_unit": Column(N_("Jumlah unit"), N_("jumlah unit layanan yang dinilai")),
    "dasar_nilai_sebelumnya": Column(N_("Dasar nilai sebelumnya"), N_("dasar nilai tahun sebelumnya (seperti "
                                                                      "`dasar_nilai`)")),
    "peringkat_sebelumnya": Column(N_("Peringkat sebelumnya"), N_("peringkat pada tahun sebelumnya")),
    "source_url_sebelumnya": Column(N_("Alamat sumber sebelumnya"), N_("alamat sumber angka tahun sebelumnya")),
    "source_title_sebelumnya": Column(N_("Judul sumber sebelumnya"), N_("judul sumber angka tahun sebelumnya")),
}

# The machine columns of each data file a report writes (<report>.<table>.csv and a sheet of its .xlsx).
TABLES: dict[str, tuple[str, ...]] = {
    "peringkat": ("peringkat", "dasar_peringkat", "kode", "entitas", "jenis", "tahun", "nilai", "dasar_nilai",
                  "kategori", "zona", "opini", "tahun_sebelumnya", "nilai_sebelumnya", "selisih", "arah",
                  "perubahan_peringkat", "catatan", "dicantumkan_terpisah", "source_url", "source_title"),
    "unit": ("kode", "entitas", "unit", "jenis_unit", "nilai", "kategori", "input", "proses", "output", "pengaduan",
             "dasar_nilai", "source_url", "source_title"),
    "validasi": ("berkas", "baris_dibaca", "baris_dipakai", "baris_ditolak", "alasan_penolakan"),
    "zona": ("jenis", "zona", "jumlah", "pangsa", "jumlah_dipublikasikan", "pangsa_dipublikasikan", "sumber"),
    "provinsi": ("kode", "provinsi", "jumlah_entitas", "rata_rata", "pangsa_hijau"),
    "dimensi": ("jenis", "dimensi", "rata_rata_poin", "batas", "pangsa_batas"),
    "perbandingan": ("kode", "entitas", "jenis", "tahun_sebelumnya", "nilai_sebelumnya", "dasar_nilai_sebelumnya", "tahun",
                     "nilai", "dasar_nilai", "selisih", "arah", "peringkat_sebelumnya", "peringkat",
                     "perubahan_peringkat", "catatan", "source_url_sebelumnya", "source_title_sebelumnya",
                     "source_url", "source_title"),  # explore.compare
    "lintasan": ("tahun", "nilai", "dasar_nilai", "kategori", "opini", "zona", "era", "jumlah_unit", "source_url",
                 "source_title"),
}

# Headers of reader tables that are no data file's column.
HEADERS: dict[str, str] = {
    "kategori_zona": N_("Kategori dan zona"),
    "tren": N_("Tren"),
    "sebelumnya": N_("Sebelumnya"),
    "sekarang": N_("Sekarang"),
    "keterbandingan": N_("Keterbandingan"),
    "komponen_nilai": N_("Komponen nilai"),
    "kelompok": N_("Kelompok"),
    "peringkat_provinsi": N_("Peringkat di provinsi"),
    "peringkat_nasional": N_("Peringkat nasional"),
    "rata_rata_tahun": N_("Rata-rata {year}"),
    "rentang": N_("Rentang nilai"),
    "opini_predikat": N_("Opini/predikat"),
    "kolom": N_("Kolom"),
    "judul_kolom": N_("Judul di laporan"),
    "arti": N_("Arti"),
    "tabel": N_("Berkas data"),
}


def header(name: str, **values) -> str:
    """The header of a column (COLUMNS) or of a reader table's own column (HEADERS), in the report's language."""
    text = COLUMNS[name].header if name in COLUMNS else HEADERS[name]
    return _(text).format(**values) if values else _(text)


def meaning(column: str) -> str:
    return _(COLUMNS[column].meaning)


# --- values --------------------------------------------------------------------------------------

NOT_ASSESSED = N_("tidak dinilai")  # no assessment that year
NOT_AVAILABLE = N_("tidak tersedia")  # assessed, but the figure is not known
NOT_COMPUTED = N_("tidak dihitung")  # rows of the entity were rejected: no score from the rest
NOT_PUBLISHED = N_("nilai tidak dipublikasikan")  # a published zone or rank whose source gives no score
DERIVED = N_("dihitung dari angka yang ditampilkan dalam laporan ini")
BASIS = {"published": N_("dipublikasikan"), "computed": N_("dihitung"), "synthetic": N_("sintetis")}
ZONE = {"hijau": N_("hijau"), "kuning": N_("kuning"), "merah": N_("merah")}
DIRECTION = {"naik": N_("naik"), "turun": N_("turun"), "tetap": N_("tetap"), "baru dinilai": N_("baru dinilai"),
             "tidak dinilai": N_("tidak dinilai")}
FLAG = {"seri berbeda": N_("seri berbeda"), "metode berbeda": N_("metode berbeda"), "unit berbeda": N_("unit berbeda"),
        "nilai tidak tersedia": N_("nilai tidak tersedia"), "tidak dinilai": N_("tidak dinilai")}
FLAG_NOT_PUBLISHED = N_("{year} tidak dipublikasikan")
DIMENSION = {"Input": N_("Input"), "Proses": N_("Proses"), "Output": N_("Output"), "Pengaduan": N_("Pengaduan")}
RULE = {  # methodology TOML `about`
    "bands": N_("rentang nilai"), "caps": N_("batas poin dimensi"), "scale": N_("skala"),
    "lowest-band": N_("label di bawah 32,00"), "tm": N_("Tanpa Maladministrasi"), "entity-score": N_("nilai entitas"),
}
CONFIDENCE = {"HIGH": N_("tinggi"), "MED": N_("sedang"), "LOW": N_("rendah")}
GROUP = {"teratas": N_("teratas"), "terbawah": N_("terbawah")}
ALL_TYPES = N_("semua jenis")
HEADLINE = {  # the headline figures an index lists (emit_headline's names)
    "entitas": N_("entitas"), "rata_rata": N_("rata-rata"), "median": N_("median"), "zona": N_("zona"),
    "kategori": N_("kategori"), "nilai": N_("nilai"),
}

# The words a machine value may appear as in an Indonesian page's data, never shown there (the scan test).
ENGLISH_VALUES = tuple(BASIS)


def value(kind: dict[str, str], raw) -> str:
    """A machine value as the reader reads it (``kind``: BASIS, ZONE, ...); an undeclared one as it is."""
    return _(kind[raw]) if raw in kind else str(raw)


def flags(text: str) -> str:
    """Comparability flags ('metode berbeda; unit berbeda', '2022 tidak dipublikasikan'), each in the reader's language."""
    parts = []
    for flag in (f.strip() for f in str(text).split(";")):
        year = re.fullmatch(r"(\d{4}) tidak dipublikasikan", flag)
        parts.append(_(FLAG_NOT_PUBLISHED).format(year=year.group(1)) if year else value(FLAG, flag))
    return "; ".join(p for p in parts if p)
