"""Training sets that mix real rows with their synthetic twins (PROTOCOL experiments 1-2).

A synthetic twin is a generated row whose ``source_row_id`` is the ``row_id`` of the real
train row it was generated from (same ``context_id``). The replacement sweep keeps the
training-set size ``n`` fixed and swaps a fraction of the real rows for their twins, so
that real and synthetic rows share the same contexts.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from littlehuman.data.schema import stable_seed
from littlehuman.errors import LittleHumanError


def n_replaced(n: int, fraction: float) -> int:
    """How many of ``n`` rows fraction ``fraction`` replaces: ``fraction * n`` rounded half up."""
    return int(math.floor(fraction * n + 0.5 + 1e-9))


def _without_source(synthetic: pd.DataFrame) -> pd.Series:
    """The synthetic rows with no source row (``source_row_id`` empty or missing): rows of a
    user's synthetic file matched to no human row (``--synthetic FILE``)."""
    source = synthetic["source_row_id"]
    return source.isna() | (source.astype(str) == "")


#: the flags that size the trade-off's mixes (base, added human rows, synthetic steps)
_SIZE_FLAGS = "--tradeoff-bases, --tradeoff-human or --tradeoff-step/--tradeoff-steps"


def _from_file(synthetic: pd.DataFrame) -> bool:
    """Whether the synthetic rows are a user's ``--synthetic FILE`` rows (which carry
    ``matched_by``: :class:`littlehuman.data.synthetic_file.SyntheticFile`), not generated."""
    return "matched_by" in synthetic.columns


