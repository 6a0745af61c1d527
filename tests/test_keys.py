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



def test_dense_codes_number_combinations_in_order_of_first_appearance_whatever_the_runs():
    rng = np.random.default_rng(11)
    combos = rng.integers(-1, 3, (40, 2))  # 40 runs of repeated rows; a combination comes back in later runs
    lengths = rng.integers(1, 6, 40)
    codes = [np.repeat(combos[:, j], lengths) for j in range(2)]
    expected = pd.factorize(pd.MultiIndex.from_arrays(codes))[0]  # first appearance first
    assert (keys.dense_codes(codes) == expected).all()
    shuffled = rng.permutation(len(codes[0]))
    assert (keys.dense_codes([c[shuffled] for c in codes])
            == pd.factorize(pd.MultiIndex.from_arrays([c[shuffled] for c in codes]))[0]).all()


def test_run_starts_are_the_rows_that_differ_from_the_row_above():
    frame = pd.DataFrame({
        "year": pd.array([2023, 2023, None, None, 2024, 2024], dtype="Int16"),
        "unit": pd.Categorical(["x", "x", "x", "y", "y", "y"]),
        "indicator": pd.array(["a", "a", "a", "a", "a", "b"], dtype="string"),
    })
    assert keys.run_starts(frame, ["year", "unit", "indicator"]).tolist() == [0, 2, 3, 4, 5]
    assert keys.run_starts(frame, ["unit"]).tolist() == [0, 3]
