"""The LoRA learner on tiny random Llama / Mistral models built offline (fixtures: no dataset text).

Each model directory holds a 2-layer model initialised from a config and a word-level tokenizer
trained here on the invented toy texts below; nothing is downloaded. Random weights cannot
learn the toy tasks in a few steps: these tests check the mechanics (shapes, masks, packing,
save/load, determinism), not quality.
"""
from __future__ import annotations

import random
import weakref

import pandas as pd
import pytest
import torch

from littlehuman.errors import LittleHumanError
from littlehuman.learners import Learner, make_learner
from littlehuman.learners import lora
from littlehuman.learners.lora import IGNORE, LoraLearner, collate_packed, pack_bins, target_positions
from littlehuman.learners.syncs import SyncProbe, watch_steps

SUBJECTS = ["The baker", "A sailor", "The old clock", "My neighbour", "The red kite", "A quiet fox"]
VERBS = ["painted the fence", "sang at dawn", "lost a shoe", "counted the stars", "fixed the roof"]
WORDS = ["zorbat", "plimmer", "quandle", "vestrik", "mollaby", "trinket"]
FAST = dict(epochs=1, batch_size=4, max_length=64, max_new_tokens=4, progress=False, log_every=2)


def get_peft_model_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """peft's adapter weights of ``model``; peft imported here, not at collection, where every
    pytest worker imports each test module (2-3 s of CPU in a worker that runs no LoRA test)."""
    from peft import get_peft_model_state_dict as adapter_state

    return adapter_state(model)


def fv_rows(n: int, seed: int) -> pd.DataFrame:
    r = random.Random(seed)
    rows = []
    for i in range(n):
        sents = [f"{r.choice(SUBJECTS)} {r.choice(VERBS)}." for _ in range(r.randint(1, 4))]
        claim = r.choice(sents) if i % 2 else f"{r.choice(SUBJECTS)} ate the moon."
        rows.append({"context": " ".join(sents), "claim": claim, "label": i % 2})
    return pd.DataFrame(rows)


def qa_rows(n: int, seed: int) -> pd.DataFrame:
    r = random.Random(seed)
    rows = []
    for _ in range(n):
        word = r.choice(WORDS)
        sents = [f"{r.choice(SUBJECTS)} {r.choice(VERBS)}." for _ in range(r.randint(0, 3))]
        sents.insert(r.randrange(len(sents) + 1), f"The password is {word}.")
        rows.append({"context": " ".join(sents), "question": "What is the password?", "answer": word})
    return pd.DataFrame(rows)


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [f"{s} {v} ." for s in SUBJECTS for v in VERBS] + WORDS + [
        "The password is What ? | ANSWER : ate the moon long padding words"]
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(texts, trainers.WordLevelTrainer(special_tokens=["<unk>", "<s>", "</s>"]))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    # no pad token on purpose: the learner must fall back to EOS, as for Llama-3
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")


@pytest.fixture(scope="module", params=["llama", "mistral"])
def model_dir(request, tmp_path_factory):
    from transformers import AutoModelForCausalLM, LlamaConfig, MistralConfig

    tok = _tokenizer()
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                  bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
    config = LlamaConfig(**common) if request.param == "llama" else MistralConfig(sliding_window=None, **common)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    path = tmp_path_factory.mktemp(request.param)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_fit_predict_save_load(model_dir, task, tmp_path):
    train, test = (fv_rows(24, 0), fv_rows(10, 1)) if task == "fv" else (qa_rows(24, 0), qa_rows(10, 1))
    learner = make_learner("lora", task=task, seed=0, model_dir=str(model_dir), **FAST).fit(train)
    assert isinstance(learner, Learner)
    preds = learner.predict(test)
    assert len(preds) == len(test)
    if task == "fv":
        assert all(isinstance(p, int) and p in (0, 1) for p in preds)
    else:
        assert all(isinstance(p, str) and "|" not in p for p in preds)
    stats = learner.fit_stats
    assert stats["steps"] == 6 and stats["train_rows"] == 24 and len(stats["log"]) == 3
    assert stats["tokens_per_s"] > 0 and stats["train_tokens"] > 0
    assert stats["mfu"] is None and stats["peak_flops"] is None  # CPU: no peak to compare with
    assert stats["packing"] == (None if task == "fv" else "block-mask")
    assert stats["hyper"]["r"] == (64 if task == "fv" else 16)
    assert 0 < stats["trainable_params"] < stats["n_params"]
    learner.save(tmp_path / "saved")
    again = LoraLearner.load(tmp_path / "saved")
    assert again.predict(test) == preds
    saved, loaded = get_peft_model_state_dict(learner._model), get_peft_model_state_dict(again._model)
    assert saved.keys() == loaded.keys() and all(torch.equal(saved[k], loaded[k]) for k in saved)
    if task == "fv":  # the trained classification head travels with the adapter
        assert any("score" in k for k in saved)
    assert again.fit_stats == stats


