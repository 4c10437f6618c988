"""Where the original release files of the eight datasets live, and their sha256 digests.

``REMOTE[name]`` lists the :class:`RemoteFile` entries that ``littlehuman.data.fetch`` downloads
into ``<data_dir>/<name>/``; ``dest`` follows the layout of ``shared/data`` (see its SOURCES.md).
A plain file's ``dest`` is its path in the dataset folder; an archive's ``dest`` is its file
name (kept under ``<name>/.downloads/``) and ``members`` say what is extracted where. A member
path ending in ``/`` stands for every file below it.

Digests: where SOURCES.md names a GitHub commit and path whose bytes are the ones in
``shared/data``, the sha256 is computed from that file. A few other digests were published by
third parties and agree across independent copies (noted per entry). ``None`` means trust on
first use: the first download records its digest in ``<name>/CHECKSUMS.json``.
"""
from __future__ import annotations

from littlehuman.data.remote import RemoteFile


def _github(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_FEVER = ("athnlp/athnlp-labs", "136f2d3dce4b9159cf35c9dc2bfd7b7670ce6f5d")
_WANLI_GH = ("alisawuffles/wanli", "17190b51baeeea50314e1320563d87a64c630c14")
# The HF dataset repo at the revision others pin (README update of 2022-11-21). train.jsonl and
# test.jsonl are the files the authors' get_data.sh took from Google Drive; on HF the train
# file's pairID was cast to a string (commit "cast pairID as string"), so loaders must accept
# pairID as int or str. No published sha256 was found.
_WANLI_HF = (
    "https://huggingface.co/datasets/alisawuffles/WANLI/resolve/61c95318fd71c55b6ba355d76253254615f387ec"
)
_ROPES = ("chen-steven/BERT-ROPES", "ccc810caed1c6a1b953823fa47a4590cd5335ad8")
_QACONV = ("salesforce/QAConv", "b1f140c39580dd4dadb4ecd35e9a247a90016407")
_FTQA = ("neuhai/FairytaleQA_Dataset", "5aa19180c83713f41ee30c9f1dd99afc2d65aeac")
_FTQA_ROOT = f"FairytaleQA_Dataset-{_FTQA[1]}/"  # the top folder of a GitHub commit archive
_FTQA_TRAIN = "FairytaleQA_Dataset/split_for_training/"

REMOTE: dict[str, list[RemoteFile]] = {
    # FEVER-lite (SUPPORTS/REFUTES with gold evidence text). copenlu/fever_gold_evidence, the
    # authors' source, is a HF dataset without an original file release: not listed.
    "fever": [
        RemoteFile(
            _github(*_FEVER, "data/fever/validation.jsonl"), "validation.jsonl",
            "b13b6219d96dffd9beba91159a65004c37dc695b100b0fd84e8eaeace2f3c793",
        ),
        RemoteFile(
            _github(*_FEVER, "data/fever/test.jsonl"), "test.jsonl",
            "5b52ec36e5e6776aa753ebbe3ba0be64e140a26eeb4ce632778fbebeefb98999",
        ),
    ],
    # The official release tarball (linked from allenai/scifact's README). Its sha256 is the one
    # in huggingface/datasets' scifact dataset_infos.json, also pinned by two unrelated projects.
    # The claims files are taken from it (not from the byte-identical copy in
    # jedick/MLE-capstone-project that shared/data holds), so one verified download gives all.
    # corpus.jsonl is the original corpus; shared/data instead has corpus_train.csv, a CSV
    # export of the HF corpus config from a third-party zip whose layout could not be
    # confirmed, so it is not fetched.
    "scifact": [
        RemoteFile(
            "https://scifact.s3-us-west-2.amazonaws.com/release/latest/data.tar.gz", "data.tar.gz",
            "11c621288d41ac144d29b13b0f8503b3820b7d6e8b1f6ff24dff335c196d76be",
            unpack="tar.gz",
            members=tuple(
                (f"data/{f}", f)
                for f in ("corpus.jsonl", "claims_train.jsonl", "claims_dev.jsonl",
                          "claims_test.jsonl")
            ),
        ),
    ],
    "wanli": [
        RemoteFile(f"{_WANLI_HF}/train.jsonl", "train.jsonl", None),
        RemoteFile(f"{_WANLI_HF}/test.jsonl", "test.jsonl", None),
        RemoteFile(
            _github(*_WANLI_GH, "data/wanli/train_sample.jsonl"), "train_sample.jsonl",
            "53f206422f99f9d8bd58438e0e7a6be0769651b19780de9d731d0df49b1d746f",
        ),
        RemoteFile(
            _github(*_WANLI_GH, "data/wanli/README.md"), "README.md",
            "7894258b94292d6902c2bbc556a8f9ebdc86995d66472b53505e30312825cace",
        ),
    ],
    # FACTIFY 1.0 is password-protected: see MANUAL below.
    "factify": [],
    # The official ropes-train-dev-v1.0 files (question counts match the paper). The AllenAI
    # tarball (ropes-dataset S3, train_and_dev/ropes-train-dev-v1.0.tar.gz) has no published
    # digest, so the byte-verified GitHub copy is used.
    "ropes": [
        RemoteFile(
            _github(*_ROPES, "data/ropes/train-v1.0.json"), "train-v1.0.json",
            "7b6e907c152da8376e33d206e0d219b5619685aeb8a7c3cff26cd15bbf1cb3df",
        ),
        RemoteFile(
            _github(*_ROPES, "data/ropes/dev-v1.0.json"), "dev-v1.0.json",
            "8f4566fc07769ecf2fa8c21927a1b63281cff562393a1ad674a31beee3f29665",
        ),
    ],
    # The official Stanford files. The digests are those of huggingface/datasets (coqa
    # urls_checksums.txt of 2020 and dataset_infos.json, identical), recorded for the same
    # files under nlp.stanford.edu/data/coqa/.
    "coqa": [
        RemoteFile(
            "https://downloads.cs.stanford.edu/nlp/data/coqa/coqa-train-v1.0.json",
            "coqa-train-v1.0.json",
            "b0fdb2bc1bd38dd3ca2ce5fa2ac3e02c6288ac914f241ac409a655ffb6619fa6",
        ),
        RemoteFile(
            "https://downloads.cs.stanford.edu/nlp/data/coqa/coqa-dev-v1.0.json",
            "coqa-dev-v1.0.json",
            "dfa367a9733ce53222918d0231d9b3bedc2b8ee831a2845f62dfc70701f2540a",
        ),
    ],
    # The full V1.1 release (the authors' get_data.sh unzips `QAConv*1.zip` of a clone). The
    # commit is the one another project pins for this raw URL; the member folder QAConv-V1.1/
    # matches get_data.sh. article_full.json is not needed and is not extracted. The QA files
    # should equal shared/data's (extracted from the older data-v1.1-released-on-13-Mar-2022.zip),
    # which could not be checked: no digest.
    "qaconv": [
        RemoteFile(
            _github(*_QACONV, "dataset/QAConv-V1.1.zip"), "QAConv-V1.1.zip", None,
            unpack="zip",
            members=tuple(
                (f"QAConv-V1.1/{f}", f"QAConv-V1.1/{f}")
                for f in ("article_segment.json", "trn.json", "val.json", "tst.json")
            ),
        ),
    ],
    # 278 story/question CSV pairs plus README and LICENSE: one GitHub archive of the commit is
    # one request instead of ~560, at the cost of trust-on-first-use (GitHub builds archives on
    # the fly and publishes no digest). The loader's row counts (8,548 / 1,025 / 1,007 QA
    # pairs, SOURCES.md) still check the content.
    "fairytaleqa": [
        RemoteFile(
            f"https://github.com/{_FTQA[0]}/archive/{_FTQA[1]}.zip",
            f"FairytaleQA_Dataset-{_FTQA[1][:7]}.zip",
            None,
            unpack="zip",
            members=(
                (f"{_FTQA_ROOT}README.md", "README.md"),
                (f"{_FTQA_ROOT}LICENSE", "LICENSE"),
                (f"{_FTQA_ROOT}{_FTQA_TRAIN}", _FTQA_TRAIN),
            ),
        ),
    ],
}

# Datasets that cannot be downloaded: the files a user must put in place, and how to get them.
MANUAL: dict[str, tuple[tuple[str, ...], str]] = {
    "factify": (
        ("public_folder/train.csv", "public_folder/val.csv"),
        "FACTIFY 1.0 is password-protected and cannot be downloaded automatically: get the zip "
        "that the authors' get_data.sh (DhananjayAshok/LittleHumanData) downloads from "
        "https://drive.google.com/file/d/1-0gPvIeSRhFAo7jBx3JU5_L6kWOml90m, email "
        "defactifyaaai@gmail.com for its password, and unzip it into {folder} so that "
        "{folder}/public_folder/train.csv and val.csv exist",
    ),
}
