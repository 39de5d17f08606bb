"""``qhybrid bench CONFIG``: compare quantum and classical heads over seeds, devices and datasets."""

from __future__ import annotations

import argparse

from qhybrid.cli.run_command import DEFAULT_THREADS, _positive_int, _set_hub_offline_for_local_model

DEFAULT_OUT_DIR = "runs"
"""Parent folder of bench folders when ``--out`` is not given."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bench`` subcommand to the ``qhybrid`` parser."""
    parser = subparsers.add_parser(
        "bench",
        help="compare quantum and classical heads over seeds, devices and datasets",
        description=(
            "Train every head of a bench TOML file on every device, dataset and seed, measure test "
            "accuracy, macro-F1, training time, inference latency and throughput, transpile quantum "
            "circuits to an IBM target for depth and estimated QPU time, test the quantum head against "
            "the parameter-matched classical head over seeds, and write results.json, report.md and "
            "PNG plots into OUT/<name>/, where name is set in the file. Rows that cannot run, such as "
            "CUDA rows without a GPU, are kept with a 'skipped: <reason>' status."
        ),
    )
    parser.add_argument("config", metavar="CONFIG", help="bench TOML file, such as experiments/bench_qnlp.toml")
    parser.add_argument(
        "--data-root",
        metavar="DIR",
        default=None,
        help="folder that relative data paths in the config are resolved against (default: QHYBRID_DATA_ROOT)",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        default=DEFAULT_OUT_DIR,
        help=f"parent folder of the results folder OUT/<name>/ (default: ./{DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=None,
        help="feature cache folder (default: QHYBRID_CACHE_DIR, else ~/.cache/qhybrid/features)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=_positive_int,
        default=DEFAULT_THREADS,
        help=f"torch intra-op CPU threads for encoding, training and latency (default: {DEFAULT_THREADS})",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the bench that ``args.config`` names, print the verdicts and the folder; return 0."""
    # Imported here so that `qhybrid --help` does not wait for torch and PennyLane.
    from qhybrid.bench import load_bench_config

    config = load_bench_config(args.config)
    _set_hub_offline_for_local_model(config.datasets[0].experiment.encoder.model)

    import torch
    from tqdm.contrib.logging import logging_redirect_tqdm

    from qhybrid.bench import run_bench

    torch.set_num_threads(args.threads)
    with logging_redirect_tqdm():
        result = run_bench(
            config, args.data_root, args.out, progress=not args.no_progress, cache_dir=args.cache_dir
        )

    for comparison in result.comparisons:
        print(comparison.verdict())
    print(f"\nResults: {args.out}/{config.name} ({result.wall_seconds:.0f} s)")
    return 0