def test_deterministic_given_seed(model_dir):
    def adapter(seed: int) -> dict[str, torch.Tensor]:
        learner = LoraLearner("qa", seed=seed, model_dir=str(model_dir), dropout=0.1, **FAST).fit(qa_rows(16, 0))
        return get_peft_model_state_dict(learner._model)

    first, second, other = adapter(3), adapter(3), adapter(4)
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_select_on_valid_uses_valid(model_dir):
    learner = LoraLearner("fv", model_dir=str(model_dir), select_on_valid=True,
                          **{**FAST, "epochs": 2}).fit(fv_rows(16, 0), fv_rows(8, 5))
    stats = learner.fit_stats
    assert len(stats["valid_scores"]) == 2 and stats["valid_metric"] == "accuracy"
    assert stats["valid_score"] == max(stats["valid_scores"])
    assert stats["valid_scores"][stats["best_epoch"] - 1] == stats["valid_score"]


def test_select_on_valid_restores_the_best_epochs_weights(model_dir, monkeypatch):
    """The kept epoch's adapter and FV score head are what the learner ends with, not the last
    epoch's (valid scores made up so that epoch 1 is the best)."""
    scores, seen = iter([0.9, 0.1, 0.2]), []

    def score(self, valid):
        seen.append({k: v.clone() for k, v in get_peft_model_state_dict(self._model).items()})
        return next(scores)

    monkeypatch.setattr(LoraLearner, "_score", score)
    learner = LoraLearner("fv", model_dir=str(model_dir), select_on_valid=True,
                          **{**FAST, "epochs": 3, "lr": 1e-2}).fit(fv_rows(16, 0), fv_rows(8, 5))
    final = get_peft_model_state_dict(learner._model)
    assert learner.fit_stats["best_epoch"] == 1 and any("score" in k for k in final)
    assert all(torch.equal(final[k], seen[0][k]) for k in final)
    assert not all(torch.equal(final[k], seen[2][k]) for k in final)


def test_qa_decoding_is_greedy_whatever_the_model_folder_says(model_dir, tmp_path):
    """A model folder's generation_config.json (Llama-3.1's asks for sampling at temperature
    0.6) must not reach decoding: predictions are those of a plain greedy loop that stops at
    EOS or a token containing "|", however the transformers version merges configs."""
    import json
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    config = json.loads((folder / "generation_config.json").read_text())
    config.update(do_sample=True, temperature=0.6, top_p=0.9, repetition_penalty=1.5,
                  no_repeat_ngram_size=1, min_new_tokens=3)
    (folder / "generation_config.json").write_text(json.dumps(config))
    learner = LoraLearner("qa", seed=0, model_dir=str(folder), **{**FAST, "max_new_tokens": 6}).fit(qa_rows(8, 0))
    rows = qa_rows(6, 3)
    tok = learner._tokenizer
    stops = {tok.eos_token_id} | {i for t, i in tok.get_vocab().items() if "|" in t}
    expected = []
    with torch.no_grad():
        for ids in learner._encode(rows, training=False)[0]:
            ids, new = list(ids["input_ids"]), []
            while len(new) < 6 and (not new or new[-1] not in stops):
                new.append(int(learner._model(input_ids=torch.tensor([ids + new])).logits[0, -1].argmax()))
            expected.append(tok.decode(new, skip_special_tokens=True).split("|", 1)[0].strip())
    assert learner.predict(rows) == expected


def test_pack_bins_and_block_diagonal_mask():
    lengths = [5, 3, 7, 2, 4]
    examples = [{"input_ids": list(range(10 * i + 1, 10 * i + 1 + n)), "labels": [IGNORE] + [7] * (n - 1)}
                for i, n in enumerate(lengths)]
    bins = pack_bins(lengths, 10)
    assert sorted(i for b in bins for i in b) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in b) <= 10 for b in bins)
    assert len(bins) == 3  # 21 tokens need at least 3 rows of 10
    batch = collate_packed(examples, 10, pad_id=0)
    mask, pos, seg, ids = batch["attention_mask"], batch["position_ids"], batch["segments"], batch["input_ids"]
    assert mask.shape == (3, 1, ids.shape[1], ids.shape[1])
    allowed = mask[:, 0] == 0
    for row, members in enumerate(bins):
        at = 0
        for k, i in enumerate(members):
            n = lengths[i]
            assert ids[row, at:at + n].tolist() == examples[i]["input_ids"]
            assert pos[row, at:at + n].tolist() == list(range(n))  # positions restart per example
            assert batch["labels"][row, at:at + n].tolist() == examples[i]["labels"]
            at += n
        width = ids.shape[1]
        for q in range(width):
            for k in range(width):
                same = seg[row, q] == seg[row, k]
                assert bool(allowed[row, q, k]) == bool(same and k <= q), (row, q, k)
        assert (seg[row, at:] == -1).all() and (batch["labels"][row, at:] == IGNORE).all()


