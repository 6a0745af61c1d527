"""Integer keys for combinations of coded columns: grouping millions of rows without tuples."""

from __future__ import annotations

import numpy as np
import pandas as pd


def mixed_radix(codes: list[np.ndarray]) -> np.ndarray:
    """One integer (not dense) per distinct combination of several integer code arrays (-1 allowed)."""
    key, radix = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64), 1
    for k in codes:
        size = int(k.max(initial=0)) + 2
        if radix * size >= 2**62:  # renumber before the mixed-radix number could overflow
            key = pd.factorize(key)[0].astype(np.int64)
            radix = int(key.max(initial=0)) + 1
        key, radix = key * size + (k + 1), radix * size
    return key


def combination_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer (not dense) per distinct combination of ``columns``; a missing value is a value of its own."""
    return mixed_radix([pd.factorize(frame[c], use_na_sentinel=True)[0] for c in columns])
