"""Notebook 01 (the synthetic twins): generation counts, the bill, label balance, word lengths
and side-by-side samples, each with its caption.

``real`` is the sweep's train pool, ``synthetic`` its twins (``source_row_id`` points at the
real row; spare twins point at rows outside the pool).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from littlehuman import curves
from littlehuman.analysis import answers_not_in_context, copied_false_claims
from littlehuman.plots.style import SOURCE_COLORS, TEMPLATE

_NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
                 "Ten")


# --------------------------------------------------------------------------- counts
def header(name: str, task: str, profile: str, generator_name: str, generator_id: str, k: int,
           label_conditioned: bool, from_file: bool) -> str:
    """Notebook 01's title and what made the twins: the prompt model and its prompt, or the
    user's synthetic file (``--synthetic FILE``: matched, never asked)."""
    title = f"# {name}: synthetic twins ({task.upper()}, profile `{profile}`)\n"
    if from_file:
        return title + (f"Twins from {generator_name} (id `{generator_id}`), matched to the real "
                        "training rows by `source_id` or by context: no prompt model was asked.")
    # label conditioning is FV's (the prompt asks for the row's label); a QA prompt has none
    conditioned = f", label-conditioned: {label_conditioned}" if task == "fv" else ""
    return title + (f"Generator `{generator_name}` (id `{generator_id}`), k = {k} few-shot "
                    f"examples{conditioned}.{rule_made_note(generator_name, task)}")


#: how the `extractive` generator makes a twin, per task (docs/pipeline.md: its row of the generators)
_RULE_MADE = {
    "fv": ("each twin's claim is a sentence of its row's own context, or for a false claim one "
           "negated or perturbed by rules"),
    "qa": ("each twin is a cloze question over a name or number span of its row's own context, "
           "that span the answer"),
}


def rule_made_note(generator_name: str, task: str | None = None) -> str:
    """' It is the rule-based stand-in ...' for the `extractive` generator (notebooks 01 and
    05 say it, so no statistic of rule-made twins is read as an LLM's), else ''. It says how
    a twin of ``task`` ("fv" or "qa") is made; of both tasks' twins when ``task`` is None."""
    if generator_name != "extractive":
        return ""
    how = _RULE_MADE.get(str(task).lower()) or (
        "an FV twin's claim is a sentence of its row's own context, or for a false claim one "
        "negated or perturbed by rules; a QA twin is a cloze question over a name or number "
        "span of its context, that span the answer")
    return (f" It is the rule-based stand-in for a prompt model (no model: {how}), so what "
            "notebooks 01 and 05 say of the twins is of rule-made text, far more extractive "
            "than an LLM's.")