@pytest.mark.parametrize("varlen", [False, True])
def test_packed_forward_equals_single_examples(model_dir, varlen):
    """Block-mask rows (and the varlen layout, read here by SDPA's own packed-sequence path)."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa").eval()
    g = torch.Generator().manual_seed(0)
    lengths = [9, 4, 13, 6, 3, 11]
    examples = [{"input_ids": torch.randint(3, model.config.vocab_size, (n,), generator=g).tolist(),
                 "labels": [IGNORE] * n} for n in lengths]
    batch = collate_packed(examples, 24, pad_id=2, varlen=varlen)
    bins = [list(range(len(examples)))] if varlen else pack_bins(lengths, 24)
    with torch.no_grad():
        inputs = {k: v for k, v in batch.items() if k in ("input_ids", "position_ids", "attention_mask")}
        packed = model(**inputs, use_cache=False).logits  # no cache: as in training
        for row, members in enumerate(bins):
            at = 0
            for i in members:
                alone = model(input_ids=torch.tensor([examples[i]["input_ids"]])).logits[0]
                n = lengths[i]
                torch.testing.assert_close(packed[row, at:at + n], alone, atol=1e-4, rtol=0)
                at += n


def test_labels_on_answer_only_and_context_truncation(model_dir):
    learner = LoraLearner("qa", model_dir=str(model_dir), max_length=40, max_new_tokens=4, progress=False)
    learner._tokenizer = tok = learner._load_tokenizer()
    long = " ".join(["The baker sang at dawn."] * 20) + " The password is zorbat."
    rows = pd.DataFrame([{"context": long, "question": "What is the password?", "answer": "zorbat"},
                         {"context": "A sailor lost a shoe.", "question": "What?", "answer": "quandle trinket"}])
    feats, counts = learner._encode(rows, training=True)
    assert counts["rows_context_cut"] == 1 and counts["rows_question_cut"] == 0
    for f, answer, ask in zip(feats, rows["answer"], ["What is the password ?", "What ?"]):
        target = tok(answer + " |", add_special_tokens=False)["input_ids"]
        n = len(target)
        assert len(f["input_ids"]) <= 40
        assert f["labels"][-n:] == target == f["input_ids"][-n:]
        assert all(y == IGNORE for y in f["labels"][:-n])  # every non-answer label is masked
        assert f["n_target"] == n
        assert tok.decode(f["input_ids"][:-n], skip_special_tokens=True).endswith(f"| {ask} ANSWER :")
    assert tok.decode(feats[0]["input_ids"], skip_special_tokens=True).startswith("The baker sang")
    # ROPES keeps its context's end (its situation): the answer's sentence stays (a reviewer:
    # 188 of 8,736 ROPES train rows had lost it with the start kept)
    tail = LoraLearner("qa", model_dir=str(model_dir), max_length=40, max_new_tokens=4,
                       progress=False, context_side="tail")
    tail._tokenizer = tok
    kept = tail._encode(rows, training=True)[0][0]
    said = tok.decode(kept["input_ids"], skip_special_tokens=True)
    assert len(kept["input_ids"]) <= 40 and "The password is zorbat ." in said
    assert not said.startswith("The baker sang at dawn. The baker")
    with pytest.raises(LittleHumanError, match="context_side"):
        LoraLearner("qa", model_dir=str(model_dir), context_side="middle")
    whole = LoraLearner("qa", model_dir=str(model_dir), loss_on="all", progress=False)
    whole._tokenizer = tok
    f = whole._encode(rows, training=True)[0][1]
    assert f["labels"] == [IGNORE] + f["input_ids"][1:]
    prompts, _ = learner._encode(rows, training=False)
    assert all(len(p["input_ids"]) <= 40 - 4 for p in prompts)  # room for max_new_tokens


def test_settings_scripts_and_paper(model_dir):
    def hyper(task: str, **kw) -> dict:
        return LoraLearner(task, model_dir=str(model_dir), **kw).hyper

    assert hyper("fv") == dict(epochs=2, lr=5e-5, r=64, alpha=16, dropout=0.1, warmup_ratio=0.0, max_grad_norm=1.0)
    assert hyper("fv", settings="paper")["lr"] == 1e-5
    assert hyper("qa") == dict(epochs=5, lr=2e-4, r=16, alpha=8, dropout=0.05, warmup_ratio=0.03, max_grad_norm=0.3)
    assert hyper("qa", settings="paper")["lr"] == 1e-2
    assert hyper("qa", settings="paper", lr=3e-4, epochs=1, r=4)["lr"] == 3e-4
    assert hyper("qa", epochs=1, r=4, alpha=2, dropout=0.0) == dict(
        epochs=1, lr=2e-4, r=4, alpha=2, dropout=0.0, warmup_ratio=0.03, max_grad_norm=0.3)


def test_errors(model_dir, tmp_path):
    with pytest.raises(LittleHumanError, match="unknown task"):
        LoraLearner("ner", model_dir=str(model_dir))
    with pytest.raises(LittleHumanError, match="model_dir"):
        LoraLearner("qa")
    with pytest.raises(LittleHumanError, match="model_dir"):
        make_learner("lora", task="fv", model_dir=str(tmp_path / "nowhere"))
    with pytest.raises(LittleHumanError, match="settings"):
        LoraLearner("qa", model_dir=str(model_dir), settings="mine")
    with pytest.raises(LittleHumanError, match="loss_on"):
        LoraLearner("qa", model_dir=str(model_dir), loss_on="prompt")
    with pytest.raises(LittleHumanError, match="not fitted"):
        LoraLearner("fv", model_dir=str(model_dir)).predict(fv_rows(2, 0))
    with pytest.raises(LittleHumanError, match="no saved lora learner"):
        LoraLearner.load(tmp_path)


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_checkpointing_recomputes_under_the_forwards_kernels(model_dir, task):
    """A reviewer: on CUDA the forward ran without cuDNN's attention but the backward, where
    gradient checkpointing recomputes it, could pick cuDNN (torch's first choice on Hopper),
    whose saved tensors differ: CheckpointError in every bf16 fit with --gradient-checkpointing
    true, the out-of-memory line's own advice. Here the kernels are held to MATH, as CUDA's to
    all but cuDNN, and the CPU's default (its flash kernel) stands in for cuDNN."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    class MathKernels(LoraLearner):
        def _kernels(self):
            return sdpa_kernel([SDPBackend.MATH])

    rows = fv_rows(8, 0) if task == "fv" else qa_rows(8, 0)
    learner = MathKernels(task, model_dir=str(model_dir), gradient_checkpointing=True,
                          packing=False, **FAST).fit(rows)
    assert learner.fit_stats["steps"] == 2


def test_packing_changes_speed_not_loss(model_dir):
    """The same micro-batch gives the same summed loss packed or padded; the unpacked path trains."""
    learner = LoraLearner("qa", model_dir=str(model_dir), packing=False, loss_on="all", grad_accum=2,
                          gradient_checkpointing=True, **FAST).fit(qa_rows(16, 0))
    stats = learner.fit_stats
    assert stats["packing"] is None and stats["steps"] == 2 and stats["pad_fraction"] > 0
    feats, _ = learner._encode(qa_rows(6, 2), training=True)
    learner._model.eval()
    with torch.no_grad():
        sums = []
        for packing in (True, False):
            learner.packing = packing
            sums.append(learner._loss_sum(learner._forward(), feats, torch.device("cpu"), torch.float32, False)[0])
    torch.testing.assert_close(sums[0], sums[1], atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_out_of_memory_splits_the_step_with_the_same_gradients(model_dir, task, monkeypatch):
    """A micro-batch that 'runs out of memory' (simulated: more than 2 examples in one
    forward) is redone in chunks of half the size; the adapter ends as without the split."""
    rows = fv_rows(16, 0) if task == "fv" else qa_rows(16, 0)
    settings = {**FAST, "batch_size": 8, "dropout": 0.0}
    plain = LoraLearner(task, seed=0, model_dir=str(model_dir), **settings).fit(rows)

    real_loss_sum = LoraLearner._loss_sum
    sizes = []

    def tight(self, forward, chunk, *args):
        sizes.append(len(chunk))
        if len(chunk) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real_loss_sum(self, forward, chunk, *args)

    monkeypatch.setattr(LoraLearner, "_loss_sum", tight)
    with pytest.warns(UserWarning, match="out of GPU memory"):
        split = LoraLearner(task, seed=0, model_dir=str(model_dir), **settings).fit(rows)
    assert split.micro_cap == 2 and split.fit_stats["micro_batch_cap"] == 2
    assert sizes[:2] == [8, 4] and set(sizes[2:]) == {2}  # 8 fails, 4 fails, then 2s
    a, b = get_peft_model_state_dict(plain._model), get_peft_model_state_dict(split._model)
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    assert split.fit_stats["train_tokens"] == plain.fit_stats["train_tokens"]

    def never(self, forward, chunk, *args):
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    monkeypatch.setattr(LoraLearner, "_loss_sum", never)
    with pytest.warns(UserWarning), pytest.raises(LittleHumanError, match="gradient-checkpointing"):
        LoraLearner(task, seed=0, model_dir=str(model_dir), **settings).fit(rows)


def test_padded_fv_batch_equals_single_examples(model_dir):
    """The 4D mask of a right-padded batch (built on the CPU) gives each row its own logits."""
    learner = LoraLearner("fv", seed=0, model_dir=str(model_dir), **FAST).fit(fv_rows(8, 0))
    feats, _ = learner._encode(fv_rows(6, 3), training=True)
    assert len({len(f["input_ids"]) for f in feats}) > 1  # the batch is padded
    learner._model.eval()
    cpu = torch.device("cpu")
    with torch.no_grad():
        together = learner._loss_sum(learner._forward(), feats, cpu, torch.float32, False)[0]
        alone = sum(learner._loss_sum(learner._forward(), [f], cpu, torch.float32, False)[0] for f in feats)
    torch.testing.assert_close(together, alone, atol=1e-4, rtol=1e-5)


def test_target_positions():
    labels = torch.tensor([[IGNORE, IGNORE, 5, 6, IGNORE, 7],
                           [IGNORE, 8, IGNORE, IGNORE, IGNORE, IGNORE]])
    positions, targets = target_positions(labels)
    assert positions.tolist() == [[1, 2, 4], [0, 0, 0]]  # position p predicts the token at p + 1
    assert targets.tolist() == [[5, 6, 7], [8, IGNORE, IGNORE]]


@pytest.mark.parametrize("task,packing", [("fv", True), ("qa", True), ("qa", False)])
def test_training_step_never_waits_for_the_gpu(model_dir, task, packing):
    """No host-device sync inside an optimizer step (forward, loss, backward, clipping, AdamW):
    the probe would see transformers' padding check, a boolean ``logits_to_keep`` or an
    ``.item()``. Padded batches included (rows of different lengths, batch 4)."""
    rows = fv_rows(16, 0) if task == "fv" else qa_rows(16, 0)
    with watch_steps() as seen:
        learner = LoraLearner(task, seed=0, model_dir=str(model_dir), packing=packing, **FAST).fit(rows)
    assert learner.fit_stats["steps"] == 4 and learner.fit_stats["pad_fraction"] > 0
    assert seen.steps == 4 and seen.marked > 0, "the probe is not wired to the training step"
    assert seen.probe == [] and seen.cuda == []
    assert LoraLearner._train_step.__name__ == "_train_step" and lora.to_device.__name__ == "to_device"


def test_only_cudas_per_sync_warning_counts_as_a_sync(monkeypatch):
    """CUDA's sync debug mode warns once per process that it "is a prototype feature and does
    not yet detect all synchronizing operations": not a sync (an H200 counted it as one)."""
    import types
    import warnings

    from littlehuman.learners.syncs import CUDA_SYNC_WARNING

    def step_that_warns(self, step, group):
        warnings.warn("Synchronization debug mode is a prototype feature and does not yet detect "
                      "all synchronizing operations (Triggered internally at Module.cpp:1003.)")
        warnings.warn(CUDA_SYNC_WARNING + " (Triggered internally at CUDAFunctions.cpp:1.)")

    monkeypatch.setattr(LoraLearner, "_train_step", step_that_warns)
    fake = types.SimpleNamespace(_model=torch.nn.Linear(2, 2))
    with watch_steps() as seen:
        LoraLearner._train_step(fake, torch.zeros(1), [])
    assert seen.steps == 1 and len(seen.cuda) == 1 and seen.cuda[0].startswith(CUDA_SYNC_WARNING)


def test_sync_probe_sees_a_sync():
    """The probe itself: ``.item()``, a boolean index and ``nonzero`` on device data are seen."""
    probe = SyncProbe()
    x = torch.arange(6.0)
    probe.mark(x)
    with probe:
        y = x * 2
        y.sum().item()
        y[y > 3]
        (x + 1).nonzero()
        torch.ones(3).sum().item()  # not device data: not a sync
    assert len(probe.syncs) == 3, probe.syncs


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_bf16_base_trains_fp32_weights_under_autocast(model_dir, task, tmp_path):
    """As on a GPU: a bf16 base keeps every trainable weight (LoRA, FV's new score head) in
    fp32, where AdamW's lr-sized updates do not round away; forward, predict and a reloaded
    learner run under bf16 autocast."""
    rows = fv_rows(16, 0) if task == "fv" else qa_rows(16, 0)
    learner = LoraLearner(task, seed=0, model_dir=str(model_dir), dtype="bf16", **FAST).fit(rows)
    trainable = {n: p.dtype for n, p in learner._model.named_parameters() if p.requires_grad}
    frozen = {p.dtype for p in learner._model.parameters() if not p.requires_grad}
    assert set(trainable.values()) == {torch.float32} and frozen == {torch.bfloat16}
    if task == "fv":
        assert any("score" in n for n in trainable)
    assert learner.fit_stats["dtype"] == "bfloat16" and learner.fit_stats["adapter_dtype"] == "float32"
    preds = learner.predict(rows.iloc[:6])
    learner.save(tmp_path / "saved")
    assert LoraLearner.load(tmp_path / "saved").predict(rows.iloc[:6]) == preds


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_peft_input_casts_off_change_no_gradient_and_save_copies(model_dir, task, monkeypatch):
    """Under a bf16 base peft cast each LoRA input to fp32, and autocast cast it back for the
    bf16 matmul: off (lora.PEFT_INPUT_CASTS), the loss and every gradient are the same, with
    fewer copies per step (dropout 0, so both draw nothing at random)."""
    rows = fv_rows(8, 0) if task == "fv" else qa_rows(8, 0)
    got = {}
    for casts in (True, False):
        monkeypatch.setattr(lora, "PEFT_INPUT_CASTS", casts)
        learner = LoraLearner(task, seed=0, model_dir=str(model_dir), dtype="bf16",
                              **{**FAST, "epochs": 1, "dropout": 0.0, "batch_size": 8}).fit(rows)
        flags = {m.cast_input_dtype_enabled for m in learner._model.modules()
                 if hasattr(m, "cast_input_dtype_enabled")}
        assert flags == {casts}
        learner._model.train()
        feats, _ = learner._encode(rows, training=True)
        with torch.profiler.profile() as prof:
            loss, _ = learner._loss_sum(learner._forward(), feats, learner._device(), torch.bfloat16, False)
            loss.backward()
        copies = sum(e.count for e in prof.key_averages() if e.key == "aten::_to_copy")
        grads = {n: p.grad.clone() for n, p in learner._model.named_parameters() if p.grad is not None}
        got[casts] = (loss.item(), grads, copies)
    assert got[False][0] == got[True][0]
    assert got[False][1].keys() == got[True][1].keys() and got[True][1]
    for name, grad in got[True][1].items():
        assert torch.equal(got[False][1][name], grad), name
    assert got[False][2] < got[True][2], (got[False][2], got[True][2])


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_lean_lora_forward_trains_as_peft_does_and_survives_save_load(model_dir, task, monkeypatch, tmp_path):
    """The learner's LoRA layers run lean_lora's forward (lora.LEAN_LORA_FORWARD), after fit and
    after load; a fit with it and one with peft's own forward end with the same adapter (fp32,
    dropout live, the same seed: the same draws) and the same predictions."""
    from littlehuman.learners import lean_lora

    rows = fv_rows(16, 0) if task == "fv" else qa_rows(16, 0)
    fitted = {}
    for lean in (False, True):
        monkeypatch.setattr(lora, "LEAN_LORA_FORWARD", lean)
        learner = LoraLearner(task, seed=0, model_dir=str(model_dir), dtype="fp32",
                              **{**FAST, "dropout": 0.1}).fit(rows)
        forwards = {getattr(m.__dict__.get("forward"), "__func__", None) for m in learner._model.modules()
                    if hasattr(m, "lora_A") and hasattr(m, "base_layer")}
        assert forwards == ({lean_lora.lean_forward} if lean else {None})
        fitted[lean] = learner
    state = {k: get_peft_model_state_dict(fitted[k]._model) for k in fitted}
    assert state[True].keys() == state[False].keys()
    for name, weight in state[False].items():
        torch.testing.assert_close(state[True][name], weight, rtol=1e-3, atol=1e-6, msg=name)
    assert fitted[True].predict(rows.iloc[:6]) == fitted[False].predict(rows.iloc[:6])
    fitted[True].save(tmp_path / "saved")
    loaded = LoraLearner.load(tmp_path / "saved")
    assert lean_lora.uninstall(loaded._model) > 0  # loaded lean: take it off, peft's forward predicts alike
    assert loaded.predict(rows.iloc[:6]) == fitted[True].predict(rows.iloc[:6])


def test_liger_is_applied_to_the_base_before_peft_and_refused_where_it_cannot_run(model_dir, monkeypatch):
    """``liger`` hands the loaded base to liger-kernel's instance patch (RMSNorm, SwiGLU, RoPE;
    not its cross-entropy, which would bypass the logits at the target positions) before peft
    wraps it; without CUDA, or without the package, one line that says what to do. (The
    kernels themselves are Triton: bench/gpu_check.py step 5 runs them on a GPU.)"""
    import sys
    import types

    from littlehuman.learners.lora import liger_problem

    assert "CUDA GPU" in liger_problem(torch.device("cpu"))
    learner = LoraLearner("fv", seed=0, model_dir=str(model_dir), liger=True, **FAST)
    with pytest.raises(LittleHumanError, match="needs a CUDA GPU"):
        learner.fit(fv_rows(8, 0))
    monkeypatch.setattr(learner, "_device", lambda: torch.device("cuda"))
    monkeypatch.setattr(lora, "liger_problem", lambda device=None: None)
    calls = []
    fake = types.ModuleType("liger_kernel.transformers")
    fake._apply_liger_kernel_to_instance = lambda model, **kw: calls.append((model, kw))
    monkeypatch.setitem(sys.modules, "liger_kernel", types.ModuleType("liger_kernel"))
    monkeypatch.setitem(sys.modules, "liger_kernel.transformers", fake)
    base = object()
    assert learner._with_liger(base) is base
    assert calls == [(base, dict(rope=True, rms_norm=True, swiglu=True, cross_entropy=False,
                                 fused_linear_cross_entropy=False))]
    plain = LoraLearner("fv", seed=0, model_dir=str(model_dir), **FAST)
    assert plain._with_liger(base) is base and len(calls) == 1  # off by default: untouched


def test_liger_enters_the_run_key_only_when_on(tmp_path):
    from littlehuman import config, data
    from littlehuman.learners import learner_params

    base = config.profile("smoke", learner="lora", model_dir=str(tmp_path))
    assert "liger" not in learner_params(base, "fv", data.DATASETS["fever"])
    assert learner_params(base.replace(liger=True), "fv", data.DATASETS["fever"])["liger"] is True


def test_forwards_on_cuda_leave_cudnn_attention_out_within_the_enabled_kernels(model_dir, monkeypatch):
    """On CUDA every forward runs without cuDNN's SDPA kernel (a plan per new shape: see
    lora.SDPA_CUDNN), keeping the kernels enabled around it; cuDNN alone stays cuDNN. (The
    flags are torch's globals, set here on a CPU build as on a GPU.)"""
    import warnings

    from torch.nn.attention import SDPBackend, sdpa_kernel

    learner = LoraLearner("fv", seed=0, model_dir=str(model_dir), dtype="fp32", **FAST)
    monkeypatch.setattr(learner, "_device", lambda: torch.device("cuda"))
    cuda = torch.backends.cuda

    def flags() -> tuple[bool, bool, bool, bool]:
        return (cuda.flash_sdp_enabled(), cuda.mem_efficient_sdp_enabled(), cuda.math_sdp_enabled(),
                cuda.cudnn_sdp_enabled())

    before = flags()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # autocast on "cuda" without CUDA (disabled: fp32 base)
        with learner._compute():
            assert flags() == (True, True, True, False)
        with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION]), learner._compute():
            assert flags() == (False, True, False, False)
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]), learner._compute():
            assert flags() == (False, False, False, True)
        monkeypatch.setattr(lora, "SDPA_CUDNN", True)
        with learner._compute():
            assert flags() == before
    assert flags() == before


