"""Synthetic example exports calibrated to the published results (fixed seed), for `demo-data`.

Stages, one module each: ``declarations`` (the generator's declared choices), ``calibration`` (what the
published facts require), ``generator`` (entities, units, answers), ``exports`` (files, the committed
subset). Run ``python -m kepatuhan_lib.synthetic subset [DIR]`` to write the committed subset.
"""

from ..schemas import NATIONAL_TYPES
from .calibration import nearest_published
from .declarations import (
    CALIBRATION_EXCEPTIONS, DEFAULT_SEED, SYNTHETIC_FLAG, Settings, load_national_targets, load_settings,
)
from .exports import national_files, write_csv, write_national, write_subset
from .generator import SyntheticSet, generate

__all__ = [
    "CALIBRATION_EXCEPTIONS", "DEFAULT_SEED", "NATIONAL_TYPES", "SYNTHETIC_FLAG", "Settings", "SyntheticSet",
    "generate", "load_national_targets", "load_settings", "national_files", "nearest_published",
    "write_csv", "write_national", "write_subset",
]
