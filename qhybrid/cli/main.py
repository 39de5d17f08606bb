"""The ``qhybrid`` command: subcommands ``run``, ``bench`` and ``submit``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from qhybrid.exceptions import QHybridError

# Each module defines register(subparsers), which adds its parser and sets
# ``handler`` (a function taking the parsed args and returning an exit code).
SUBCOMMAND_MODULES = ("qhybrid.cli.run_command", "qhybrid.cli.bench_command", "qhybrid.cli.submit_command")


def build_parser() -> argparse.ArgumentParser:
    """Create the argument parser with every installed subcommand."""
    parser = argparse.ArgumentParser(
        prog="qhybrid",
        description="Hybrid classical-quantum heads on frozen BERT features.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("qiskit", "stevedore", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    try:
        return int(args.handler(args) or 0)
    except QHybridError as error:
        print(f"qhybrid {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"qhybrid {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
