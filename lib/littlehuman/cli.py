"""The command line (``python run_all.py`` or ``littlehuman``): a thin layer over lib/.

Every LittleHumanError, and every OSError (disk full, read-only, no permission...), is printed
as one line on stderr that says what to do, with exit status 2.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Sequence

from littlehuman import config
from littlehuman.errors import LittleHumanError
from littlehuman.report import PLOTLYJS_MODES

EPILOG = """examples:
  python run_all.py --list-datasets --data-dir /path/to/raw  # the raw releases, a folder each
  python run_all.py --dataset fever --profile smoke --data-dir /path/to/raw
  LITTLEHUMAN_DATA_DIR=/path/to/raw python run_all.py --dataset fever  # the same, set once
  python run_all.py --dataset all                      # the cpu profile on every dataset found
  python run_all.py --dataset coqa                     # downloads CoQA's release files first
  python run_all.py --dataset my_data.csv --skip-bad-rows
  python run_all.py --dataset my_folder/               # train.csv + test.csv (+ valid.csv)
  python run_all.py --dataset train=a.csv,test=b.jsonl # the same, naming each file
  python run_all.py --dataset fever --synthetic twins.jsonl  # your own synthetic rows: no generation
  python run_all.py --fetch ropes                      # download the original release files
  python run_all.py advise my_data.csv --synthetic my_twins.jsonl --price-human 0.5 \\
      --price-synthetic 0.002 --budget 1000            # only the advisor: what to buy next
  python run_all.py --dataset all --profile paper --plan   # runs, tokens and GPU-hours of the grid
  python run_all.py --dataset fever --profile paper --executor slurm --slurm-partition gpu
