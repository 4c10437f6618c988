"""Small tables the notebooks show (generation counts, side-by-side samples)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def generation_summary(real: pd.DataFrame, synthetic: pd.DataFrame,
                       stats: dict[str, Any]) -> pd.DataFrame:
    """Counts of the twins (from the frames themselves: re-asks, rows without a twin, spare
    twins) and of the last generation pass."""
    own = synthetic[synthetic["source_row_id"].isin(real["row_id"])]
    kept = int(real["row_id"].isin(own["source_row_id"]).sum())
    spares = len(synthetic) - len(own)
    attempts = own["attempt"] if "attempt" in own.columns else pd.Series(0, index=own.index)
    rows = [
        ("real rows to twin", len(real)),
        ("synthetic twins kept", kept),
        ("twins that needed a re-ask (an unusable reply first)", int((attempts > 0).sum())),
        ("rows without a twin (every ask unusable)", len(real) - kept),
        ("spare twins standing in for them (of rows outside the pool)", spares),
    ]
    if "label" in own.columns and "requested_label" in own.columns:
        rows.append(("twins whose label differs from the one asked",
                     int((own["label"] != own["requested_label"]).sum())))
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
        ("dollars (answered requests, exact tokens)", dollars),
    ]
    if "sent" in bill:  # bills written since the send log exists
        causes = lambda d: ", ".join(f"{c} x{n}" for c, n in d.items()) or "none"  # noqa: E731
        unkept = bill.get("dollars_unkept")
        rows += [
            ("requests sent (retries and re-sends included)", f"{bill['sent']:,}"),
            ("retried, by cause", causes(bill["retried"])),
            ("given up, by cause", causes(bill["failed"])),
            ("re-sent because the process that sent them died", f"{bill['resent_after_kill']:,}"),
            ("sent but no reply kept (timeouts, unreadable replies, kills)",
             f"{bill['unkept_sends']:,}"),
            ("their estimated dollars (prompt chars / 4, full max_new_tokens)",
             "0 (local)" if bill["local"] else
             ("unknown" if unkept is None else f"${unkept:,.4f}")),
            ("rows whose twin came from a re-ask", f"{bill.get('reasked_rows', 0):,}"),
            ("rows without a twin", f"{bill.get('missing', 0):,}"),
        ]
    return pd.DataFrame(rows, columns=["what", "value"]).set_index("what")


def metric_agreement(means: pd.DataFrame, metrics: list[str], by: str = "fraction") -> pd.DataFrame:
    """Do the metrics rank the settings (e.g. synthetic fractions) the same way? (The paper's
    Tables 1 and 2 for QA.) ``means`` holds one row per setting ``by`` with a column per
    metric (means over seeds). One row per metric: its ranking of the settings (best first),
    Kendall's tau against the first metric's ranking, and whether it picks the same best and
    worst setting. Fewer than two settings: an empty table."""
    from scipy.stats import kendalltau

    have = [m for m in metrics if m in means.columns]
    frame = means.set_index(by)[have].sort_index()
    columns = ["metric", "ranking (best first)", "Kendall tau vs " + (have[0] if have else ""),
               "same best", "same worst"]
    if len(frame) < 2 or not have:
        return pd.DataFrame(columns=columns)
    ref = frame[have[0]]
    rows = []
    for m in have:
        col = frame[m]
        order = col.sort_values(ascending=False, kind="stable").index
        tau = kendalltau(ref.to_numpy(), col.to_numpy()).statistic
        rows.append([m, " > ".join(f"{x:g}" for x in order),
                     None if pd.isna(tau) else round(float(tau), 3),
                     col.idxmax() == ref.idxmax(), col.idxmin() == ref.idxmin()])
    return pd.DataFrame(rows, columns=columns)