def counts_table(real: pd.DataFrame, synthetic: pd.DataFrame,
                 stats: dict[str, Any], from_file: bool = False,
                 conditioned: bool = True) -> pd.DataFrame:
    """Counts of the twins (from the frames themselves: re-asks, rows without a twin, spare
    twins) and of the last generation pass (``stats``: calls, cache_hits, from_file). With
    ``from_file`` (twins from the user's file) only what applies: no asks, no calls.
    ``conditioned`` (``--label-conditioned``): whether a label was asked for; without, an FV
    twin's label is set beside its real row's (a reviewer: 'differs from the one asked' where
    none was asked)."""
    own = synthetic[synthetic["source_row_id"].isin(real["row_id"])]
    kept = int(real["row_id"].isin(own["source_row_id"]).sum())
    spares = len(synthetic) - len(own)
    if from_file:
        rows = [
            ("real rows to twin", len(real)),
            ("twins from your file", kept),
            ("rows your file has no twin for", len(real) - kept),
            ("spare twins standing in for them (other rows of your file)", spares),
            ("twins read from disk (this pass)", int(stats.get("from_file", 0))),
        ]
        return pd.DataFrame(rows, columns=["what", "count"]).set_index("what")
    attempts = own["attempt"] if "attempt" in own.columns else pd.Series(0, index=own.index)
    rows = [
        ("real rows to twin", len(real)),
        ("synthetic twins kept", kept),
        ("twins that needed a re-ask (an unusable reply first)", int((attempts > 0).sum())),
        ("rows without a twin (every ask unusable)", len(real) - kept),
        ("spare twins standing in for them (of rows outside the pool)", spares),
    ]
    if "label" in own.columns and "requested_label" in own.columns:
        rows.append(("twins whose label differs from the one asked" if conditioned else
                     "twins whose label differs from their real row's (no label was asked)",
                     int((own["label"] != own["requested_label"]).sum())))
        if "label_stated" in own.columns:  # twins made before 2026-12-06 do not say
            stated = own["label_stated"]
            rows.append(("twins whose reply stated no label (the one asked for is taken)"
                         + (f", of the {int(stated.notna().sum())} made since this was counted"
                            if stated.isna().any() else ""),
                         int((stated == False).sum())))  # noqa: E712 (NaN: not known)
    if {"claim", "label", "context"} <= set(own.columns):
        copied, false = copied_false_claims(own)
        rows.append((f"twins labelled false whose claim stands word for word in their context "
                     f"(supported by it: a wrong label), of {false}", copied))
    if {"answer", "context"} <= set(own.columns):
        missing, of = answers_not_in_context(own)
        rows.append((f"twins whose answer does not stand word for word in their context (an "
                     f"extractive learner has at best an approximate span), of {of}", missing))
    rows += [
        ("prompt-model calls (this pass)", int(stats.get("calls", 0))),
        ("cache hits (this pass)", int(stats.get("cache_hits", 0))),
        ("twins read from disk (this pass)", int(stats.get("from_file", 0))),
    ]
    return pd.DataFrame(rows, columns=["what", "count"]).set_index("what")


def counts_caption(name: str, real: pd.DataFrame, synthetic: pd.DataFrame, from_file: bool = False) -> str:
    """Caption of :func:`counts_table`."""
    own = int(real["row_id"].isin(synthetic["source_row_id"]).sum())
    head = (f"{'Twin' if from_file else 'Generation'} counts for {name}: {len(real)} real training rows "
            f"of the sweep, {own} with a twin of their own, {curves.counted(len(synthetic) - own, 'spare twin')}. ")
    if {"claim", "label", "context"} <= set(real.columns):
        copied, false = copied_false_claims(real)
        head += (f"For comparison, {copied} of the {false} human rows labelled false have their "
                 "claim word for word in their context. ")
    if {"answer", "context"} <= set(real.columns):
        missing, of = answers_not_in_context(real)
        head += (f"For comparison, {missing} of the {of} human rows have an answer that does "
                 "not stand word for word in their context. ")
    if from_file:
        return head + "The twins are your file's rows; 'this pass' counts are of this notebook's own read."
    return head + ("Generation is deterministic given its seed and cache; 'this pass' counts are of "
                   "this notebook's own read.")


