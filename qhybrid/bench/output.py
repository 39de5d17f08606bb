"""The results folder of a bench, ``OUT/<name>/``: ``results.json``, ``report.md`` and the plots.

Every file is written atomically, so an interrupted bench leaves complete files.
"""

from __future__ import annotations

import logging
from pathlib import Path

from qhybrid.bench.plots import PLOTS
from qhybrid.bench.report import render_report
from qhybrid.bench.results import BenchResult
from qhybrid.io import write_bytes_atomic, write_json_atomic, write_text_atomic

logger = logging.getLogger(__name__)

RESULTS_JSON = "results.json"
REPORT_MD = "report.md"


def write_outputs(folder: Path, result: BenchResult, plots: bool) -> None:
    """Write ``results.json`` and ``report.md`` into ``folder``, and the plots if ``plots`` is true."""
    results = result.to_dict()
    write_json_atomic(folder / RESULTS_JSON, results)
    write_text_atomic(folder / REPORT_MD, render_report(results))
    if plots:
        for name, (_, draw) in PLOTS.items():
            write_bytes_atomic(folder / name, draw(results))
    logger.debug("Wrote the results of bench %s to %s", result.name, folder)