def test_out_of_memory_frees_the_failed_chunk_before_the_retry(model_dir, monkeypatch):
    """A real OOM often strikes in backward, with the chunk's activations still in its graph:
    that graph must be gone before the smaller retry runs, or the retry has less memory."""

    class Alive:
        pass

    class OutOfMemoryInBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, witness):
            ctx.witness = witness  # lives as long as the graph does
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise torch.OutOfMemoryError("CUDA out of memory (simulated in backward)")

    real_loss_sum = LoraLearner._loss_sum
    witnesses: list[weakref.ref] = []
    alive_at_retry: list[bool] = []

    def tight(self, forward, chunk, *args):
        alive_at_retry.extend(w() is not None for w in witnesses)
        loss, slots = real_loss_sum(self, forward, chunk, *args)
        if len(chunk) > 2:
            witness = Alive()
            witnesses.append(weakref.ref(witness))
            return OutOfMemoryInBackward.apply(loss, witness), slots
        return loss, slots

    monkeypatch.setattr(LoraLearner, "_loss_sum", tight)
    with pytest.warns(UserWarning, match="out of GPU memory"):
        learner = LoraLearner("qa", seed=0, model_dir=str(model_dir), **{**FAST, "batch_size": 8}).fit(qa_rows(16, 0))
    assert learner.micro_cap == 2 and len(witnesses) == 2
    assert alive_at_retry and not any(alive_at_retry)