# --------------------------------------------------------------------------- the bill
def bill_table(bill: dict[str, Any] | None) -> pd.DataFrame:
    """The generation bill (``experiments.twins.bill``) as a two-column table."""
    if bill is None:
        return pd.DataFrame({"what": ["no generation yet"], "value": [""]}).set_index("what")
    if "matched" in bill:  # the user's synthetic file: nothing asked, nothing paid
        return _file_table(bill["matched"])
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
        *([("replies that reached --max-new-tokens", f"{bill['at_cap']:,}")]
          if "at_cap" in bill else []),
        ("dollars (answered requests, exact tokens)", dollars),
    ]
    if "sent" in bill:  # bills written since the send log exists
        unkept = bill.get("dollars_unkept")
        # the rest, so the causes add up (FairyTaleQA: 56 + 2 of 60, a reviewer found)
        other_unusable = (bill.get("unusable_replies", 0) - bill.get("copied_examples", 0)
                          - bill.get("cut_short", 0) - bill.get("server_refused", 0))
        rows += [
            ("requests sent (retries and re-sends included)", f"{bill['sent']:,}"),
            ("retried, by cause", _causes(bill["retried"])),
            ("given up, by cause", _causes(bill["failed"])),
            ("re-sent because the process that sent them died", f"{bill['resent_after_kill']:,}"),
            ("sent but no reply kept (timeouts, unreadable replies, kills)",
             f"{bill['unkept_sends']:,}"),
            ("their estimated dollars (prompt chars / 4, full max_new_tokens)",
             "0 (local)" if bill["local"] else
             ("unknown" if unkept is None else f"${unkept:,.4f}")),
            *([("replies copying a few-shot example (asked again)",
                f"{bill['copied_examples']:,}"),
               ("replies the token limit cut inside their fields (asked again)",
                f"{bill['cut_short']:,}")] if "copied_examples" in bill else []),
            *([("requests the server refused or answered with no text (asked again)",
                f"{bill['server_refused']:,}")] if "server_refused" in bill else []),
            *([("other unusable replies: unparseable, refused by the model, placeholders",
                f"{other_unusable:,}")] if "unusable_replies" in bill else []),
            ("rows whose twin came from a re-ask", f"{bill.get('reasked_rows', 0):,}"),
            ("rows without a twin", f"{bill.get('missing', 0):,}"),
        ]
    return pd.DataFrame(rows, columns=["what", "value"]).set_index("what")


def _file_table(m: dict[str, Any]) -> pd.DataFrame:
    """What was read from the user's synthetic file and how it was matched (no bill: no asks)."""
    rows = [
        ("your file", Path(m["path"]).name),
        ("rows read", f"{m['read']:,}"),
        ("twins matched by source_id", f"{m['twins_by_source_id']:,}"),
        ("twins matched by context", f"{m['twins_by_context']:,}"),
        ("rows without a source of their own (spares, trade-off rows)", f"{m['without_source']:,}"),
        ("left out: their source or context is a valid or test row", f"{m['left_out_eval']:,}"),
        ("left out: their split column says valid/test", f"{m['left_out_split']:,}"),
        ("train rows without a twin in the file", f"{m['train_without']:,} of {m['train_rows']:,}"),
        ("requests, tokens, dollars", "none: no prompt model was asked"),
    ]
    return pd.DataFrame(rows, columns=["what", "value"]).set_index("what")


def bill_caption(name: str, generator_id: str, bill: dict[str, Any] | None,
                 real: pd.DataFrame) -> str:
    """Caption of :func:`bill_table`: the bill's row count (the train pool's size when the
    bill does not say)."""
    if bill and "matched" in bill:
        return (f"No bill for {name}: the twins are the {bill['matched']['read']:,} rows of your file "
                f"(id {generator_id}); how they were matched to the real training rows.")
    rows = bill["rows"] if bill and "rows" in bill else len(real)
    return (f"Generation cost of the {rows} rows that asked {generator_id} for a twin "
            f"({name}). Token counts are the server's own where it reports them.")


def _causes(counts: dict[str, int]) -> str:
    return ", ".join(f"{c} x{n}" for c, n in counts.items()) or "none"


