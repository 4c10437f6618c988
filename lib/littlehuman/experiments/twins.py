"""Which real train rows get synthetic twins, generating them, and what they cost: the sweep
twins ``study.train_pool``; an experiment that needs more rows twins the further train rows
of :func:`twin_order`, so the sweep's twins are always reused.

With ``--synthetic FILE`` (``study.synthetic_file``) nothing is generated: a row's twin is
the file's row matched to it (:mod:`littlehuman.data.synthetic_file`). Rows without one are
treated as rows whose every ask was unusable: a replaced row without a twin takes a spare
(the twin of a train row further along :func:`twin_order`, whose twinned rows come first;
then a file row without a source), and the trade-off uses every usable file row (twins
first, then rows without a source: :func:`twinned_rows`)."""
from __future__ import annotations

import contextlib
import contextvars
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pandas as pd

from littlehuman import mixing
from littlehuman.data import schema
from littlehuman.errors import LittleHumanError

if TYPE_CHECKING:
    from littlehuman.data.synthetic_file import SyntheticFile
    from littlehuman.study import Study

#: False while the checks before anything runs read a --synthetic file's twins (:func:`unstored`)
_STORE: contextvars.ContextVar[bool] = contextvars.ContextVar("littlehuman_store_twins",
                                                              default=True)


@contextlib.contextmanager
def unstored() -> Iterator[None]:
    """Within it, a ``--synthetic FILE``'s twins are matched but neither stored nor said
    (:func:`synthetic_file`), and nothing may be generated: the checks that ``--dry-run`` and
    run_all make before anything runs (``experiments.check_before_generation``)."""
    token = _STORE.set(False)
    try:
        yield
    finally:
        _STORE.reset(token)


def twin_order(study: "Study") -> pd.DataFrame:
    """Every real train row in the order they get twins: the sweep's ``train_pool`` first,
    then the other train rows in an order seeded by the data seed."""
    pool = study.train_pool
    rest = study.split("train").sort_values("row_id", kind="stable")
    rest = rest[~rest["row_id"].isin(pool["row_id"])]
    rng = np.random.default_rng(schema.stable_seed(study.name, "twin-order", study.profile.data_seed))
    rest = rest.iloc[rng.permutation(len(rest))]
    if study.synthetic_file is not None:  # rows with a twin in the file first
        has = rest["row_id"].isin(study.synthetic_file.twins["source_row_id"])
        rest = pd.concat([rest[has], rest[~has]])
    return pd.concat([pool, rest])


def twin_rows(study: "Study", size: int) -> pd.DataFrame:
    """The real train rows to twin for an experiment that uses ``size`` of them: the sweep's
    pool, extended along :func:`twin_order` when ``size`` is larger (capped by the split)."""
    return twin_order(study).iloc[:max(int(size), len(study.train_pool))]


