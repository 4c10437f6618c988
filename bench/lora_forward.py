"""peft's LoRA forward against the learner's lean one (littlehuman.learners.lean_lora), same run.

    python bench/lora_forward.py                 # two model sizes, fp32 on this CPU, ~1 min
    python bench/lora_forward.py --repeats 12

One random Llama-style model per size (4 layers, LoRA r16 on every linear, dropout 0.05, the
QA settings), 8 rows of ``--seq`` tokens: the median time of a forward and backward with peft's
forward, then with the lean one installed on the same model, alternated twice so that drift
of the machine falls on both; and per step the aten calls and the elements the multiplies
read (the lean forward scales the rank-r side instead of the layer's output). Prints one line
per size with the ratio peft / lean (> 1: the lean forward is faster). The GPU figure comes
from bench/gpu_check.py step 5 (``peft forward`` row).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))

from littlehuman.learners import lean_lora  # noqa: E402

SIZES = {"small": dict(hidden_size=64, intermediate_size=128, num_attention_heads=4),
         "medium": dict(hidden_size=512, intermediate_size=1536, num_attention_heads=8)}


def model(shape: dict, vocab: int = 512) -> torch.nn.Module:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=vocab, num_hidden_layers=4, **shape)
    lora = LoraConfig(r=16, lora_alpha=8, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_peft_model(LlamaForCausalLM(config), lora).train()


def step(net: torch.nn.Module, ids: torch.Tensor) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net(input_ids=ids, labels=ids).loss.backward()
    net.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def work(net: torch.nn.Module, ids: torch.Tensor) -> tuple[int, int]:
    """aten calls of one step, and the elements its multiplies read (first input)."""
    with torch.profiler.profile(record_shapes=True) as prof:
        step(net, ids)
    events = [e for e in prof.key_averages(group_by_input_shape=True) if e.key.startswith("aten::")]
    mul = sum(e.count * int(torch.tensor(e.input_shapes[0] or []).prod()) for e in events
              if e.key == "aten::mul" and e.input_shapes)
    return sum(e.count for e in events), mul


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=6, help="timed steps per forward and round")
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, fp32 on the CPU, "
          f"8 rows x {args.seq} tokens, 4 layers, LoRA r16 on 7 linears a layer")
    for name, shape in SIZES.items():
        net = model(shape)
        ids = torch.randint(0, 512, (8, args.seq))
        times: dict[str, list[float]] = {"peft": [], "lean": []}
        counts = {}
        for _ in range(2):
            for kind in ("peft", "lean"):
                if kind == "lean":
                    lean_lora.install(net)
                step(net, ids)  # warm-up
                times[kind] += [step(net, ids) for _ in range(args.repeats)]
                counts[kind] = work(net, ids)
                lean_lora.uninstall(net)
        peft_ms, lean_ms = (1000 * statistics.median(times[k]) for k in ("peft", "lean"))
        print(f"{name} (hidden {shape['hidden_size']}): peft {peft_ms:.1f} ms, lean {lean_ms:.1f} ms a step, "
              f"peft / lean {peft_ms / lean_ms:.2f}x; aten calls {counts['peft'][0]} -> {counts['lean'][0]}, "
              f"elements multiplied {counts['peft'][1]:,} -> {counts['lean'][1]:,}")


if __name__ == "__main__":
    main()
