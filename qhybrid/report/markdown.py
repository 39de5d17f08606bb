"""Markdown tables of experiment results and data summaries, for ``report.md`` and the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_CLASS_COLUMNS = 10
"""Data summaries with more classes than this show the smallest and largest class instead of one
column per class, so the table stays readable."""


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right_aligned: Sequence[bool]) -> str:
    """Format a GitHub-flavoured markdown table.

    Args:
        headers: Column titles.
        rows: Cell values, one sequence per row with one value per column. Values are
            converted with ``str``, and ``|`` is escaped.
        right_aligned: Per column, whether the column is right-aligned (numbers).

    Returns:
        The table, one line per row, without a trailing newline.

    Raises:
        ValueError: If a row or ``right_aligned`` has a different length than ``headers``.
    """
    if len(right_aligned) != len(headers):
        raise ValueError(
            f"right_aligned has {len(right_aligned)} entries but there are {len(headers)} columns; "
            "pass one entry per column."
        )
    for position, row in enumerate(rows):
        if len(row) != len(headers):
            raise ValueError(
                f"row {position} has {len(row)} cells but there are {len(headers)} columns; "
                "pass one value per column."
            )

    cells = [[_escape(value) for value in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    separator = ["-" * (width - 1) + ":" if right else "-" * width for width, right in zip(widths, right_aligned)]
    lines = [_format_row(cells[0], widths, right_aligned), "| " + " | ".join(separator) + " |"]
    lines.extend(_format_row(row, widths, right_aligned) for row in cells[1:])
    return "\n".join(lines)


def results_table(results: Sequence[Mapping[str, Any]]) -> str:
    """Format the per-head results of an experiment as a markdown table.

    Args:
        results: Entries of ``metrics.json``'s ``results``, each with ``head``, ``backend``,
            ``shots``, ``n_parameters``, ``test_accuracy``, ``test_macro_f1`` and ``train_seconds``.

    Returns:
        A table with the columns head, backend, params, test acc, macro-F1 and train s.
    """
    headers = ["head", "backend", "params", "test acc", "macro-F1", "train s"]
    rows = [
        [
            entry["head"],
            _backend_cell(entry["backend"], entry.get("shots")),
            entry["n_parameters"],
            f"{entry['test_accuracy']:.3f}",
            f"{entry['test_macro_f1']:.3f}",
            f"{entry['train_seconds']:.1f}",
        ]
        for entry in results
    ]
    return markdown_table(headers, rows, right_aligned=[False, False, True, True, True, True])


def data_summary_table(summary: Mapping[str, Any]) -> str:
    """Format split sizes and class counts as a markdown table.

    Args:
        summary: The dict of :meth:`qhybrid.data.DataSplits.summary`.

    Returns:
        One row per split. Up to :data:`MAX_CLASS_COLUMNS` classes get a column each, with
        the label in the title. More classes are summarized by the count of classes present
        and the smallest and largest class counts.
    """
    labels = list(summary["labels"])
    splits = summary["splits"]
    if len(labels) <= MAX_CLASS_COLUMNS:
        headers = ["split", "rows", *[f"class {label}" for label in labels]]
        rows = [[name, split["size"], *split["class_counts"].values()] for name, split in splits.items()]
    else:
        headers = ["split", "rows", "classes present", "smallest class", "largest class"]
        rows = [[name, split["size"], *_count_range(split["class_counts"])] for name, split in splits.items()]
    return markdown_table(headers, rows, right_aligned=[False] + [True] * (len(headers) - 1))


def _backend_cell(backend: str, shots: int | None) -> str:
    return backend if shots is None else f"{backend}, {shots} shots"


def _count_range(class_counts: Mapping[str, int]) -> list[int]:
    counts = list(class_counts.values())
    return [sum(1 for count in counts if count > 0), min(counts), max(counts)]


def _escape(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _format_row(cells: Sequence[str], widths: Sequence[int], right_aligned: Sequence[bool]) -> str:
    padded = [cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(cells, widths, right_aligned)]
    return "| " + " | ".join(padded) + " |"
