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


def test_tradeoff_mix_short_of_twins_names_the_flags_and_the_remedy():
    """Too few twins: the remedy names the size flags, and for a user's --synthetic file
    (rows with ``matched_by``) says to add rows to the file, not to generate twins; with no
    twin at all it says that no size can run."""
    from littlehuman.mixing import tradeoff_mix

    real, syn = _toy(10)
    flags = "lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps"
    with pytest.raises(LittleHumanError) as caught:
        tradeoff_mix(real, syn, 10, "human", 5, 0, "toy")
    assert str(caught.value).endswith(f"only 10 have one: generate twins for more train rows, or {flags}")
    from_file = syn.assign(matched_by="context")
    with pytest.raises(LittleHumanError) as caught:
        tradeoff_mix(real, from_file, 10, "human", 5, 0, "toy")
    message = str(caught.value)
    assert message.endswith(f"only 10 have one: add synthetic rows for more train rows to "
                            f"your file, or {flags}")
    assert "generate" not in message
    for twins in (syn.iloc[:0], from_file.iloc[:0]):
        with pytest.raises(LittleHumanError) as caught:
            tradeoff_mix(real, twins, 2, "synthetic", 0, 0, "toy")
        message = str(caught.value)
        assert message.startswith("toy: no train row has a synthetic twin")
        assert "cannot run at any size" in message and "lower" not in message
    assert "in your --synthetic file" in message and "to your file" in message


# --- the trade-off mixes pinned: twins alone, and twins with rows without a source ------

def _tradeoff_frames(unsourced: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """24 real rows, a twin for three in four (r003, r007, ... have none); with ``unsourced``
    five synthetic rows without a source as well. The synthetic rows come in reverse order."""
    n = 24
    real = pd.DataFrame({
        "row_id": [f"r{i:03d}" for i in range(n)], "dataset": "toy", "split": "train",
        "context_id": [f"c{i}" for i in range(n)], "context": [f"context {i}" for i in range(n)],
        "claim": [f"real claim {i}" for i in range(n)], "label": [i % 2 for i in range(n)],
        "meta": "",
    })
    src = real[real.index % 4 != 3]
    syn = src.assign(row_id=[f"syn:{r}" for r in src["row_id"]],
                     claim=[f"synthetic claim {r}" for r in src["row_id"]],
                     source_row_id=src["row_id"])
    if unsourced:
        free = pd.DataFrame({"row_id": [f"free:{i}" for i in range(5)], "dataset": "toy",
                             "split": "train", "context_id": [f"f{i}" for i in range(5)],
                             "context": "free", "claim": [f"free claim {i}" for i in range(5)],
                             "label": 1, "meta": "", "source_row_id": ""})
        syn = pd.concat([syn, free], ignore_index=True)
    return real, syn.iloc[::-1]


def _tradeoff_digest(mix: pd.DataFrame) -> str:
    rows = list(zip(mix["row_id"], mix["claim"], mix["label"], mix["is_synthetic"],
                    mix["context_id"]))
    text = repr((rows, list(mix.columns), [str(t) for t in mix.dtypes]))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# (rows without a source?, kind, base, added, seed): digest of the mix, or its error
TRADEOFF_PINS = {
    (False, 'human', 1, 0, 0): 'fcb984f0be355411',
    (False, 'human', 1, 0, 1): 'c9829f604b0a4ae8',
    (False, 'human', 5, 3, 0): 'd1731393a2ef492f',
    (False, 'human', 5, 3, 1): '48688481e701bfab',
    (False, 'human', 8, 10, 0): '4787f284999a4fd7',
    (False, 'human', 8, 10, 1): 'ea312f289f8ee439',
    (False, 'human', 12, 6, 0): '918e71160af9c66f',
    (False, 'human', 12, 6, 1): 'd3555df16603a457',
    (False, 'human', 18, 0, 0): '1dc54181352087c9',
    (False, 'human', 18, 0, 1): 'f8b1696e877217c0',
    (False, 'human', 15, 8, 0): 'error: toy: a base of 15 plus 8 rows needs 23 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'human', 15, 8, 1): 'error: toy: a base of 15 plus 8 rows needs 23 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'human', 18, 7, 0): 'error: toy: a base of 18 plus 7 rows needs 25 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'human', 20, 4, 0): 'error: toy: a base of 20 plus 4 rows needs 24 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'synthetic', 1, 0, 0): 'fcb984f0be355411',
    (False, 'synthetic', 1, 0, 1): 'c9829f604b0a4ae8',
    (False, 'synthetic', 5, 3, 0): 'd825ad68595a22a0',
    (False, 'synthetic', 5, 3, 1): 'e259fc2698c1dee6',
    (False, 'synthetic', 8, 10, 0): '1dc54181352087c9',
    (False, 'synthetic', 8, 10, 1): 'f8b1696e877217c0',
    (False, 'synthetic', 12, 6, 0): '1dc54181352087c9',
    (False, 'synthetic', 12, 6, 1): 'f8b1696e877217c0',
    (False, 'synthetic', 18, 0, 0): '1dc54181352087c9',
    (False, 'synthetic', 18, 0, 1): 'f8b1696e877217c0',
    (False, 'synthetic', 15, 8, 0): 'error: toy: a base of 15 plus 8 rows needs 23 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'synthetic', 15, 8, 1): 'error: toy: a base of 15 plus 8 rows needs 23 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'synthetic', 18, 7, 0): 'error: toy: a base of 18 plus 7 rows needs 25 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (False, 'synthetic', 20, 4, 0): 'error: toy: a base of 20 plus 4 rows needs 24 train rows with a synthetic twin but only 18 have one: generate twins for more train rows, or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (True, 'human', 1, 0, 0): 'fcb984f0be355411',
    (True, 'human', 1, 0, 1): 'c9829f604b0a4ae8',
    (True, 'human', 5, 3, 0): 'd1731393a2ef492f',
    (True, 'human', 5, 3, 1): '48688481e701bfab',
    (True, 'human', 8, 10, 0): '4787f284999a4fd7',
    (True, 'human', 8, 10, 1): 'ea312f289f8ee439',
    (True, 'human', 12, 6, 0): '918e71160af9c66f',
    (True, 'human', 12, 6, 1): 'd3555df16603a457',
    (True, 'human', 18, 0, 0): '1dc54181352087c9',
    (True, 'human', 18, 0, 1): 'f8b1696e877217c0',
    (True, 'human', 15, 8, 0): '0c7fb9f70b6876f3',
    (True, 'human', 15, 8, 1): '5e6ea45f9890d980',
    (True, 'human', 18, 7, 0): 'error: toy: a base of 18 plus 7 human rows needs 18 synthetic rows and 7 human rows outside the base, but there are 23 synthetic rows (18 twins, 5 without a source) and 6 such human rows: add synthetic rows or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (True, 'human', 20, 4, 0): '80e9ff82719324db',
    (True, 'synthetic', 1, 0, 0): 'fcb984f0be355411',
    (True, 'synthetic', 1, 0, 1): 'c9829f604b0a4ae8',
    (True, 'synthetic', 5, 3, 0): 'd825ad68595a22a0',
    (True, 'synthetic', 5, 3, 1): 'e259fc2698c1dee6',
    (True, 'synthetic', 8, 10, 0): '1dc54181352087c9',
    (True, 'synthetic', 8, 10, 1): 'f8b1696e877217c0',
    (True, 'synthetic', 12, 6, 0): '1dc54181352087c9',
    (True, 'synthetic', 12, 6, 1): 'f8b1696e877217c0',
    (True, 'synthetic', 18, 0, 0): '1dc54181352087c9',
    (True, 'synthetic', 18, 0, 1): 'f8b1696e877217c0',
    (True, 'synthetic', 15, 8, 0): '0376dcb1adb80356',
    (True, 'synthetic', 15, 8, 1): '205b3b1c313f25c4',
    (True, 'synthetic', 18, 7, 0): 'error: toy: a base of 18 plus 7 synthetic rows needs 25 synthetic rows and 0 human rows outside the base, but there are 23 synthetic rows (18 twins, 5 without a source) and 6 such human rows: add synthetic rows or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
    (True, 'synthetic', 20, 4, 0): 'error: toy: a base of 20 plus 4 synthetic rows needs 24 synthetic rows and 0 human rows outside the base, but there are 23 synthetic rows (18 twins, 5 without a source) and 6 such human rows: add synthetic rows or lower --tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps',
}


