"""The lean forward of peft's LoRA layers (learners/lean_lora.py) on tiny random models built
from configs: the same function as peft's forward (losses, gradients, dropout draws), fewer
kernels, and peft's own forward wherever it does anything else."""
from __future__ import annotations

import pytest
import torch

from littlehuman.learners import lean_lora


def tiny_peft(dropout: float = 0.1, **lora: object) -> torch.nn.Module:
    # imported here, not at collection, where every pytest worker imports each test module
    # (peft: 2-3 s of CPU in a worker that runs no LoRA test)
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    model = get_peft_model(LlamaForCausalLM(config), LoraConfig(
        r=4, lora_alpha=8, lora_dropout=dropout, target_modules="all-linear", task_type="CAUSAL_LM", **lora))
    for name, param in model.named_parameters():  # B starts at zero: give the adapters something to say
        if "lora_B" in name:
            torch.nn.init.normal_(param, std=0.02)
    return model


def loss_and_grads(model: torch.nn.Module, ids: torch.Tensor, seed: int = 1) -> tuple[torch.Tensor, dict]:
    model.zero_grad(set_to_none=True)
    torch.manual_seed(seed)  # the same dropout draws for both forwards
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def aten_work(model: torch.nn.Module, ids: torch.Tensor) -> tuple[dict[str, int], dict[str, int]]:
    """Per aten op of one forward and backward: calls, and elements of its first input."""
    with torch.profiler.profile(record_shapes=True) as prof:
        loss_and_grads(model, ids)
    calls: dict[str, int] = {}
    elements: dict[str, int] = {}
    for event in prof.key_averages(group_by_input_shape=True):
        if event.key.startswith("aten::"):
            calls[event.key] = calls.get(event.key, 0) + event.count
            first = event.input_shapes[0] if event.input_shapes and event.input_shapes[0] else []
            elements[event.key] = elements.get(event.key, 0) + event.count * int(torch.tensor(first).prod())
    return calls, elements


def test_lean_forward_is_peft_forward_in_fp32_with_dropout():
    model = tiny_peft().train()
    ids = torch.randint(0, 64, (3, 12))
    peft_loss, peft_grads = loss_and_grads(model, ids)
    assert lean_lora.install(model) == 2 * 7  # every adapted linear of both layers
    lean_loss, lean_grads = loss_and_grads(model, ids)
    torch.testing.assert_close(lean_loss, peft_loss, rtol=1e-6, atol=1e-7)
    assert lean_grads.keys() == peft_grads.keys() and len(peft_grads) == 2 * 2 * 7
    for name, grad in peft_grads.items():
        torch.testing.assert_close(lean_grads[name], grad, rtol=1e-4, atol=1e-7, msg=name)
    different_draws, _ = loss_and_grads(model, ids, seed=2)
    assert not torch.equal(different_draws, lean_loss)  # dropout is live: the same draws made them equal


def test_lean_forward_under_bf16_autocast_matches_peft_to_bf16_rounding():
    model = tiny_peft(dropout=0.0).train()
    ids = torch.randint(0, 64, (2, 10))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        peft_loss, peft_grads = loss_and_grads(model, ids)
        lean_lora.install(model)
        lean_loss, lean_grads = loss_and_grads(model, ids)
    torch.testing.assert_close(lean_loss, peft_loss, rtol=2e-2, atol=1e-3)
    for name, grad in peft_grads.items():
        cosine = torch.nn.functional.cosine_similarity(lean_grads[name].flatten(), grad.flatten(), dim=0)
        assert cosine > 0.99, (name, float(cosine))


def test_lean_forward_makes_fewer_passes_over_the_layer_outputs():
    """The output-sized add goes into B's matmul (addmm) and the scaling multiplies the rank-r
    side: the same number of multiplies, each over r columns instead of out_features."""
    model = tiny_peft().train()
    ids = torch.randint(0, 64, (2, 10))
    calls_before, elements_before = aten_work(model, ids)
    lean_lora.install(model)
    calls_after, elements_after = aten_work(model, ids)
    layers, tokens = 2 * 7, 2 * 10
    outputs = 2 * tokens * (32 + 16 + 16 + 32 + 64 + 64 + 32)  # q k v o gate up down, two layers
    assert calls_after["aten::addmm"] - calls_before.get("aten::addmm", 0) == layers
    assert calls_before["aten::mm"] - calls_after["aten::mm"] == layers
    assert calls_before["aten::add"] - calls_after.get("aten::add", 0) == layers
    assert calls_after["aten::mul"] == calls_before["aten::mul"]
    # forward and backward each multiplied every layer's output by the scaling; now tokens x r (4)
    saved = elements_before["aten::mul"] - elements_after["aten::mul"]
    assert saved == 2 * outputs - 2 * layers * tokens * 4, (saved, outputs)


def test_peft_keeps_its_forward_where_it_does_something_else():
    model = tiny_peft(dropout=0.0).eval()
    ids = torch.randint(0, 64, (2, 8))
    lean_lora.install(model)
    with torch.no_grad():
        with model.disable_adapter():
            disabled = model(input_ids=ids).logits
        adapted = model(input_ids=ids).logits
    plain = tiny_peft(dropout=0.0).eval()
    with torch.no_grad(), plain.disable_adapter():
        torch.testing.assert_close(disabled, plain(input_ids=ids).logits)
    assert not torch.allclose(adapted, disabled)
    dora = tiny_peft(dropout=0.0, use_dora=True)
    assert lean_lora.install(dora) == 0  # DoRA: peft's variant forward
    biased = tiny_peft(dropout=0.0, lora_bias=True)
    assert lean_lora.install(biased) == 0
    assert lean_lora.uninstall(model) == 14 and lean_lora.install(model) == 14


@pytest.mark.parametrize("merged", [False, True])
def test_merged_adapters_and_uninstall_give_peft_outputs(merged):
    model = tiny_peft(dropout=0.0).eval()
    ids = torch.randint(0, 64, (2, 8))
    with torch.no_grad():
        want = model(input_ids=ids).logits
        lean_lora.install(model)
        if merged:
            model.merge_adapter()
        got = model(input_ids=ids).logits
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
        if merged:
            model.unmerge_adapter()
        assert lean_lora.uninstall(model) == 14
        torch.testing.assert_close(model(input_ids=ids).logits, want, rtol=1e-5, atol=1e-5)