@pytest.mark.parametrize("task", ["fv", "qa"])
def test_out_of_memory_at_prediction_halves_the_chunk(model_dir, task, monkeypatch):
    """Prediction takes 4 x batch_size rows at once; out of memory, it retries the same rows in
    halves, and the predictions are those of an unconstrained run."""
    rows = fv_rows(16, 0) if task == "fv" else qa_rows(16, 0)
    learner = LoraLearner(task, seed=0, model_dir=str(model_dir), **FAST).fit(rows)
    plain = learner.predict(rows)
    name = "_predict_fv" if task == "fv" else "_predict_qa"
    real = getattr(LoraLearner, name)
    sizes = []

    def tight(self, chunk, *args):
        sizes.append(len(chunk))
        if len(chunk) > 3:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, chunk, *args)

    monkeypatch.setattr(LoraLearner, name, tight)
    with pytest.warns(UserWarning, match="out of GPU memory predicting"):
        assert learner.predict(rows) == plain
    assert sizes[:3] == [16, 8, 4] and max(sizes[3:]) == 2 and sum(sizes[3:]) == 16

    def never(self, chunk, *args):
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    monkeypatch.setattr(LoraLearner, name, never)
    with pytest.warns(UserWarning), pytest.raises(LittleHumanError, match="max-length"):
        learner.predict(rows.iloc[:2])


