"""``qhybrid run CONFIG``: train and test the heads of an experiment file and write a results folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_OUT_DIR = "runs"
"""Parent folder of run folders when ``--out`` is not given."""

DEFAULT_THREADS = 1
"""Default of ``--threads``. Heads see batches of about 32 x 384 values, too small for
intra-op threads to pay for their synchronization. In one measurement on a 2-core machine
shared with other jobs, one thread trained the sentiment_yelp quantum head 2.7 times faster
than two threads, and encoded its 1000 texts 2.5 times faster."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand to the ``qhybrid`` parser."""
    parser = subparsers.add_parser(
        "run",
        help="train and test the heads of an experiment file",
        description=(
            "Train and test every head of an experiment TOML file on frozen encoder features, "
            "and write config, metrics, a markdown report, training histories, checkpoints and "
            "the test features into OUT/<name>/, where name is set in the file."
        ),
    )
    parser.add_argument("config", metavar="CONFIG", help="experiment TOML file, such as experiments/lambeq_mc.toml")
    parser.add_argument(
        "--data-root",
        metavar="DIR",
        default=None,
        help=(
            "folder that relative data paths in the config are resolved against "
            "(default: the environment variable QHYBRID_DATA_ROOT)"
        ),
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT_DIR,
        help=f"parent folder of the run folder OUT/<name>/ (default: ./{DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=None,
        help=(
            "feature cache folder; a second run on the same texts and encoder reads features from it "
            "without loading the encoder (default: QHYBRID_CACHE_DIR, else ~/.cache/qhybrid/features)"
        ),
    )
    parser.add_argument(
        "--heads",
        metavar="NAME",
        nargs="+",
        default=None,
        help="train only the heads with these names (default: every head in the config)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=_positive_int,
        default=DEFAULT_THREADS,
        help=f"number of torch intra-op CPU threads for encoding and training (default: {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bars of feature extraction and training epochs"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the experiment that ``args.config`` names, print the results table and the folder; return 0."""
    # Imported here so that `qhybrid --help` does not wait for torch and PennyLane.
    from qhybrid.experiment import load_experiment_config

    config = load_experiment_config(args.config)
    _set_hub_offline_for_local_model(config.encoder.model)
    if args.no_progress:
        # Hides the weight-loading bar of transformers, which reads this variable at import.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    import torch
    from tqdm.contrib.logging import logging_redirect_tqdm

    from qhybrid.experiment import run_experiment
    from qhybrid.report import results_table

    torch.set_num_threads(args.threads)
    with logging_redirect_tqdm():
        result = run_experiment(
            config,
            args.data_root,
            args.out,
            progress=not args.no_progress,
            config_path=args.config,
            cache_dir=args.cache_dir,
            heads=args.heads,
        )

    print(results_table(result.metrics()["results"]))
    print(f"\nResults: {result.run_dir}")
    return 0


def _set_hub_offline_for_local_model(model: str) -> None:
    """Set HF_HUB_OFFLINE=1, unless the user set it, when the encoder is the shipped copy or a folder.

    A local checkpoint is loaded with local_files_only=True, so this only stops stray Hub
    requests. huggingface_hub reads the variable at import, so this runs before the import.
    """
    from qhybrid.features.pretrained import SHIPPED_MODEL_ALIASES

    if model in SHIPPED_MODEL_ALIASES or Path(model).expanduser().is_dir():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, but got {text!r}")
    return value
