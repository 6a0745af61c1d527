"""Reading assessment exports (CSV/XLSX, any declared layout) into canonical units and answers rows.

By stage: `layouts` (the declared layouts, finding a header row), `readers` (a file into tables of
cell texts, `cells`), `checks` (the row checks), `clean` (a table's canonical rows and located
problems), `crossfile` (checks across files), `exports` (a set of files read: `read_exports`).
"""

from .exports import ExportData, read_exports

__all__ = ["ExportData", "read_exports"]
