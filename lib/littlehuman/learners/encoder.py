"""The CPU learner: all-MiniLM-L6-v2 (bundled offline) fine-tuned per task.

- FV: a cross-encoder over the pair (context, claim) with a new 2-way head; the context is
  truncated, not the claim (unless the claim alone passes max_length / 2 tokens: then it is
  cut and counted in ``rows_claim_cut``). Predicts ints in {0, 1}. ``pooling`` says what the
  head reads: "cls" (BERT's pooler over the [CLS] token, ``AutoModelForSequenceClassification``)
  or "mean" (the mean of the last hidden states over the pair's tokens,
  :class:`MeanPooledClassifier`: the pooling all-MiniLM-L6-v2 was trained with; its [CLS]
  pooler never was).
- QA: extractive span prediction over (question, context), context truncated at ``max_length``,
  or (``max_windows`` N > 1) split into at most N overlapping windows of ``max_length`` tokens
  (consecutive ones share ``max_length // WINDOW_OVERLAP_DIVISOR`` context tokens; the rest is
  cut), as in BERT's SQuAD fine-tuning: a training window that holds the whole answer span is
  trained on it, one that does not on the [CLS] token ("not here"), and a prediction is the
  best-scoring span over a row's windows. Trained on the answer's character span in the
  context (:func:`find_answer_span`); rows without a usable span, or whose span lies only in
  the cut part of the context (past the end or the last window, or with
  ``context_side="tail"`` before the start), are dropped and counted.
  Predicts the best span (start <= end, at most 30 tokens) decoded from the context, never
  across a ``"|"`` (QAConv's turns end in one; the authors' scoring cut every prediction at
  its first).

Training is seeded (python, numpy, torch) and deterministic on a given machine and thread
count; batches are length-bucketed and dynamically padded; fused AdamW with a linear warmup
schedule.
Model selection, when ``valid`` is given, keeps the epoch with the best valid accuracy (FV) or
token F1 (QA). fit/predict run with ``threads`` torch threads (default: all usable cores)
and restore the process's setting afterwards.
"""
from __future__ import annotations

import bisect
import contextlib
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from littlehuman.config import MIN_MAX_LENGTH
from littlehuman.errors import LittleHumanError
from littlehuman.learners.base import as_texts, check_rows, read_meta, write_meta
from littlehuman.learners.defaults import (ENCODER_EPOCHS, ENCODER_LR, ENCODER_POOLING,
                                           ENCODER_POOLINGS, ENCODER_WARMUP,
                                           default_model_dir)
from littlehuman.machine import usable_cores, warn_if_slow_bf16
from littlehuman.learners.spans import SPAN_BREAK, find_answer_span, no_usable_rows
from littlehuman.learners.training import (VALID_METRIC, bucket_batches, quiet_transformers,
                                           seed_everything, valid_score)

TASKS = ("fv", "qa")
MAX_ANSWER_TOKENS = 30  # longest predicted QA span, in tokens
WINDOW_OVERLAP_DIVISOR = 4  # QA windows share max_length // 4 context tokens (BERT: 128 of 384)
MAX_GRAD_NORM = 1.0
_PARAMS = ("model_dir", "epochs", "lr", "batch_size", "max_length", "weight_decay",
           "warmup_ratio", "select_on_valid", "threads", "progress", "bf16", "train_layers",
           "context_side", "pooling", "max_windows")
_HEAD_FILE = "mean_pooled_head.safetensors"
_MODEL_KEYS = ("input_ids", "token_type_ids", "attention_mask")


