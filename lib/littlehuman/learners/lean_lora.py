"""A leaner forward for peft's LoRA ``Linear`` layers: the same function, less memory traffic.

peft computes ``result + lora_B(lora_A(dropout(x))) * scaling``: besides the three matmuls,
a multiply and an add over the layer's whole output (tokens x out_features) forward, and the
multiply again backward. :func:`lean_forward` scales the rank-r side instead (tokens x r, a
few hundred times smaller) and lets ``torch.addmm`` add the adapter's product to the base
output inside B's matmul::

    addmm(base(x), lora_A(dropout(x)) * scaling, lora_B.weight.T)

Same dropout draws, same parameters and adapter files; the sums are the same up to rounding
(tests compare losses and gradients with peft's). What it saves is passes over memory: about
three over each adapted layer's output per training step. Not kernels: the forward runs one
fewer, the backward one more (B's gradient comes back transposed and is copied to B's
layout, a small r x out_features copy). ``bench/lora_forward.py`` counts and times both here;
``bench/gpu_check.py`` step 5 measures them on a GPU. Layers peft would run differently (DoRA
and other variants, a bias on B, merged or disabled adapters, several active adapters, extra
arguments such as ``adapter_names``) keep peft's own forward.
"""
from __future__ import annotations

import types
from typing import Any

import torch


def _eligible(layer: Any) -> bool:
    """Whether ``layer`` is a plain peft LoRA ``Linear`` with one vanilla adapter."""
    from peft.tuners.lora.layer import Linear

    if type(layer) is not Linear or len(layer.lora_A) != 1:
        return False
    name = next(iter(layer.lora_A))
    return name not in getattr(layer, "lora_variant", {}) and layer.lora_B[name].bias is None


def lean_forward(self: Any, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """peft's LoRA ``Linear.forward`` with the scaling on the rank-r side and the add in B's
    matmul; anything but the plain case goes to peft's own forward."""
    active = self.active_adapters
    if args or kwargs or self.disable_adapters or self.merged or len(active) != 1 or active[0] not in self.lora_A:
        return type(self).forward(self, x, *args, **kwargs)
    name = active[0]
    lora_a, weight_b = self.lora_A[name], self.lora_B[name].weight
    result = self.base_layer(x)
    x = self._cast_input_dtype(x, lora_a.weight.dtype)
    down = lora_a(self.lora_dropout[name](x)) * self.scaling[name]
    if not torch.is_autocast_enabled(result.device.type) and not result.dtype == down.dtype == weight_b.dtype:
        return result + (down @ weight_b.t()).to(result.dtype)  # mixed dtypes without autocast: no addmm
    out = torch.addmm(result.reshape(-1, result.shape[-1]), down.reshape(-1, down.shape[-1]), weight_b.t())
    return out.view(result.shape)


def install(model: torch.nn.Module) -> int:
    """Give every eligible peft LoRA ``Linear`` of ``model`` :func:`lean_forward` (an instance
    attribute: the class, and any other model, keep peft's); returns how many layers got it."""
    layers = [m for m in model.modules() if _eligible(m)]
    for layer in layers:
        layer.forward = types.MethodType(lean_forward, layer)
    return len(layers)


def uninstall(model: torch.nn.Module) -> int:
    """Put peft's own forward back on every layer :func:`install` changed; returns how many."""
    layers = [m for m in model.modules() if getattr(m.__dict__.get("forward"), "__func__", None) is lean_forward]
    for layer in layers:
        del layer.forward
    return len(layers)
