"""replacement_mix: determinism, counts, shared base rows, nesting, contexts, errors.
All rows are invented fixtures."""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from littlehuman.errors import LittleHumanError
from littlehuman.mixing import n_replaced, replacement_mix

FRACTIONS = [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.975, 1.0]


def make_rows(n_real: int = 60, twin_every: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invented FV train rows; a twin for every ``twin_every``-th row."""
    real = pd.DataFrame({
        "row_id": [f"r{i:03d}" for i in range(n_real)],
        "dataset": "toy", "split": "train",
        "context_id": [f"c{i // 3}" for i in range(n_real)],
        "context": [f"Invented context {i // 3}." for i in range(n_real)],
        "claim": [f"Invented claim {i}." for i in range(n_real)],
        "label": [i % 2 for i in range(n_real)], "meta": "",
    })
    src = real.iloc[::twin_every]
    synthetic = src.assign(source_row_id=src["row_id"], row_id="s-" + src["row_id"],
                           claim="Synthetic " + src["claim"], label=1).reset_index(drop=True)
    return real, synthetic


def frame_hash(df: pd.DataFrame) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    digest.update(repr(list(df.columns)).encode())
    return digest.hexdigest()


def sources(mix: pd.DataFrame) -> set[str]:
    """The real row each training row stands for."""
    ids = mix["row_id"].str.removeprefix("s-")
    return set(ids)


def test_same_spec_same_frame_bit_for_bit():
    real, synthetic = make_rows()
    a = replacement_mix(real, synthetic, 30, 0.5, seed=3, dataset="toy")
    shuffled = real.sample(frac=1.0, random_state=7), synthetic.sample(frac=1.0, random_state=8)
    b = replacement_mix(*shuffled, 30, 0.5, seed=3, dataset="toy")
    pd.testing.assert_frame_equal(a, b)
    assert frame_hash(a) == frame_hash(b)
    c = replacement_mix(real, synthetic, 30, 0.5, seed=4, dataset="toy")
    assert frame_hash(a) != frame_hash(c)
    d = replacement_mix(real, synthetic, 30, 0.5, seed=3, dataset="toy", experiment="zoom")
    assert frame_hash(a) != frame_hash(d)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_fraction_counts(fraction):
    real, synthetic = make_rows()
    mix = replacement_mix(real, synthetic, 40, fraction, seed=0, dataset="toy")
    assert len(mix) == 40
    assert mix["is_synthetic"].dtype == bool
    assert int(mix["is_synthetic"].sum()) == n_replaced(40, fraction)
    assert mix["row_id"].str.startswith("s-").eq(mix["is_synthetic"]).all()
    assert list(mix.columns) == list(real.columns) + ["is_synthetic", "spare_twin"]
    assert mix["label"].dtype == real["label"].dtype


def test_rounding_is_half_up():
    assert [n_replaced(5000, 0.975), n_replaced(10, 0.25), n_replaced(10, 0.35)] == [4875, 3, 4]


def test_fractions_share_base_rows_and_nest():
    real, synthetic = make_rows()
    mixes = [replacement_mix(real, synthetic, 40, f, seed=1, dataset="toy") for f in FRACTIONS]
    base = sources(mixes[0])
    assert all(sources(m) == base for m in mixes)
    replaced = [set(m.loc[m["is_synthetic"], "row_id"]) for m in mixes]
    for smaller, larger in zip(replaced, replaced[1:]):
        assert smaller <= larger
    assert len(base) == 40 and base != sources(replacement_mix(real, synthetic, 40, 0.0, 2, "toy"))


def test_synthetic_rows_keep_their_source_context():
    real, synthetic = make_rows()
    mix = replacement_mix(real, synthetic, 45, 0.6, seed=5, dataset="toy")
    twins = synthetic.set_index("row_id")
    by_id = real.set_index("row_id")
    syn = mix[mix["is_synthetic"]]
    src = twins.loc[syn["row_id"], "source_row_id"].to_numpy()
    assert (syn["context_id"].to_numpy() == by_id.loc[src, "context_id"].to_numpy()).all()
    assert (syn["context"].to_numpy() == by_id.loc[src, "context"].to_numpy()).all()
    assert (syn["claim"].str.startswith("Synthetic ")).all() and (syn["label"] == 1).all()


def test_partial_twins_only_replace_rows_that_have_one():
    real, synthetic = make_rows(twin_every=2)
    mix = replacement_mix(real, synthetic, 20, 0.3, seed=0, dataset="toy")
    assert int(mix["is_synthetic"].sum()) == 6
    with pytest.raises(LittleHumanError, match=r"needs 20 synthetic twins.*30 twins exist.*generate"):
        replacement_mix(real, synthetic, 20, 1.0, seed=0, dataset="toy")


def test_errors():
    real, synthetic = make_rows(n_real=10)
    with pytest.raises(LittleHumanError, match="only 10 real train rows"):
        replacement_mix(real, synthetic, 11, 0.0, seed=0, dataset="toy")
    with pytest.raises(LittleHumanError, match="outside"):
        replacement_mix(real, synthetic, 5, 1.5, seed=0, dataset="toy")
    with pytest.raises(LittleHumanError, match="source_row_id"):
        replacement_mix(real, synthetic.drop(columns="source_row_id"), 5, 0.5, 0, "toy")
    bad = synthetic.assign(context_id="elsewhere")
    with pytest.raises(LittleHumanError, match="different context_id"):
        replacement_mix(real, bad, 5, 0.5, seed=0, dataset="toy")
    no_twins = synthetic.iloc[:0]
    assert not replacement_mix(real, no_twins, 5, 0.0, 0, "toy")["is_synthetic"].any()


# --- experiment 3: the trade-off mixes -------------------------------------------------

def _toy(n: int = 60):
    real = pd.DataFrame({
        "row_id": [f"r{i:03d}" for i in range(n)], "dataset": "toy", "split": "train",
        "context_id": [f"c{i}" for i in range(n)], "context": [f"context {i}" for i in range(n)],
        "claim": [f"real claim {i}" for i in range(n)], "label": [i % 2 for i in range(n)],
        "meta": "",
    })
    syn = real.assign(row_id=[f"syn:{r}" for r in real["row_id"]],
                      claim=[f"synthetic claim {i}" for i in range(n)], source_row_id=real["row_id"])
    return real, syn


def test_tradeoff_mix_sizes_kinds_and_nesting():
    from littlehuman.mixing import tradeoff_mix

    real, syn = _toy()
    base = tradeoff_mix(real, syn, 20, "synthetic", 0, 0, "toy")
    assert len(base) == 20 and base["is_synthetic"].all()
    human = tradeoff_mix(real, syn, 20, "human", 10, 0, "toy")
    assert len(human) == 30 and int((~human["is_synthetic"]).sum()) == 10
    assert human["claim"][~human["is_synthetic"]].str.startswith("real").all()
    more = tradeoff_mix(real, syn, 20, "synthetic", 20, 0, "toy")
    assert len(more) == 40 and more["is_synthetic"].all()
    # nesting: the base is shared; +20 synthetic holds the twins of the +10 human rows' contexts
    pd.testing.assert_frame_equal(human.iloc[:20].reset_index(drop=True), base)
    assert set(human["context_id"][~human["is_synthetic"]]) <= set(more["context_id"].iloc[20:])
    # the human rows' contexts are not in the base
    assert not set(human["context_id"][~human["is_synthetic"]]) & set(base["context_id"])
    # deterministic, and the seed matters
    pd.testing.assert_frame_equal(human, tradeoff_mix(real, syn, 20, "human", 10, 0, "toy"))
    assert set(tradeoff_mix(real, syn, 20, "synthetic", 0, 1, "toy")["row_id"]) != set(base["row_id"])


def test_tradeoff_mix_errors():
    from littlehuman.mixing import tradeoff_mix

    real, syn = _toy(10)
    with pytest.raises(LittleHumanError, match="needs 15"):
        tradeoff_mix(real, syn, 10, "human", 5, 0, "toy")
    with pytest.raises(LittleHumanError, match="kind"):
        tradeoff_mix(real, syn, 5, "robot", 1, 0, "toy")
