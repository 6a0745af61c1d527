"""Integer keys for combinations of columns (keys.py)."""

import numpy as np
import pandas as pd

from kepatuhan_lib import keys


def test_equal_combinations_share_a_key_and_missing_is_a_value_of_its_own():
    frame = pd.DataFrame({
        "entity": pd.array(["A", "A", "B", "A", None, "A"], dtype="string"),
        "unit": pd.array(["x", "y", "x", "x", "x", None], dtype="string"),
    })
    key = keys.combination_key(frame, ["entity", "unit"])
    assert key[0] == key[3]
    assert len(set(key.tolist())) == 5  # (A,x) (A,y) (B,x) (<NA>,x) (A,<NA>)


def test_many_wide_columns_renumber_instead_of_overflowing():
    rng = np.random.default_rng(7)
    codes = [rng.integers(-1, 2**20, 1000) for _ in range(5)]  # 21 bits each: 105 bits without renumbering
    key = keys.mixed_radix(codes)
    combos = pd.factorize(pd.MultiIndex.from_arrays(codes))[0]
    assert (pd.factorize(key)[0] == combos).all()