# --------------------------------------------------------------------------- label balance
def label_balance_table(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Share of each label among the real rows and their synthetic twins (FV): index 'True
    (1)' / 'Untrue (0)', columns real and synthetic."""
    out = pd.DataFrame({
        "real": real["label"].value_counts(normalize=True),
        "synthetic": synthetic["label"].value_counts(normalize=True),
    }).fillna(0.0)
    out.index = out.index.map({1: "True (1)", 0: "Untrue (0)"})
    return out.rename_axis("label")


#: real rows as notebook 05 draws human ones, synthetic twins as its synthetic ones
_ORIGIN_COLORS = {"real": SOURCE_COLORS["human"], "synthetic": SOURCE_COLORS["synthetic"]}


def label_balance_figure(balance: pd.DataFrame, title: str) -> go.Figure:
    """Grouped bars of :func:`label_balance_table`: one bar group per label, one bar per
    column (real, synthetic), in the colours notebook 05 gives human and synthetic rows."""
    fig = go.Figure([go.Bar(name=col, x=balance.index, y=balance[col],
                            marker_color=_ORIGIN_COLORS.get(col)) for col in balance.columns])
    fig.update_layout(barmode="group", title=title, yaxis_title="share of rows", height=340,
                      width=520, template=TEMPLATE)
    return fig


def twins_phrase(real: pd.DataFrame, synthetic: pd.DataFrame) -> str:
    """'their 500 synthetic twins', or with spares (twins of rows outside ``real``, standing in
    for rows left without one) 'their 488 synthetic twins and 12 spare twins of other rows'."""
    own = int(synthetic["source_row_id"].isin(real["row_id"]).sum()) \
        if "source_row_id" in synthetic and "row_id" in real else len(synthetic)
    spares = len(synthetic) - own
    return (f"their {own} synthetic twins" + (f" and {spares} spare twin{'s' if spares != 1 else ''} "
                                              "of other rows" if spares else ""))


def label_balance_caption(real: pd.DataFrame, synthetic: pd.DataFrame,
                          label_conditioned: bool) -> str:
    """Caption of :func:`label_balance_figure`."""
    unstated = (int((synthetic["label_stated"] == False).sum())  # noqa: E712 (NaN: unknown)
                if "label_stated" in synthetic.columns else 0)
    said = (f" {unstated} of the {len(synthetic)} twins stated no label and take the one asked "
            "for: their share follows the request, not the prompt model." if unstated else "")
    return (f"Share of True/Untrue labels among the {len(real)} real rows and "
            f"{twins_phrase(real, synthetic)} (label-conditioned generation: "
            f"{label_conditioned}). One generation pass.{said}")


def label_balance_table_caption() -> str:
    """Caption of :func:`label_balance_table` shown under its figure."""
    return "The same shares as a table."


# --------------------------------------------------------------------------- word lengths
def length_box_figure(real: pd.DataFrame, synthetic: pd.DataFrame, fields: list[str],
                      title: str) -> go.Figure:
    """Box plots of the word counts of each field, real against synthetic (one box per field
    and origin, the mean drawn dashed)."""
    fig = go.Figure()
    for col in fields:
        for origin, df in (("real", real), ("synthetic", synthetic)):
            fig.add_trace(go.Box(y=df[col].str.split().str.len(), name=f"{col} ({origin})",
                                 boxmean=True, marker_color=_ORIGIN_COLORS[origin]))
    fig.update_layout(title=title, yaxis_title="words", height=360, template=TEMPLATE)
    return fig


def length_box_caption(real: pd.DataFrame, synthetic: pd.DataFrame, fields: list[str]) -> str:
    """Caption of :func:`length_box_figure`."""
    return (f"Word counts of each row's {', '.join(fields)} for {len(real)} real rows and "
            f"{twins_phrase(real, synthetic).removeprefix('their ')} (box: quartiles, line: "
            "median, dashed: mean). One generation pass.")  # spares named: a reviewer, ROPES


# --------------------------------------------------------------------------- samples
def samples_table(real: pd.DataFrame, synthetic: pd.DataFrame, task: str, k: int = 5,
                  seed: int = 0, context_chars: int = 300) -> pd.DataFrame:
    """``k`` seeded pairs of a real row and its synthetic twin, side by side (the context cut
    to ``context_chars``). No real row with a twin: an empty frame."""
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


def samples_caption(name: str, k: int = 5, context_chars: int = 300) -> str:
    """Caption of :func:`samples_table` ('Five seeded random pairs ...')."""
    count = _NUMBER_WORDS[k] if 0 <= k < len(_NUMBER_WORDS) else str(k)
    return (f"{count} seeded random pairs of a real row and its synthetic twin ({name}); "
            f"contexts cut to {context_chars} characters.")