@pytest.mark.parametrize("key", list(TRADEOFF_PINS))
def test_tradeoff_mix_pinned(key):
    """The rows, values, order and dtypes every trade-off mix had when pinned."""
    from littlehuman.mixing import tradeoff_mix

    unsourced, kind, base, added, seed = key
    real, syn = _tradeoff_frames(unsourced)
    expected = TRADEOFF_PINS[key]
    if expected.startswith("error: "):
        with pytest.raises(LittleHumanError) as caught:
            tradeoff_mix(real, syn, base, kind, added, seed, "toy")
        assert str(caught.value) == expected.removeprefix("error: ")
    else:
        assert _tradeoff_digest(tradeoff_mix(real, syn, base, kind, added, seed, "toy")) == expected


def test_tradeoff_mix_pinned_row_ids():
    from littlehuman.mixing import tradeoff_mix

    real, syn = _tradeoff_frames(False)
    assert list(tradeoff_mix(real, syn, 5, "human", 3, 0, "toy")["row_id"]) == ['syn:r013', 'syn:r008', 'syn:r005', 'syn:r002', 'syn:r009', 'r004', 'r021', 'r014']
    real, syn = _tradeoff_frames(True)
    assert list(tradeoff_mix(real, syn, 16, "synthetic", 3, 0, "toy")["row_id"]) == ['syn:r013', 'syn:r008', 'syn:r005', 'syn:r002', 'syn:r009', 'syn:r004', 'syn:r021', 'syn:r014', 'syn:r022', 'syn:r001', 'syn:r018', 'syn:r000', 'syn:r017', 'syn:r012', 'syn:r010', 'syn:r016', 'syn:r006', 'syn:r020', 'free:1']
    assert list(tradeoff_mix(real, syn, 12, "human", 8, 1, "toy")["row_id"]) == ['syn:r002', 'syn:r020', 'syn:r014', 'syn:r005', 'syn:r012', 'syn:r022', 'syn:r009', 'syn:r021', 'syn:r018', 'syn:r016', 'syn:r008', 'syn:r017', 'r006', 'r013', 'r010', 'r001', 'r004', 'r000', 'r023', 'r007']


def test_tradeoff_mix_twins_need_not_carry_every_real_column():
    """Twins alone keep the real rows' values for columns they lack (``meta`` here)."""
    from littlehuman.mixing import tradeoff_mix

    real, syn = _toy()
    for kind in ("human", "synthetic"):
        mix = tradeoff_mix(real, syn.drop(columns=["meta"]), 20, kind, 10, 0, "toy")
        pd.testing.assert_frame_equal(mix, tradeoff_mix(real, syn, 20, kind, 10, 0, "toy"))
