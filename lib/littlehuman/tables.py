"""Small tables the notebooks show (generation counts, side-by-side samples)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def generation_summary(real: pd.DataFrame, synthetic: pd.DataFrame,
                       stats: dict[str, Any]) -> pd.DataFrame:
    """Counts of the twins (from the frames themselves) and of the last generation pass."""
    kept = int(real["row_id"].isin(synthetic["source_row_id"]).sum())
    rows = [
        ("real rows to twin", len(real)),
        ("synthetic twins kept", kept),
        ("rows without a twin (reply unparseable, dropped)", len(real) - kept),
    ]
    if "label" in synthetic.columns and "requested_label" in synthetic.columns:
        rows.append(("twins whose label differs from the one asked",
                     int((synthetic["label"] != synthetic["requested_label"]).sum())))
    rows += [
        ("prompt-model calls (this pass)", int(stats.get("calls", 0))),
        ("cache hits (this pass)", int(stats.get("cache_hits", 0))),
        ("twins read from disk (this pass)", int(stats.get("from_file", 0))),
    ]
    return pd.DataFrame(rows, columns=["what", "count"]).set_index("what")


def samples(real: pd.DataFrame, synthetic: pd.DataFrame, task: str, k: int = 5,
            seed: int = 0, context_chars: int = 300) -> pd.DataFrame:
    """``k`` seeded pairs of a real row and its synthetic twin, side by side."""
    fields = ["claim", "label"] if task == "fv" else ["question", "answer"]
    twins = synthetic.set_index("source_row_id")
    have = real[real["row_id"].isin(twins.index)]
    if have.empty:
        return pd.DataFrame()
    pick = have.iloc[np.sort(np.random.default_rng(seed).choice(len(have), min(k, len(have)),
                                                                replace=False))]
    out = []
    for _, r in pick.iterrows():
        t = twins.loc[r["row_id"]]
        t = t.iloc[0] if isinstance(t, pd.DataFrame) else t
        ctx = r["context"][:context_chars] + ("..." if len(r["context"]) > context_chars else "")
        out.append({"context": ctx, **{f"real {f}": r[f] for f in fields},
                    **{f"synthetic {f}": t[f] for f in fields}})
    return pd.DataFrame(out)


def bill_table(bill: dict[str, Any] | None) -> pd.DataFrame:
    """The generation bill (``Experiment.bill``) as a two-column table."""
    if bill is None:
        return pd.DataFrame({"what": ["no generation yet"], "value": [""]}).set_index("what")
    if bill["local"]:
        dollars = "0 (a local model: no per-token price)"
    elif bill["dollars"] is None:
        dollars = f"unknown: no price for {bill['model']} (give --prices FILE)"
    else:
        dollars = f"${bill['dollars']:,.4f}" + (" (Batch API: 50%)" if bill["batch_pricing"] else "")
    rows = [
        ("generator", f"{bill['backend']} ({bill['model']})"),
        ("distinct requests", f"{bill['requests']:,}"),
        ("answered (in the cache)", f"{bill['answered']:,}"),
        ("input tokens", f"{bill['input_tokens']:,}"),
        ("output tokens", f"{bill['output_tokens']:,}"),
        ("replies without token counts", f"{bill['missing_usage']:,}"),
        ("dollars", dollars),
    ]
    return pd.DataFrame(rows, columns=["what", "value"]).set_index("what")