def test_varlen_batch_carries_flash_attention_boundaries():
    """Packed for flash-attention, the batch brings the boundaries transformers would otherwise
    derive on the GPU from position_ids (with a sync): the same values."""
    from transformers.modeling_flash_attention_utils import prepare_fa_kwargs_from_position_ids

    lengths = [5, 3, 7, 2]
    examples = [{"input_ids": [9] * n, "labels": [IGNORE] + [7] * (n - 1)} for n in lengths]
    batch = collate_packed(examples, 400, pad_id=0, varlen=True)
    (cu_q, cu_k), (max_q, max_k) = prepare_fa_kwargs_from_position_ids(batch["position_ids"])
    assert batch["cu_seq_lens_q"].tolist() == cu_q.tolist() == [0, 5, 8, 15, 17]
    assert batch["cu_seq_lens_q"].dtype == cu_q.dtype == torch.int32
    assert batch["max_length_q"] == batch["max_length_k"] == int(max_q) == 7
    assert "attention_mask" not in batch


@pytest.mark.parametrize("packing", [True, False])
def test_qa_loss_is_the_full_models_loss_at_the_targets(model_dir, packing):
    """Logits only at target positions (the head's pre-hook) give the loss the plain model
    gives with every logit computed, example by example."""
    learner = LoraLearner("qa", seed=0, model_dir=str(model_dir), packing=packing, **FAST).fit(qa_rows(8, 0))
    learner._model.eval()
    feats, _ = learner._encode(qa_rows(6, 4), training=True)
    with torch.no_grad():
        ours = learner._loss_sum(learner._forward(), feats, torch.device("cpu"), torch.float32, False)[0]
        reference = 0.0
        for f in feats:
            logits = learner._model(input_ids=torch.tensor([f["input_ids"]])).logits[0, :-1]
            reference += torch.nn.functional.cross_entropy(logits, torch.tensor(f["labels"][1:]),
                                                           ignore_index=IGNORE, reduction="sum")
    assert lora.head_positions(learner._model).positions is None  # the head sees every position again
    assert len(learner._model.get_output_embeddings()._forward_pre_hooks) == 1  # one hook, kept
    torch.testing.assert_close(ours, reference, atol=1e-4, rtol=1e-5)