def generate_twins(study: "Study", rows: pd.DataFrame,
                   progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of ``rows``, generated with the study's prompt and generator (only missing
    twins are generated; every experiment's twins join the same parquet file), or, with
    ``--synthetic FILE``, the file's rows matched to them (nothing generated)."""
    from littlehuman.generation import load_or_generate

    found = synthetic_file(study, progress)
    if found is not None:
        return found.twins_of(rows)
    if not _STORE.get():  # a check before anything runs generates nothing
        raise RuntimeError("generate_twins within unstored(): only a --synthetic file's twins")

    return load_or_generate(rows=rows, pool=study.split("train"), backend=study.backend,
                            prompt=study.prompt, batch_size=study.profile.gen_batch_size,
                            progress=progress)


def synthetic_file(study: "Study", progress: bool = False) -> "SyntheticFile | None":
    """The study's ``--synthetic FILE`` rows (None without one), stored on first use in this
    process where generated twins would be (``synthetic_path``: the notebooks and the report's
    freshness look there); with ``progress`` one line says what was read and matched, and
    another when the file changed under the same path since it was last used; within
    :func:`unstored`, neither."""
    from littlehuman.data.synthetic_file import store
    from littlehuman.generation import synthetic_path

    found = study.synthetic_file
    if found is None or found.said or not _STORE.get():
        return found
    note = store(found, synthetic_path(study.name, found.generator_id))
    if progress:
        print(found.report.describe(), flush=True)
        if note:
            print(note, flush=True)
    found.said = True
    return found


def sweep_twins(study: "Study", progress: bool = False) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of the sweep's train pool (generated once, then read from disk), plus one
    spare twin for each pool row left without one (:func:`twins_with_spares`). With
    ``--synthetic FILE``, a file too small for the sweep's largest fraction is a one-line
    LittleHumanError before anything is trained."""
    synthetic, stats = twins_with_spares(study, study.train_pool, progress)
    found = study.synthetic_file
    need = mixing.n_replaced(study.n, max(study.profile.sweep_fractions))
    if found is not None and len(synthetic) < need:
        raise LittleHumanError(
            f"{study.name}: the sweep replaces up to {need} of its n={study.n} rows, but "
            f"{found.path.name} twins {len(synthetic) - stats['spares']} of them and "
            f"{stats['spares']} spare(s) stand in ({found.report.twins} train rows have a "
            f"twin in it, {found.report.without_source} row(s) without a source): add synthetic "
            "rows to the file, or lower --n-train or the largest --sweep-fractions")
    return synthetic, stats


def add_stats(total: dict[str, Any], stats: dict[str, Any]) -> None:
    """Add one generation's stats into ``total`` (counts summed, faults merged by cause)."""
    for k, v in stats.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            total[k] = total.get(k, 0) + v
        elif k == "faults":
            faults = total.setdefault("faults", {"sent": 0, "retried": {}, "failed": {}})
            faults["sent"] += v.get("sent", 0)
            for part in ("retried", "failed"):
                for cause, n in v.get(part, {}).items():
                    faults[part][cause] = faults[part].get(cause, 0) + n


def twins_with_spares(study: "Study", rows: pd.DataFrame, progress: bool = False
                      ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The twins of ``rows``, plus one spare twin for each row left without one (every ask
    unusable): the twins of the next rows along :func:`twin_order` after ``rows``, which any
    larger experiment twins anyway. A mix that must replace a row without a twin takes a
    spare's twin instead (``mixing.replacement_mix``), so every synthetic fraction, 100%
    included, can be built. Stats gain ``spares`` (spare twins returned)."""
    synthetic, total = generate_twins(study, rows, progress)
    missing = len(rows) - int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
    total = dict(total)
    total["spares"] = 0
    if missing == 0:
        return synthetic, total
    order = twin_order(study)
    rest = order[~order["row_id"].isin(rows["row_id"])]
    spare_rows, spares, stats = _prefix_with_twins(study, rest, missing, 0, progress)
    stats.pop("from_file", None)
    add_stats(total, stats)
    kept = spare_rows[spare_rows["row_id"].isin(spares["source_row_id"])]["row_id"].iloc[:missing]
    spares = spares[spares["source_row_id"].isin(kept)]
    if len(spares) < missing and study.synthetic_file is not None:  # then rows without a source
        spares = pd.concat([spares, study.synthetic_file.without_source.iloc[:missing - len(spares)]],
                           ignore_index=True)
    total["spares"] = len(spares)
    return pd.concat([synthetic, spares], ignore_index=True), total


def _prefix_with_twins(study: "Study", order: pd.DataFrame, count: int, at_least: int,
                       progress: bool) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest prefix of ``order`` (``at_least`` rows long) in which ``count`` rows have
    a twin (a row whose every ask was unusable has none, so a few more rows may be twinned),
    its twins and the summed generation stats; all of ``order`` when it has too few."""
    found = study.synthetic_file
    if found is not None:  # the file's twins are known: the prefix in one step, not a pass per missing row
        has = order["row_id"].isin(found.twins["source_row_id"]).to_numpy()
        reached = np.nonzero(np.cumsum(has) >= count)[0]
        rows = order.iloc[:max(int(reached[0]) + 1 if reached.size else len(order), at_least)]
        synthetic, gen = generate_twins(study, rows, progress)
        return rows, synthetic, dict(gen)
    total: dict[str, Any] = {}
    take = max(count, at_least)
    while True:
        rows = order.iloc[:take]
        synthetic, gen = generate_twins(study, rows, progress)
        add_stats(total, gen)
        have = int(rows["row_id"].isin(synthetic["source_row_id"]).sum())
        if have >= count or take >= len(order):
            return rows, synthetic, total
        take += count - have


def twinned_rows(study: "Study", count: int, progress: bool = False
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The shortest :func:`twin_rows` prefix in which ``count`` rows have a twin (a row whose
    reply was unparseable has none, so a few more rows may be twinned), its twins and the
    summed generation stats. With ``--synthetic FILE``: every train row along
    :func:`twin_order` and every usable row of the file (twins, then rows without a source,
    which :func:`~littlehuman.mixing.tradeoff_mix` takes after the twins)."""
    found = synthetic_file(study, progress)
    if found is not None:
        rows = twin_order(study)
        _, stats = found.twins_of(rows)
        return rows, found.rows, stats
    return _prefix_with_twins(study, twin_order(study), count, len(study.train_pool), progress)


# --------------------------------------------------------------------------- cost
def prices(study: "Study") -> dict[str, tuple[float, float]]:
    """The price table, with ``--prices FILE`` applied."""
    from littlehuman.generation.cost import PRICES, load_prices

    return load_prices(study.profile.prices) if study.profile.prices else dict(PRICES)


def dry_run(study: "Study", notebooks: list[str] | None = None) -> dict[str, Any]:
    """What generating the twins would send and cost, before anything is sent: the sweep's
    pool, extended along the twin order as far as the zoom's largest size or the trade-off's
    rows need, for the experiments ``notebooks`` prepare (None: all; a reviewer: `--n-train
    1000` priced 1,000 requests where the zoom twins 5,000).

    Requests the generation cache already answers, or that sit in a Batch API batch already
    submitted, are counted apart: they are not sent again. The estimate of the rest is an
    upper bound (every reply at the full ``max_new_tokens``); re-asks of unusable replies are
    not counted."""
    from littlehuman.generation.cache import GenerationCache
    from littlehuman.generation.cost import estimate
    from littlehuman.generation.generate import generation_cache_path, unsent_requests

    if study.profile.synthetic:  # the user's own synthetic rows: nothing to send
        return {"dataset": study.name, "generator": "file",
                "model": Path(study.profile.synthetic).name, "requests": 0, "distinct": 0,
                "cached": 0, "submitted": 0, "input_tokens": 0, "output_tokens": 0,
                "dollars_chat": 0.0, "dollars_batch": 0.0,
                "method": "your own synthetic file: no generation call"}
    from littlehuman import experiments
    from littlehuman.experiments.scaling import sizes

    p, table = study.profile, prices(study)
    sz = sizes(p, study.shape)
    chosen = (experiments.EXPERIMENTS.values() if notebooks is None
              else experiments.for_notebooks(notebooks))
    need = [len(study.train_pool)]  # the sweep's pool: notebook 01 twins it alone
    if experiments.zoom in chosen:
        need += sz.zoom
    if experiments.tradeoff in chosen:
        need.append(sz.tradeoff_rows)
    rows = twin_rows(study, max(need))
    requests = study.prompt.requests(rows, study.split("train"))
    if p.generator.startswith("openai") and not os.environ.get(p.api_key_env, "").strip():
        # no key, no backend: price every request (a run would stop for the key first)
        unsent = {"distinct": len(requests), "cached": 0, "submitted": 0, "to_send": requests,
                  "unchecked": f"{p.api_key_env} is not set, so replies already cached were "
                               "not looked up"}
    else:
        unsent = unsent_requests(study.backend, requests,
                                 GenerationCache(generation_cache_path(study.name)))
    requests = unsent.pop("to_send")
    model = p.gen_model or ("gpt-3.5-turbo" if p.generator.startswith("openai") else p.generator)
    chat = estimate(requests, model, p.max_new_tokens, batch=False, prices=table)
    batch = estimate(requests, model, p.max_new_tokens, batch=True, prices=table)
    return {"dataset": study.name, "generator": p.generator, "model": model,
            "requests": chat["requests"], **unsent,
            "input_tokens": chat["input_tokens"], "output_tokens": chat["output_tokens"],
            "dollars_chat": chat["dollars"], "dollars_batch": batch["dollars"],
            "method": chat["method"]}


def bill(study: "Study") -> dict[str, Any] | None:
    """Tokens and dollars of the requests behind the twins (None before generation):
    ``generate.read_bill`` priced with the study's table (Batch API at half price); a local
    generator has no dollars."""
    from littlehuman.generation.cost import cost
    from littlehuman.generation.generate import read_bill

    found = study.synthetic_file
    if found is not None:  # the user's own rows: no request, no token, no dollar
        return {"backend": "file", "model": found.path.name, "batch_pricing": False,
                "requests": 0, "answered": 0, "input_tokens": 0, "output_tokens": 0,
                "missing_usage": 0, "rows": found.report.read, "dollars": None,
                "dollars_unkept": None, "local": True, "synthetic_file": str(found.path),
                "report": found.report.describe(), "matched": asdict(found.report)}

    stored = read_bill(study.name, study.generator_id)
    if stored is None:
        return None
    stored.pop("asked_rows", None)  # which rows: kept on disk, not worth showing
    table = prices(study)

    def dollars(input_key: str, output_key: str) -> float | None:
        usage = [{"prompt_tokens": stored.get(input_key, 0),
                  "completion_tokens": stored.get(output_key, 0)}]
        return cost(usage, stored["model"], batch=stored["batch_pricing"], prices=table)["dollars"]

    local = study.backend.local
    return {**stored, "dollars": None if local else dollars("input_tokens", "output_tokens"),
            "dollars_unkept": None if local else dollars("unkept_input_tokens",
                                                         "unkept_output_tokens"),
            "local": local}