class MeanPooledClassifier(torch.nn.Module):
    """A BERT-style encoder, the mean of its last hidden states over the real (unpadded)
    tokens, dropout and a linear head; called like a Hugging Face classifier (``loss`` with
    ``labels``, ``logits``). Saved as the encoder's folder plus :data:`_HEAD_FILE`."""

    def __init__(self, encoder: Any, num_labels: int = 2) -> None:
        super().__init__()
        self.encoder = encoder
        config = encoder.config
        self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)
        self.classifier = torch.nn.Linear(config.hidden_size, num_labels)
        torch.nn.init.normal_(self.classifier.weight, std=config.initializer_range)
        torch.nn.init.zeros_(self.classifier.bias)

    @property
    def config(self) -> Any:
        return self.encoder.config

    @property
    def base_model(self) -> Any:
        return self.encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> SimpleNamespace:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        logits = self.classifier(self.dropout(pooled))
        loss = None if labels is None else torch.nn.functional.cross_entropy(logits.float(), labels)
        return SimpleNamespace(loss=loss, logits=logits)

    def save_pretrained(self, directory: str) -> None:
        from safetensors.torch import save_file

        self.encoder.save_pretrained(directory)
        save_file({k: v.contiguous() for k, v in self.classifier.state_dict().items()},
                  str(Path(directory) / _HEAD_FILE))

    @classmethod
    def from_pretrained(cls, directory: str, num_labels: int = 2,
                        with_head: bool = False) -> "MeanPooledClassifier":
        """The encoder in ``directory`` with a new head, or (``with_head``) the saved one."""
        from safetensors.torch import load_file
        from transformers import AutoModel

        model = cls(AutoModel.from_pretrained(directory), num_labels)
        if with_head:
            model.classifier.load_state_dict(load_file(str(Path(directory) / _HEAD_FILE)))
        return model


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads, then restore the process's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class EncoderLearner:
    """all-MiniLM-L6-v2 fine-tuned on CPU: an FV cross-encoder or an extractive QA model.

    ``bf16``: bfloat16 autocast for the forward passes (fast on CPUs with AVX512-BF16/AMX);
    ``train_layers`` N > 0 trains only the top N transformer layers and the head (the
    embeddings and lower layers stay frozen: less backward work). Both are off by default.
    ``context_side`` (QA): which end of a long context is kept, "head" (the start, default) or
    "tail" (the end: ROPES, whose answers are mostly in the situation that ends the context).
    ``pooling`` (FV): "cls" (default) or "mean" (module docstring). ``max_windows`` (QA): how
    many overlapping windows of a long context are read (1, the default: the context is cut;
    module docstring); only with ``context_side="head"``.

    ``fit_stats``: bf16, frozen_layers, train_rows_in / train_rows (kept), rows_without_span, rows_fuzzy_span,
    rows_span_truncated, rows_claim_cut or rows_question_cut, train_windows (QA with
    max_windows > 1: the windows trained on, answer-holding or not), train_tokens (non-pad, all
    epochs), seconds (whole fit), train_seconds, tokens_per_s, threads, epochs_run, best_epoch,
    train_loss and valid_scores (per epoch), valid_metric, valid_score (of the kept epoch).
    """

    DEFAULT_EPOCHS = ENCODER_EPOCHS
    DEFAULT_WARMUP = ENCODER_WARMUP

    def __init__(
        self,
        task: str,
        seed: int = 0,
        model_dir: str | None = None,
        epochs: int = DEFAULT_EPOCHS,
        lr: float = ENCODER_LR,
        batch_size: int = 16,
        max_length: int = 256,
        weight_decay: float = 0.01,
        warmup_ratio: float = DEFAULT_WARMUP,
        select_on_valid: bool = True,
        threads: int | None = None,
        progress: bool = True,
        bf16: bool = False,
        train_layers: int = 0,
        context_side: str = "head",
        pooling: str = ENCODER_POOLING,
        max_windows: int = 1,
    ) -> None:
        if task not in TASKS:
            raise LittleHumanError(f"unknown task {task!r} for the encoder learner: use 'fv' or 'qa'")
        if int(epochs) < 1 or int(batch_size) < 1 or float(lr) <= 0:
            raise LittleHumanError("encoder learner: epochs and batch_size must be >= 1 and lr > 0")
        if not 0 <= float(warmup_ratio) < 1:
            raise LittleHumanError("encoder learner: warmup_ratio must be in [0, 1)")
        if int(max_length) < MIN_MAX_LENGTH:
            raise LittleHumanError(f"encoder learner: max_length must be at least "
                                   f"{MIN_MAX_LENGTH} tokens")
        if context_side not in ("head", "tail"):
            raise LittleHumanError(f"encoder learner: context_side must be head or tail, got "
                                   f"{context_side!r}")
        if pooling not in ENCODER_POOLINGS or (task == "qa" and pooling != "cls"):
            raise LittleHumanError(f"encoder learner: pooling must be cls or mean (mean for FV "
                                   f"only), got {pooling!r} for {task}")
        if int(train_layers) < 0:
            raise LittleHumanError("encoder learner: train_layers must be >= 0 (0 = all layers)")
        if int(max_windows) < 1 or (int(max_windows) > 1 and (task != "qa" or context_side != "head")):
            raise LittleHumanError(f"encoder learner: max_windows must be 1, or more for QA with "
                                   f"context_side head (got {max_windows} for {task}, "
                                   f"{context_side})")
        self.task = task
        self.seed = int(seed)
        self.model_dir = None if model_dir is None else str(model_dir)
        self.epochs = int(epochs)
        self.lr = float(lr)
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        self.weight_decay = float(weight_decay)
        self.warmup_ratio = float(warmup_ratio)
        self.select_on_valid = bool(select_on_valid)
        self.threads = None if threads is None else int(threads)
        self.progress = bool(progress)
        self.bf16 = bool(bf16)
        self.train_layers = int(train_layers)
        self.context_side = context_side
        self.pooling = pooling
        self.max_windows = int(max_windows)
        self.fit_stats: dict[str, Any] = {}
        self._model: Any = None
        self._tokenizer: Any = None

    # ----------------------------------------------------------------- public protocol
    def fit(self, train: pd.DataFrame, valid: pd.DataFrame | None = None) -> "EncoderLearner":
        """Fine-tune on ``train``; with ``valid``, keep the epoch with the best valid score."""
        self._check_rows(train, "train", with_target=True)
        if valid is not None and len(valid) == 0:
            valid = None
        if valid is not None:
            self._check_rows(valid, "valid", with_target=True)
        with _torch_threads(self._n_threads()):
            self._fit(train, valid)
        return self

    def _fit(self, train: pd.DataFrame, valid: pd.DataFrame | None) -> None:
        from transformers import AutoTokenizer, get_linear_schedule_with_warmup

        start = time.perf_counter()
        threads = torch.get_num_threads()
        seed_everything(self.seed)
        base = Path(self.model_dir) if self.model_dir else default_model_dir()
        if not base.is_dir():
            raise LittleHumanError(f"encoder model directory {base} does not exist: fix model_dir")
        with quiet_transformers():
            self._tokenizer = AutoTokenizer.from_pretrained(str(base))
            model = self._new_model(base)
        limit = int(getattr(model.config, "max_position_embeddings", 512))
        if self.max_length > limit:
            raise LittleHumanError(
                f"encoder learner: max_length {self.max_length} exceeds the model's {limit} "
                f"positions: pass --max-length {limit} or less (FACTIFY's PROTOCOL length, 800, "
                "is for the LoRA models)")

        frozen = self._freeze_lower_layers(model)
        if self.bf16:
            warn_if_slow_bf16("the encoder learner", "--train-bf16 false")
        feats, counts = self._encode(train, training=True)
        self.kept_rows = sorted({f["row"] for f in feats})  # positions in ``train``
        if not feats:
            raise LittleHumanError(no_usable_rows(len(train)))
        steps = self.epochs * -(-len(feats) // self.batch_size)
        # fused (torch >= 2.4 on the CPU): one kernel for all weights; bench/encoder_adamw.py
        # measured a MiniLM update 5.6-17x faster on 2 cores, its first step included
        optimizer = torch.optim.AdamW(self._param_groups(model), lr=self.lr, fused=True)
        schedule = get_linear_schedule_with_warmup(optimizer, round(self.warmup_ratio * steps), steps)
        lengths = np.array([len(f["input_ids"]) for f in feats])
        rng = np.random.default_rng(self.seed)
        self._model = model
        best_score, best_epoch, best_state = None, self.epochs, None
        valid_scores, losses, tokens, train_seconds = [], [], 0, 0.0
        for epoch in range(1, self.epochs + 1):
            model.train()
            t0, total, n = time.perf_counter(), 0.0, 0
            bar = tqdm(bucket_batches(lengths, self.batch_size, rng), disable=not self.progress,
                       desc=f"encoder {self.task} epoch {epoch}/{self.epochs}", leave=False)
            for idx in bar:
                batch = self._collate([feats[i] for i in idx], training=True)
                with self._autocast():
                    loss = model(**batch).loss
                loss.backward()
                torch.nn.utils.clip_grad_norm_(
                    [p for p in model.parameters() if p.requires_grad], MAX_GRAD_NORM)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad(set_to_none=True)
                tokens += int(batch["attention_mask"].sum())
                total, n = total + loss.item(), n + 1
                bar.set_postfix(loss=f"{total / n:.4f}")
            train_seconds += time.perf_counter() - t0
            losses.append(round(total / max(n, 1), 6))
            if valid is not None:
                score = self._score(valid)
                valid_scores.append(score)
                if self.select_on_valid and (best_score is None or score > best_score):
                    best_score, best_epoch = score, epoch
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        self.fit_stats = {
            "learner": "encoder",
            "task": self.task,
            "model": base.name if self.model_dir else "sentence-transformers/all-MiniLM-L6-v2",
            "device": "cpu",
            "threads": threads,
            "bf16": self.bf16,
            "frozen_layers": frozen,
            "pooling": self.pooling,
            "train_rows_in": int(len(train)),
            "train_rows": len(self.kept_rows),
            **counts,
            "train_tokens": tokens,
            "seconds": round(time.perf_counter() - start, 3),
            "train_seconds": round(train_seconds, 3),
            "tokens_per_s": round(tokens / train_seconds, 1) if train_seconds else None,
            "epochs_run": self.epochs,
            "best_epoch": best_epoch,
            "train_loss": losses,
            "valid_scores": valid_scores,
            "valid_metric": None if valid is None else VALID_METRIC[self.task],
            "valid_score": None if not valid_scores else (best_score if best_score is not None else valid_scores[-1]),
        }

    def predict(self, rows: pd.DataFrame) -> list:
        """Ints in {0, 1} (FV) or answer strings (QA), aligned with ``rows``."""
        if self._model is None:
            raise LittleHumanError("the encoder learner is not fitted: call fit() or EncoderLearner.load() first")
        self._check_rows(rows, "predict", with_target=False)
        if len(rows) == 0:
            return []
        with _torch_threads(self._n_threads()):
            return self._predict(rows)

    def _predict(self, rows: pd.DataFrame) -> list:
        self._model.eval()
        feats, _ = self._encode(rows, training=False)
        order = np.argsort([len(f["input_ids"]) for f in feats], kind="stable")
        size = max(64, 4 * self.batch_size)
        out: list = [None] * len(rows)
        best: list[float | None] = [None] * len(rows)
        with torch.inference_mode(), self._autocast():
            for k in tqdm(range(0, len(order), size), disable=not self.progress,
                          desc=f"encoder {self.task} predict", leave=False):
                chunk = [feats[i] for i in order[k:k + size]]
                result = self._model(**self._collate(chunk, training=False))
                if self.task == "fv":
                    preds = [(int(x), 0.0) for x in result.logits.argmax(-1).tolist()]
                else:
                    preds = scored_spans(chunk, result.start_logits.float(),
                                         result.end_logits.float())
                for f, (p, score) in zip(chunk, preds):  # QA: a row's best-scoring window
                    if best[f["row"]] is None or score > best[f["row"]]:
                        out[f["row"]], best[f["row"]] = p, score
        return out

    def save(self, directory: Path) -> None:
        """Write the fine-tuned model, tokenizer, parameters and fit_stats into ``directory``."""
        if self._model is None:
            raise LittleHumanError("the encoder learner is not fitted: nothing to save")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save_pretrained(str(directory / "model"))
        self._tokenizer.save_pretrained(str(directory / "model"))
        write_meta(directory, "encoder", self.task, self.seed,
                   {k: getattr(self, k) for k in _PARAMS}, self.fit_stats)

    @classmethod
    def load(cls, directory: Path) -> "EncoderLearner":
        """Rebuild a fitted learner written by :meth:`save`."""
        from transformers import AutoModelForQuestionAnswering, AutoModelForSequenceClassification, AutoTokenizer

        directory = Path(directory)
        meta = read_meta(directory, "encoder", "model")
        learner = cls(task=meta["task"], seed=meta["seed"], **meta["params"])
        folder = str(directory / "model")
        with quiet_transformers():
            learner._tokenizer = AutoTokenizer.from_pretrained(folder)
            if learner.pooling == "mean":
                learner._model = MeanPooledClassifier.from_pretrained(folder, with_head=True)
            elif learner.task == "fv":
                learner._model = AutoModelForSequenceClassification.from_pretrained(folder)
            else:
                learner._model = AutoModelForQuestionAnswering.from_pretrained(folder)
            learner._model.eval()
        learner.fit_stats = meta.get("fit_stats", {})
        return learner

    # ----------------------------------------------------------------- internals
    def _n_threads(self) -> int:
        return self.threads or usable_cores()

    def _autocast(self) -> Any:
        """bfloat16 autocast on the CPU when ``bf16`` is set, else a no-op context."""
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16)

    def _freeze_lower_layers(self, model: Any) -> int:
        """With ``train_layers`` N > 0: freeze the embeddings and all but the top N encoder
        layers (the head always trains); returns how many layers were frozen. N above the
        model's layers is a LittleHumanError (:func:`~littlehuman.learners.train_layers_problem`)."""
        from littlehuman.learners import train_layers_problem

        if not self.train_layers:
            return 0
        body = model.base_model
        layers = body.encoder.layer
        problem = train_layers_problem(self.train_layers, len(layers))
        if problem:
            raise LittleHumanError(problem)
        n_frozen = len(layers) - self.train_layers
        for module in [body.embeddings, *layers[:n_frozen]]:
            for p in module.parameters():
                p.requires_grad_(False)
        return n_frozen

    def _new_model(self, base: Path) -> Any:
        from transformers import AutoModelForQuestionAnswering, AutoModelForSequenceClassification

        if self.pooling == "mean":
            return MeanPooledClassifier.from_pretrained(str(base))
        if self.task == "fv":
            return AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=2)
        return AutoModelForQuestionAnswering.from_pretrained(str(base))

    def _param_groups(self, model: Any) -> list[dict[str, Any]]:
        decay, no_decay = [], []
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(p)
        return [{"params": decay, "weight_decay": self.weight_decay},
                {"params": no_decay, "weight_decay": 0.0}]

    def _check_rows(self, rows: pd.DataFrame, where: str, with_target: bool) -> None:
        check_rows(rows, self.task, "encoder", where, with_target)

    def _cut(self, texts: list[str], limit: int) -> tuple[list[str], int]:
        """Cut texts longer than ``limit`` tokens (at a token boundary); count the cut ones."""
        enc = self._tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
        out, cut = [], 0
        for text, offsets in zip(texts, enc["offset_mapping"]):
            if len(offsets) > limit:
                text, cut = text[:offsets[limit - 1][1]], cut + 1
            out.append(text)
        return out, cut

    def _encode(self, rows: pd.DataFrame, training: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Tokenized features (one per kept row, or per window of a kept QA row, with its row
        position) and drop counts."""
        counts = {"rows_without_span": 0, "rows_fuzzy_span": 0, "rows_span_truncated": 0}
        contexts = as_texts(rows["context"])
        # the second segment (claim / question) gets at most half the budget: the rest is context
        second, n_cut = self._cut(as_texts(rows["claim" if self.task == "fv" else "question"]),
                                  self.max_length // 2)
        counts["rows_claim_cut" if self.task == "fv" else "rows_question_cut"] = n_cut
        if self.task == "fv":
            enc = self._tokenizer(contexts, second, truncation="only_first", max_length=self.max_length)
            labels = rows["label"].astype(int).tolist() if training else None
            feats = []
            for i in range(len(contexts)):
                f: dict[str, Any] = {k: enc[k][i] for k in _MODEL_KEYS if k in enc}
                f["row"] = i
                if training:
                    f["labels"] = labels[i]
                feats.append(f)
            return feats, counts
        windows = self.max_windows > 1
        self._tokenizer.truncation_side = "left" if self.context_side == "tail" else "right"
        enc = self._tokenizer(second, contexts, truncation="only_second", max_length=self.max_length,
                              return_offsets_mapping=True, return_overflowing_tokens=windows,
                              stride=self.max_length // WINDOW_OVERLAP_DIVISOR if windows else 0)
        owner = enc["overflow_to_sample_mapping"] if windows else range(len(contexts))
        by_row: dict[int, list[int]] = {}
        for j, i in enumerate(owner):
            by_row.setdefault(int(i), []).append(j)
        answers = as_texts(rows["answer"]) if training else [None] * len(contexts)
        feats = []
        for i in range(len(contexts)):
            feats += self._qa_row(enc, by_row[i][:self.max_windows], i, contexts[i], answers[i],
                                  counts)
        if windows and training:
            counts["train_windows"] = len(feats)
        return feats, counts

    def _qa_row(self, enc: Any, windows: list[int], row: int, context: str, answer: str | None,
                counts: dict[str, int]) -> list[dict[str, Any]]:
        """The features of QA row ``row`` (its encoded ``windows``): for prediction with the
        context, offsets and context token indices :func:`scored_spans` decodes; for training
        (``answer`` given) labelled with the answer's token span, or [CLS] in a window without
        it, or none (the drop counted in ``counts``)."""
        feats = []
        for j in windows:
            f: dict[str, Any] = {k: enc[k][j] for k in _MODEL_KEYS if k in enc}
            f["row"], f["offsets"], f["context"] = row, enc["offset_mapping"][j], context
            f["ctx"] = [k for k, s in enumerate(enc.sequence_ids(j)) if s == 1]
            feats.append(f)
        if answer is None:
            return feats
        # tail: the span is looked for in the kept end (the cut start may repeat it)
        first_ctx = feats[0]["ctx"]
        first = feats[0]["offsets"][first_ctx[0]][0] if first_ctx and self.context_side == "tail" else 0
        span = find_answer_span(context, answer, start=first)
        if span is None:  # tail: an answer only in the cut start is a truncation
            cut = first > 0 and find_answer_span(context, answer) is not None
            counts["rows_span_truncated" if cut else "rows_without_span"] += 1
            return []
        cs, ce, fuzzy = span
        held = False
        for f in feats:
            offsets, ctx = f.pop("offsets"), f.pop("ctx")
            del f["context"]
            if ctx and offsets[ctx[0]][0] <= cs and offsets[ctx[-1]][1] >= ce:
                f["start_positions"] = next(k for k in ctx if offsets[k][1] > cs)
                f["end_positions"] = max(k for k in ctx if offsets[k][0] < ce)
                held = True
            else:  # [CLS]: the answer is not (wholly) in this window
                f["start_positions"] = f["end_positions"] = 0
        if not held:
            counts["rows_span_truncated"] += 1
            return []
        counts["rows_fuzzy_span"] += int(fuzzy)
        return feats

    def _collate(self, feats: list[dict[str, Any]], training: bool) -> dict[str, torch.Tensor]:
        """Pad to the longest row of the batch."""
        width = max(len(f["input_ids"]) for f in feats)
        pad = self._tokenizer.pad_token_id or 0
        batch = {}
        for key in _MODEL_KEYS:
            if key in feats[0]:
                fill = pad if key == "input_ids" else 0
                batch[key] = torch.tensor([f[key] + [fill] * (width - len(f[key])) for f in feats])
        if training:
            for key in ("labels", "start_positions", "end_positions"):
                if key in feats[0]:
                    batch[key] = torch.tensor([f[key] for f in feats])
        return batch

    def _score(self, rows: pd.DataFrame) -> float:
        return valid_score(self.task, self.predict(rows), rows)


def span_pieces(context: str, offsets: list[tuple[int, int]], ctx: list[int]) -> dict[int, int]:
    """Per context token (index in ``ctx``) the piece of ``context`` it lies in: the number of
    :data:`SPAN_BREAK` characters before it. Tokens holding a break are left out."""
    breaks = [i for i, c in enumerate(context) if c == SPAN_BREAK]
    return {k: bisect.bisect_left(breaks, offsets[k][0]) for k in ctx
            if SPAN_BREAK not in context[offsets[k][0]:offsets[k][1]]}


def decode_spans(feats: list[dict[str, Any]], start: torch.Tensor, end: torch.Tensor
                 ) -> list[str]:
    """The text of each feature's best span (:func:`scored_spans`)."""
    return [text for text, _ in scored_spans(feats, start, end)]


def scored_spans(feats: list[dict[str, Any]], start: torch.Tensor, end: torch.Tensor
                 ) -> list[tuple[str, float]]:
    """The best span (start <= end < start + MAX_ANSWER_TOKENS) inside each feature's context
    (``context``, token ``offsets``, context token indices ``ctx``), within one piece of
    :func:`span_pieces`, with its score (start + end logit, comparable across the windows of
    one row); ("", -inf) when the context kept no token."""
    n, width = start.shape
    piece = torch.full((n, width), -1, dtype=torch.long)
    for b, f in enumerate(feats):
        for k, p in span_pieces(f["context"], f["offsets"], f["ctx"]).items():
            piece[b, k] = p
    usable = piece >= 0
    neg = torch.finfo(start.dtype).min / 4
    start = start.masked_fill(~usable, neg)
    end = end.masked_fill(~usable, neg)
    ones = torch.ones(width, width, dtype=torch.bool)
    band = torch.triu(ones) & ~torch.triu(ones, diagonal=MAX_ANSWER_TOKENS)
    allowed = band & (piece[:, :, None] == piece[:, None, :])
    scores = (start[:, :, None] + end[:, None, :]).masked_fill(~allowed, 2 * neg)
    flat_scores = scores.view(n, -1)
    best = flat_scores.argmax(-1)
    top = flat_scores.gather(1, best[:, None])[:, 0]
    out = []
    for b, (f, flat, score) in enumerate(zip(feats, best.tolist(), top.tolist())):
        s, e = divmod(flat, width)
        if not usable[b].any():
            out.append(("", float("-inf")))
            continue
        out.append((f["context"][f["offsets"][s][0]:f["offsets"][e][1]].strip(), float(score)))
    return out
