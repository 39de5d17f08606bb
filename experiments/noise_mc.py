"""Run the noise and mitigation study of the lambeq MC quantum head.

    python experiments/noise_mc.py --data-root /path/to/datasets --output results/noise_mc

Writes head.pt, results.json, report.md, sweep_error.png and sweep_accuracy.png
into the output folder; see qhybrid.mitigation.study for what it measures.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qhybrid.exceptions import QHybridError  # noqa: E402
from qhybrid.mitigation.study import run_noise_study  # noqa: E402
from qhybrid.mitigation.study_config import load_noise_study_config  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=Path(__file__).with_name("noise_mc.toml"), help="study TOML file")
    parser.add_argument("--data-root", default=None, help="datasets folder (default: $QHYBRID_DATA_ROOT)")
    parser.add_argument("--output", default="results/noise_mc", help="output folder")
    parser.add_argument("--cache-dir", default=".qhybrid_cache/features", help="feature cache folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("qiskit", "stevedore", "qiskit_aer", "qiskit_ibm_runtime", "mthree"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    try:
        config = load_noise_study_config(args.config)
        results = run_noise_study(config, args.output, data_root=args.data_root, cache_dir=args.cache_dir, progress=True)
    except QHybridError as error:
        print(f"noise_mc: error: {error}", file=sys.stderr)
        return 2

    for record in results["device"]:
        print(f"{record['name']:>26}: expvals MAE {record['expvals_mae']:.4f}, accuracy {record['accuracy']:.3f}")
    acceptance = results["acceptance"]
    if acceptance is not None:
        print(f"acceptance ({acceptance['setting']}): ratio {acceptance['ratio']:.2f}, passed={acceptance['passed']}")
    print(f"report: {Path(args.output) / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