"""
PROFILE_NOTE = """\
each flag below overrides the chosen --profile's value; the brackets give each profile's
value; lists are comma-separated (e.g. --seeds 0,1,2)"""


#: the program's name in --help and its lines when it is not run from a shell (a test's
#: ``main(argv)``): the script in the checkout
PROG = "run_all.py"


def invoked_as(argv0: str | None = None) -> str:
    """The program's name as it was started (``sys.argv[0]``, as argparse names it):
    ``run_all.py``, the console script ``littlehuman``, or ``python -m littlehuman.cli``."""
    name = os.path.basename(sys.argv[0] if argv0 is None else argv0)
    if name in ("cli.py", "__main__.py"):
        return "python -m littlehuman.cli"
    return name if name and not name.startswith("-") else PROG


def typed(prog: str) -> str:
    """What a user types to run ``prog``: ``python run_all.py`` for the script, else the
    name itself (``littlehuman``)."""
    return f"python {prog}" if prog.endswith(".py") else prog


def examples(prog: str = PROG) -> str:
    """The epilog's examples, run as ``prog`` types it, their comments in the epilog's column
    (that of the continued advise line's) where the command leaves room."""
    command = typed(prog)
    if command == typed(PROG):
        return EPILOG
    column = max(line.index("  # ") for line in EPILOG.splitlines() if line.startswith("      --"))
    lines = []
    for line in EPILOG.splitlines(keepends=True):
        code, mark, comment = line.partition(" # ")
        if typed(PROG) in code:
            code = code.replace(typed(PROG), command).rstrip()
            line = f"{code.ljust(column + 1)} # {comment}" if mark else code + "\n"
        lines.append(line)
    return "".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # a bad flag: one line, exit 2
        raise LittleHumanError(f"{message} (see {typed(self.prog)} --help)")


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The parser, named ``prog`` in its usage, examples and error lines (:func:`invoked_as`)."""
    p = _Parser(
        prog=prog,
        allow_abbrev=False,  # --budg is no flag: a typo must not pass for --budget
        description="Rerun 'A Little Human Data Goes A Long Way' on a dataset: generate synthetic "
        "twins, run the replacement sweep, and render the notebooks to HTML under outputs/.",
        epilog=examples(prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_argument_group("what to do")
    what.add_argument("--dataset", metavar="NAME|all|FILE|DIR",
                      help="a dataset name (see --list-datasets; its raw files are downloaded "
                      "on first use), 'all' (every dataset whose raw files are found), the path "
                      "of your own CSV/JSONL/parquet file, a folder holding train.* and test.* "
                      "(and optionally valid.*), train=FILE,test=FILE[,valid=FILE], or a "
                      "Hugging Face dataset's save_to_disk folder")
    what.add_argument("--list-datasets", action="store_true",
                      help="print a table of every dataset found (task, rows per split, label "
                      "balance, median words of context and target) and exit")
    what.add_argument("--fetch", metavar="NAME|all",
                      help="download the original release files of a dataset into data/raw/ "
                      "(or --data-dir), verifying sha256 checksums, and exit")
    what.add_argument("--no-fetch", action="store_true",
                      help="with --dataset NAME: do not download missing raw files; stop with "
                      "an error that says how to get them")
    where = p.add_argument_group("where")
    where.add_argument("--data-dir", metavar="DIR",
                       help="the folder holding the datasets' raw release files, one "
                       "subfolder per dataset (docs/datasets.md); default: "
                       "$LITTLEHUMAN_DATA_DIR, else data/raw")
    where.add_argument("--output", metavar="DIR",
                       help="folder for the reports and index.html (default: outputs/ beside "
                       "data/, in $LITTLEHUMAN_HOME when set); caches stay in data/")
    run = p.add_argument_group("how to run")
    run.add_argument("--profile", default="cpu", choices=sorted(config.PROFILES),
                     help="smoke (CI, minutes), cpu (default: real but small, 2 cores), "
                     "paper (published settings: GPU + API key)")
    run.add_argument("--notebooks", default="01,02,03,04,05,06", metavar="LIST",
                     help="which notebooks to execute, by number (default: all six; 01 "
                     "alone: the twins, nothing trained; 02 and 05 train the sweep, 03 adds "
                     "the zoom runs, 04 and 06 the trade-off runs; 06 alone: the advisor "
                     "without the sweep, as `advise` runs it)")
    run.add_argument("--no-html", action="store_true", help="execute notebooks but skip HTML")
    run.add_argument("--plotlyjs", default="inline", choices=PLOTLYJS_MODES,
                     help="inline (default): every HTML report and executed notebook carries "
                     "plotly.js (~4.8 MB) and opens anywhere on its own; shared: one copy beside "
                     "index.html that they load by relative path (~0.3 MB a report, ~0.1 MB a "
                     "notebook, still offline; keep the folder together)")
    run.add_argument("--force-notebooks", action="store_true",
                     help="re-execute every notebook even when nothing it shows has changed "
                     "(by default a report whose inputs are unchanged is kept)")
    run.add_argument("--dry-run", action="store_true",
                     help="print, per dataset, the generation requests, estimated tokens and "
                     "dollars (chat and Batch API prices), then stop before anything is sent; "
                     "with --notebooks, only the twins those notebooks' experiments need")
    run.add_argument("--plan", action="store_true",
                     help="print the grid's runs, training tokens and estimated GPU-hours "
                     "(at a measured tokens/s, beside the authors' configuration) and exit; "
                     "with --notebooks (or advise), only the experiments those notebooks run")
    run.add_argument("--plan-tokens-per-s", type=float, default=None, metavar="RATE",
                     help="the training rate --plan assumes for every dataset (default: per "
                     "dataset, from its rows' length and --batch-size, on lines through rates "
                     "measured on an H200, LoRA bf16 on Llama-3.1-8B's architecture; "
                     "bench/gpu_check.py measures yours)")
    run.add_argument("--plan-measure", action="store_true",
                     help="with --plan and the encoder learner: time the encoder on this "
                     "machine (one epoch on a sample of each dataset's train rows, and a "
                     "prediction of its test rows, a few seconds a dataset) and give CPU-hours "
                     "for training and for predicting the test rows, instead of GPU rates")
    own = p.add_argument_group("your own dataset (--dataset FILE|DIR|train=FILE,test=FILE)")
    own.add_argument("--task", choices=["fv", "qa"], help="fv or qa (inferred from the columns)")
    own.add_argument("--columns", metavar="THEIRS=OURS,...",
                     help="map your column names to ours, e.g. evidence=context,statement=claim")
    own.add_argument("--skip-bad-rows", action="store_true",
                     help="drop (and count) rows that fail validation instead of stopping")
    helps = config.field_help()
    for i, (section, names) in enumerate(config.field_sections().items()):
        group = p.add_argument_group(f"profile: {section}", PROFILE_NOTE if i == 0 else None)
        for name in names:
            group.add_argument(f"--{name.replace('_', '-')}", dest=f"set_{name}", default=None,
                               metavar=config.field_metavar(name), help=helps[name])
    # the usage argparse makes lists the flags alone: the one command, advise, goes below it
    flags = p.format_usage().removeprefix("usage: ").rstrip("\n")
    advise = textwrap.fill(ADVISE_USAGE.removeprefix(f"usage: {typed(PROG)} "), width=78,
                           initial_indent=" " * 7 + prog + " ",
                           subsequent_indent=" " * (8 + len(prog)),
                           break_on_hyphens=False, break_long_words=False)
    p.usage = f"{flags}\n{advise}".replace("%", "%%")
    return p


def parse_columns(text: str | None) -> dict[str, str] | None:
    """``--columns THEIRS=OURS,...`` as {their column: ours}; None when not given."""
    if not text:
        return None
    out = {}
    for item in text.split(","):
        if "=" not in item:
            raise LittleHumanError(f"bad --columns item {item!r}: use THEIRS=OURS, e.g. evidence=context")
        theirs, ours = (x.strip() for x in item.split("=", 1))
        out[theirs] = ours
    return out


def parse_notebooks(text: str) -> list[str]:
    """``--notebooks 01,3`` -> ["01", "03"] (a number given twice counts once: ``01,1`` had
    run notebook 01 twice at once); unknown or no numbers are a LittleHumanError."""
    from littlehuman.report import NOTEBOOKS

    chosen = list(dict.fromkeys(n.strip().zfill(2) for n in text.split(",") if n.strip()))
    unknown = [n for n in chosen if n not in NOTEBOOKS]
    if not chosen or unknown:
        raise LittleHumanError(f"bad --notebooks {text!r}: give numbers from "
                               f"{', '.join(NOTEBOOKS)}, comma-separated, e.g. 01,02")
    return chosen


_OS_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space on it, or write elsewhere (--output DIR "
                  "for the reports, LITTLEHUMAN_HOME for the caches too)",
    errno.EROFS: "that file system is read-only: choose another --output folder for the "
                 "reports (LITTLEHUMAN_HOME moves the caches too)",
    errno.EACCES: "no permission to write there: fix the folder's permissions, or choose "
                  "another --output folder (LITTLEHUMAN_HOME moves the caches too)",
}
_OS_ADVICE[errno.EDQUOT] = _OS_ADVICE[errno.ENOSPC]
_OS_ADVICE[errno.EPERM] = _OS_ADVICE[errno.EACCES]


def os_error_message(exc: OSError) -> str:
    """One line for an OSError: what failed, on which path, and what to do."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename else ""
    advice = _OS_ADVICE.get(exc.errno or 0, "check that path and rerun")
    return " ".join(f"{what}{where}: {advice}".split())


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (``run_all.py --plan | head``): poll
    reports an error on such a pipe. If so, stdout is pointed at the null device, so that
    Python's flush at exit does not fail on it a second time."""
    import select

    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        gone = any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no fileno (a test's stdout), no poll
        return False
    if gone:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
        except OSError:
            pass
    return gone


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a scheduler's preemption), handled as Ctrl-C is."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """``run_all.py``'s entry point: the exit code. Bad input and OS errors print one line and
    give 2; Ctrl-C 130 and SIGTERM 143, each saying the rerun resumes; never a traceback for
    what the user can fix."""
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return _main(argv)
    except LittleHumanError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError as e:
        if _stdout_closed():  # `run_all.py --plan | head`: the reader left, nothing to say
            return 128 + 13  # as a command killed by SIGPIPE
        print(f"error: {os_error_message(e)}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {os_error_message(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        word, code = ("terminated", 143) if isinstance(e, Terminated) else ("interrupted", 130)
        print(f"{word}: finished steps are cached; rerun the same command to resume",
              file=sys.stderr)
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


ADVISE_USAGE = ("usage: python run_all.py advise FILE|NAME [--synthetic FILE] [--price-human P "
                "--price-synthetic Q [--budget B]] [other flags]")


def advise_usage(prog: str = PROG) -> str:
    """:data:`ADVISE_USAGE`, run as ``prog`` types it (:func:`typed`)."""
    return ADVISE_USAGE.replace(typed(PROG), typed(prog), 1)


def advise_help(prog: str = PROG) -> str:
    """What ``advise --help`` prints above the flags it shares with a plain run."""
    return ("advise: how much human data to buy. Runs only what the advice needs (the "
            "trade-off's runs and notebook 06, no sweep) and prints where the advice is.\n"
            f"{advise_usage(prog)}\nThe other flags are {prog}'s own, listed below.\n")


def advise_argv(argv: Sequence[str], prog: str = PROG) -> list[str]:
    """``advise DATASET [flags]`` -> the flags that run only what the advice needs: the
    trade-off's runs and notebook 06 (the advisor), without the sweep. ``advise --help``:
    ``["--help"]`` (the parser's help, after :func:`advise_help`)."""
    rest = list(argv[1:])
    usage = advise_usage(prog)
    if rest[:1] in (["-h"], ["--help"]):
        print(advise_help(prog))
        return ["--help"]
    if not rest or rest[0].startswith("-"):
        raise LittleHumanError(f"advise needs a dataset first: {usage}")
    if any(a.split("=", 1)[0] in ("--notebooks", "--dataset") for a in rest):
        raise LittleHumanError(f"advise sets --dataset and --notebooks itself: {usage}")
    return ["--dataset", rest[0], "--notebooks", "06", *rest[1:]]


#: the settings that name a file, folder, server or model: an empty value is a mistake
NOT_EMPTY = ("synthetic", "prices", "base_url", "model_dir", "gen_model_dir", "gen_model")


def _main(argv: Sequence[str] | None) -> int:
    # named as started from a shell (`littlehuman --help`); a caller's argv: the script
    prog = invoked_as() if argv is None else PROG
    argv = list(sys.argv[1:] if argv is None else argv)
    advising = argv[:1] == ["advise"]
    if advising:
        argv = advise_argv(argv, prog)
    elif argv and not argv[0].startswith("-"):  # 'advice', 'run': no such command
        raise LittleHumanError(f"unknown command {argv[0]!r}: the one command is advise "
                               f"({advise_usage(prog).removeprefix('usage: ')}); everything "
                               f"else is a flag (see {typed(prog)} --help)")
    try:
        args = build_parser(prog).parse_args(argv)
    except LittleHumanError as exc:  # `--profile smoke advise FILE`: say where advise goes
        extra = str(exc).partition("unrecognized arguments: ")[2].split(" (see ")[0].split()
        if extra[:1] == ["advise"] and not advising:
            raise LittleHumanError(f"advise comes first, before its flags: "
                                   f"{advise_usage(prog).removeprefix('usage: ')}") from None
        raise
    overrides = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    empty = [k for k in NOT_EMPTY if isinstance(overrides.get(k), str) and not overrides[k].strip()]
    if empty:  # "" had been dropped: --base-url "" sent to api.openai.com, --synthetic "" paid
        flag = "--" + empty[0].replace("_", "-")
        raise LittleHumanError(f"{flag} is empty: give it a value, or leave the flag out for "
                               "the profile's")
    if overrides.get("synthetic"):
        overrides["synthetic"] = own_synthetic(overrides["synthetic"], args.dataset)
    prof = config.profile(args.profile, **overrides)  # validates every override first
    config.check_chosen(prof, overrides)
    if prof.prices:
        own_prices(prof.prices)
    if "train_layers" in overrides:  # the encoder's layers, from its config.json: no torch
        from littlehuman.learners import train_layers_problem

        problem = train_layers_problem(prof.train_layers)
        if problem:
            raise LittleHumanError(problem)
    check_modes(args)
    if not args.fetch:  # --fetch downloads into --data-dir, and makes it
        check_data_dir(args.data_dir, args.dataset)
    prof, fitted = config.fit_to_machine(prof, chosen=overrides)
    if args.list_datasets:
        from littlehuman.data.summary import print_table

        print_table(args.data_dir, seed=prof.data_seed)
        return 0
    if args.fetch:
        from littlehuman.data import registry, sources
        from littlehuman.data.fetch import fetch_report

        fetch_all = args.fetch.strip().lower() == "all"  # 'ALL' as ' ROPES' is read
        targets = registry.names() if fetch_all else [args.fetch]
        for name in targets:
            if str(name).strip().lower() not in registry.names():
                raise LittleHumanError(
                    f"--fetch: unknown dataset {name!r}: choose one of "
                    f"{', '.join(registry.names())}, or all (your own files need no fetch)")
        for name in targets:
            try:
                done = fetch_report(name, data_dir=args.data_dir)
            except LittleHumanError as e:
                if not fetch_all or name not in sources.MANUAL:
                    raise
                print(f"warning: {name} is not downloaded: {e}", file=sys.stderr, flush=True)
                continue  # 'all': FACTIFY's password must not stop the others
            print(done.summary(), flush=True)
        return 0
    if not args.dataset:
        raise LittleHumanError("nothing to do: give --dataset NAME|all|FILE|DIR, --list-datasets or "
                               "--fetch NAME (see --help)")
    notebooks = parse_notebooks(args.notebooks)
    from littlehuman import report

    custom = {"task": args.task, "columns": parse_columns(args.columns),
              "skip_bad_rows": args.skip_bad_rows}
    dataset, tasks = own_dataset(args.dataset, custom, prof.data_seed, check=not args.plan,
                                 record=not (args.plan or args.dry_run), overrides=overrides,
                                 data_dir=args.data_dir, only_found=not args.plan)
    config.check_task_settings(overrides, tasks)
    if fitted:  # after the checks of the dataset: an error is the only line
        print(f"note: {fitted}", flush=True)
    if args.plan:
        from littlehuman.plan import format_plan, plan

        datasets = report.resolve_datasets(dataset, args.data_dir, required=False)
        print(format_plan(plan(datasets, prof, args.data_dir,
                               tokens_per_s=args.plan_tokens_per_s, notebooks=notebooks,
                               custom=custom, measure=args.plan_measure)))
        return 0
    if not args.dry_run:
        from littlehuman import paths

        report.check_writable(Path(args.output).expanduser().resolve() if args.output
                              else paths.outputs_dir())  # before any download
        if prof.executor == "slurm":  # before any twin is generated (and paid for)
            from littlehuman.executors import SlurmExecutor

            SlurmExecutor.check_cluster()
        elif prof.learner == "lora" and prof.liger:  # (a cluster's nodes are checked there)
            from littlehuman.learners.lora import liger_problem

            problem = liger_problem()
            if problem:
                raise LittleHumanError(problem)
        from littlehuman import experiments

        if prof.learner == "lora" and experiments.for_notebooks(notebooks):  # before any twin
            from littlehuman.learners import lora_model_problem  # is paid for (05 trains too)

            problem = lora_model_problem(prof.model_dir)
            if problem:
                raise LittleHumanError(problem)
    if not args.no_fetch:
        fetch_on_first_use(dataset, args.data_dir)
    if args.dry_run:
        report.dry_run(dataset, prof, data_dir=args.data_dir, custom=custom, notebooks=notebooks)
        return 0
    report.run_all(dataset, prof, data_dir=args.data_dir, custom=custom,
                   notebooks=notebooks, html=not args.no_html, output_dir=args.output,
                   force_notebooks=args.force_notebooks, plotlyjs=args.plotlyjs)
    return 0


def check_modes(args: argparse.Namespace) -> None:
    """One thing to do per call, and no flag that it would ignore: a LittleHumanError (one
    line) for --fetch or --list-datasets beside another of them or --dataset, --plan with
    --dry-run, --plan-tokens-per-s or --plan-measure without --plan, or a user's own file's options (--task,
    --columns, --skip-bad-rows) with a registered dataset or 'all'."""
    from littlehuman.data import custom

    alone = [f for f, on in (("--list-datasets", args.list_datasets), ("--fetch", args.fetch),
                             ("--dataset", args.dataset)) if on]
    if len(alone) > 1:
        raise LittleHumanError(f"{' and '.join(alone)} are two things to do: give one per "
                               "call (--fetch and --list-datasets each exit when done)")
    if args.plan and args.dry_run:
        raise LittleHumanError("--plan and --dry-run are two things to do: --plan prints the "
                               "training grid, --dry-run the generation requests; give one")
    if args.plan_tokens_per_s is not None and not args.plan:
        raise LittleHumanError("--plan-tokens-per-s is the rate --plan assumes: add --plan, or "
                               "leave it out")
    if args.plan_measure and not args.plan:
        raise LittleHumanError("--plan-measure times the learner for --plan: add --plan, or "
                               "leave it out")
    own = [f for f, on in (("--task", args.task), ("--columns", args.columns),
                           ("--skip-bad-rows", args.skip_bad_rows)) if on]
    dataset = (args.dataset or "").strip()
    if own and (not dataset or dataset.lower() == "all" or not custom.is_custom_path(dataset)):
        raise LittleHumanError(f"{', '.join(own)}: for your own dataset file only, and "
                               f"--dataset {dataset or '(none)'} is none: give --dataset "
                               "FILE|DIR|train=FILE,test=FILE, or leave them out")


def check_data_dir(data_dir: str | None, dataset: str | None) -> None:
    """``--data-dir DIR`` that is no folder: one line (a LittleHumanError) before anything
    runs, whatever is asked but ``--fetch`` (which downloads into it): with your own dataset
    file it is not read, and had been accepted in silence; with --list-datasets and --plan it
    had listed every dataset as not found."""
    from littlehuman import paths
    from littlehuman.data import custom

    if data_dir is None:
        return
    folder = Path(data_dir).expanduser().resolve()
    if folder.is_dir():
        return
    if dataset and dataset.strip().lower() != "all" and custom.is_custom_path(dataset):
        raise LittleHumanError(f"data directory {folder} (from --data-dir) does not exist, and "
                               f"your own dataset {dataset} reads nothing from it: leave "
                               "--data-dir out, or give a folder that exists")
    paths.raw_data_dir(data_dir)  # its one line: where the raw releases go


def fetch_on_first_use(dataset: str, data_dir: str | None) -> None:
    """``--dataset NAME``: download the dataset's missing raw files (``fetch.ensure``) before
    anything runs. 'all' and a user's own files download nothing."""
    from littlehuman.data import custom, fetch

    if dataset == "all" or custom.is_custom_path(dataset):
        return
    fetch.ensure(dataset, data_dir, say=lambda line: print(line, flush=True))


def own_synthetic(path: str, dataset: str | None) -> str:
    """``--synthetic FILE``: the file's absolute path (the notebooks run in notebooks/), after
    checking that it exists and is a data file, and that one dataset is named (its rows are
    matched to that dataset's: ``data.synthetic_file``)."""
    from littlehuman.data import synthetic_file

    if dataset is not None and dataset.strip().lower() == "all":
        raise LittleHumanError("--synthetic FILE holds the synthetic rows of one dataset: give "
                               "--dataset NAME|FILE, not all")
    return str(synthetic_file.checked(path))


def own_prices(path: str) -> None:
    """``--prices FILE``: read now as notebook 01 reads it later (``cost.load_prices``, the
    same rules, the same one line), before anything runs: a missing or malformed file had
    stopped notebook 01 only after the twins were generated (and, by an API, paid for) and
    the sweep trained."""
    from littlehuman.generation.cost import load_prices

    try:
        load_prices(Path(path).expanduser())
    except LittleHumanError as exc:
        raise LittleHumanError(f"--prices: {exc}") from None


def own_dataset(dataset: str, options: dict, seed: int, check: bool = True,
                record: bool = True, overrides: dict | None = None,
                data_dir: str | None = None, only_found: bool = False) -> tuple[str, set[str]]:
    """``dataset`` as the notebooks take it, and the tasks ("fv", "qa") it holds. A user's
    own dataset (file, folder or train=...,test=...) is read and validated once here, with one
    line of what was read, the run store guarded against changed rows
    (``custom.check_identity`` when ``check``; the rows' fingerprint is recorded when
    ``record``), and its spec returned with absolute paths (the notebooks run in notebooks/).
    ``overrides`` (the flags given) are checked against the file's task before anything is
    recorded. A registered name (an unknown one: a one-line LittleHumanError) or 'all' is
    returned as given; with ``only_found``, 'all' holds the tasks of the datasets whose raw
    files are found under ``data_dir``, the ones that run (else of every registered one, as
    a plan prices them all)."""
    from littlehuman import data
    from littlehuman.data import custom

    if dataset == "all":
        from littlehuman.report import found_datasets

        names = found_datasets(data_dir)[0] if only_found else data.names()
        return dataset, {data.get(name).task for name in names or data.names()}
    if not custom.is_custom_path(dataset):
        return dataset, {data.get(dataset).task}
    dataset = custom.absolute_spec(dataset)
    rows, found = custom.load_custom(dataset, seed=seed, **custom.load_options(dataset, options))
    print(found.describe(), flush=True)
    config.check_task_settings(overrides or {}, {found.task})  # before anything is written
    if check:
        custom.check_identity(rows, found, record=record)
    return dataset, {found.task}


if __name__ == "__main__":
    sys.exit(main())