def _twins_by_source(synthetic: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """One twin per source row (the smallest synthetic ``row_id``), indexed by source; rows
    without a source are left out."""
    if "source_row_id" not in synthetic.columns:
        raise LittleHumanError(
            f"{dataset}: the synthetic rows have no 'source_row_id' column: generate them "
            "with littlehuman's generation step, which links each twin to its real row"
        )
    twins = synthetic[~_without_source(synthetic)].astype({"source_row_id": str, "row_id": str})
    twins = twins.sort_values(["source_row_id", "row_id"], kind="stable")
    twins = twins.drop_duplicates("source_row_id", keep="first")
    return twins.set_index("source_row_id", drop=False)


def replacement_mix(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    n: int,
    fraction: float,
    seed: int,
    dataset: str,
    experiment: str = "sweep",
) -> pd.DataFrame:
    """``n`` real train rows with ``fraction`` of them replaced by their synthetic twins.

    ``real`` holds the real TRAIN rows (unified schema); ``synthetic`` the twins. Returns the
    columns of ``real`` plus a bool ``is_synthetic``, one row per base row in ``row_id``
    order, a replaced row carrying its twin's values (the twin's own ``row_id``).

    Seeds (rows are first sorted by ``row_id``, so input order does not matter):

    - base rows: ``n`` drawn without replacement with
      ``stable_seed(dataset, experiment, n, seed)``, so every fraction shares them;
    - replaced rows: one permutation of the base rows that have a twin, drawn with
      ``stable_seed(dataset, experiment, n, seed, "replace")``, followed by one permutation of
      the base rows without a twin (``..., "replace-spare"``); fraction ``f`` replaces its
      first ``n_replaced(n, f)`` (``f * n`` rounded half up). The replaced sets are nested:
      a larger fraction replaces a superset of a smaller one's rows. A base row without a
      twin (every reply for it was unusable) is replaced, only when a fraction needs more
      rows than have twins, by a spare: the twin of a real row outside ``real``, taken in the
      order ``synthetic`` lists them (``experiments.twins.twins_with_spares`` provides them).
      Such rows are flagged ``spare_twin``.

    The same arguments give the same frame, bit for bit. Raises LittleHumanError when ``n``
    exceeds the real rows, ``fraction`` is outside [0, 1], there are too few twins and
    spares, or a twin's ``context_id`` differs from its source's.
    """
    if not 0.0 <= fraction <= 1.0:
        raise LittleHumanError(f"{dataset}: synthetic fraction {fraction} is outside [0, 1]")
    if n < 1:
        raise LittleHumanError(f"{dataset}: training-set size n={n} must be at least 1")
    if n > len(real):
        raise LittleHumanError(
            f"{dataset}: n={n} training rows requested but only {len(real)} real train rows "
            "exist: lower n (the profile's or --n) to at most that"
        )
    pool = real.sort_values("row_id", kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(stable_seed(dataset, experiment, n, seed))
    base = pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))].reset_index(drop=True)
    base_ids = base["row_id"].astype(str)

    k = n_replaced(n, fraction)
    twins = _twins_by_source(synthetic, dataset)
    has_twin = base_ids.isin(twins.index).to_numpy()
    candidates = np.flatnonzero(has_twin)  # positions in base, in row_id order
    lacking = np.flatnonzero(~has_twin)
    spares = synthetic[~synthetic["source_row_id"].astype(str).isin(pool["row_id"].astype(str))]
    lone = _without_source(spares)  # rows without a source: each a spare of its own
    spares = spares[lone | ~spares["source_row_id"].astype(str).duplicated()]
    if k > len(candidates) + min(len(lacking), len(spares)):
        raise LittleHumanError(
            f"{dataset}: fraction {fraction} of n={n} needs {k} synthetic twins but only "
            f"{len(candidates)} of the {n} drawn rows have one and {len(spares)} spare twins "
            f"were given ({len(twins)} twins exist for {len(real)} real train rows): generate "
            "synthetic twins for more train rows (with --synthetic FILE: add rows to the file)"
        )
    order = np.random.default_rng(stable_seed(dataset, experiment, n, seed, "replace"))
    chosen = np.sort(candidates[order.permutation(len(candidates))[:k]])
    n_spare = max(0, k - len(candidates))
    spare_rng = np.random.default_rng(stable_seed(dataset, experiment, n, seed, "replace-spare"))
    by_spare = np.sort(lacking[spare_rng.permutation(len(lacking))[:n_spare]])

    out = base.copy()
    out["is_synthetic"] = False
    out["spare_twin"] = False
    shared = [c for c in base.columns if c in synthetic.columns]
    if k:
        picked = twins.loc[base_ids.iloc[chosen].to_list()]
        if "context_id" in picked.columns:
            src_ctx = base["context_id"].iloc[chosen].astype(str).to_numpy()
            bad = picked["context_id"].astype(str).to_numpy() != src_ctx
            if bad.any():
                raise LittleHumanError(
                    f"{dataset}: synthetic row {picked['row_id'].iloc[int(np.argmax(bad))]!r} has "
                    "a different context_id from its source row: regenerate the synthetic data"
                )
        for col in shared:
            out.loc[chosen, col] = picked[col].to_numpy()
        out.loc[chosen, "is_synthetic"] = True
    if n_spare:
        taken = spares.iloc[:n_spare]
        for col in shared:
            out.loc[by_spare, col] = taken[col].to_numpy()
        out.loc[by_spare, "is_synthetic"] = True
        out.loc[by_spare, "spare_twin"] = True
    return out.astype(base.dtypes.to_dict() | {"is_synthetic": bool, "spare_twin": bool})


def tradeoff_mix(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    base: int,
    kind: str,
    added: int,
    seed: int,
    dataset: str,
    experiment: str = "tradeoff",
) -> pd.DataFrame:
    """PROTOCOL experiment 3: a purely synthetic base, plus ``added`` human or synthetic rows.

    One permutation of the real train rows that have a twin, seeded by
    ``stable_seed(dataset, experiment, seed)``, orders everything: the first ``base`` rows
    enter as their synthetic twins; the next ``added`` rows enter as themselves
    (``kind="human"``) or as their twins (``kind="synthetic"``). So every base, addition and
    seed nests: base 2000 holds base 1000, +400 synthetic holds +200, and the added human
    rows are rows the base does not use (not always contexts: a ROPES or FairyTaleQA context
    has several rows, so an added row may share one with a base twin; its +synthetic
    counterpart is that row's twin, of the same context). Returns the rows with ``is_synthetic``.

    Synthetic rows without a source (a user's ``--synthetic FILE`` rows matched to no human
    row) come after the twins: the synthetic sequence is the twins in the order above, then
    those rows in an order seeded by ``(..., seed, "without-source")``; human rows are the
    real rows after the base's sources in the order above, then the real rows without a
    twin (seeded by ``(..., seed, "lone")``). Without such rows this is the order above,
    bit for bit.
    """
    if kind not in ("human", "synthetic"):
        raise LittleHumanError(f"{dataset}: trade-off addition kind {kind!r}: use human or synthetic")
    if base < 1 or added < 0:
        raise LittleHumanError(f"{dataset}: trade-off sizes base={base}, added={added} must be >= 1, >= 0")
    twins = _twins_by_source(synthetic, dataset)
    every = real.sort_values("row_id", kind="stable")
    has_twin = every["row_id"].astype(str).isin(twins.index)
    pool = every[has_twin].reset_index(drop=True)
    order = np.random.default_rng(stable_seed(dataset, experiment, seed)).permutation(len(pool))
    ordered = pool.iloc[order].reset_index(drop=True)
    unsourced = synthetic[_without_source(synthetic)].sort_values("row_id", kind="stable")
    shuffle = np.random.default_rng(stable_seed(dataset, experiment, seed, "without-source"))
    unsourced = unsourced.iloc[shuffle.permutation(len(unsourced))]
    # the human rows outside the base: the rest of ``ordered``, then, only when some synthetic
    # rows have no source, the real rows without a twin (so twins alone keep the twins' order)
    lone = every[~has_twin] if len(unsourced) else every.iloc[:0]
    lone = lone.iloc[np.random.default_rng(stable_seed(dataset, experiment, seed, "lone"))
                     .permutation(len(lone))]
    synthetic_needed = base + (added if kind == "synthetic" else 0)
    n_humans = max(0, len(ordered) - base) + len(lone)
    if synthetic_needed > len(ordered) + len(unsourced) or (kind == "human" and added > n_humans):
        if not len(unsourced):
            from_file = _from_file(synthetic)
            if not len(pool):
                raise LittleHumanError(
                    f"{dataset}: no train row has a synthetic twin"
                    + (" in your --synthetic file" if from_file else "")
                    + f", so the trade-off (a base of {base} plus {added} rows) cannot run at "
                    "any size: " + ("add synthetic rows for train rows to your file (a "
                                    "source_id naming a train row, or a train row's context)"
                                    if from_file else "generate twins for the train rows"))
            raise LittleHumanError(
                f"{dataset}: a base of {base} plus {added} rows needs {base + added} train rows "
                f"with a synthetic twin but only {len(pool)} have one: "
                + ("add synthetic rows for more train rows to your file"
                   if from_file else "generate twins for more train rows")
                + f", or lower {_SIZE_FLAGS}")
        raise LittleHumanError(
            f"{dataset}: a base of {base} plus {added} {kind} rows needs {synthetic_needed} "
            f"synthetic rows and {added if kind == 'human' else 0} human rows outside the base, "
            f"but there are {len(ordered) + len(unsourced)} synthetic rows ({len(ordered)} twins, "
            f"{len(unsourced)} without a source) and {n_humans} such human rows: add "
            f"synthetic rows or lower {_SIZE_FLAGS}")
    # the synthetic sequence: the twins of ``ordered``, then the rows without a source
    sequence = [_as_twins(ordered.iloc[:synthetic_needed], twins)]
    if synthetic_needed > len(ordered):
        sequence.append(unsourced.iloc[:synthetic_needed - len(ordered)][list(real.columns)]
                        .assign(is_synthetic=True))
    sequence = _joined(sequence)
    parts = [sequence.iloc[:base]]
    if added:
        if kind == "synthetic":
            parts.append(sequence.iloc[base:base + added])
        else:
            humans = _joined([ordered.iloc[base:], lone])
            parts.append(humans.iloc[:added].assign(is_synthetic=False))
    out = _joined(parts)
    return out.astype(real.dtypes.to_dict() | {"is_synthetic": bool})[list(real.columns) + ["is_synthetic"]]


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``frames`` one after another (a fresh index), leaving out empty ones so that they
    cannot change a column's dtype; the first frame when all are empty."""
    kept = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(kept, ignore_index=True)


def _as_twins(rows: pd.DataFrame, twins: pd.DataFrame) -> pd.DataFrame:
    """The twins of ``rows`` in the unified columns of ``rows``, flagged synthetic."""
    picked = twins.loc[rows["row_id"].astype(str).to_list()]
    shared = [c for c in rows.columns if c in picked.columns]
    out = rows.copy().reset_index(drop=True)
    for col in shared:
        out[col] = picked[col].to_numpy()
    return out.assign(is_synthetic=True)
