"""Readers of labeled text files, one function per file format.

Every reader returns :class:`LabeledTexts` with texts stripped of surrounding whitespace
and skips blank lines. A malformed row, or an empty text or label, raises :class:`DataError`
with a message that starts with ``file:line``, the 1-based physical line where the record
starts. A file without rows raises DataError too, and a missing file raises
:class:`DataFileNotFoundError`. Files are read as UTF-8, and a leading byte order mark is dropped.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from qhybrid.data._parsing import (
    Column,
    check_column,
    check_file,
    check_not_empty,
    check_value,
    read_text,
    rows_to_labeled_texts,
)
from qhybrid.data.records import LabeledTexts
from qhybrid.exceptions import ConfigError, DataError

logger = logging.getLogger(__name__)

FILE_FORMATS = ("tsv", "csv", "jsonl", "lambeq")
"""Formats that :func:`read_labeled_file` reads."""

FORMAT_BY_EXTENSION = {".tsv": "tsv", ".txt": "tsv", ".csv": "csv", ".jsonl": "jsonl"}
"""Format inferred from a file extension when none is given. Lambeq ``.txt`` files need an explicit format."""


def read_tsv(
    path: str | os.PathLike[str],
    text_column: Column = 0,
    label_column: Column = 1,
    header: bool = False,
) -> LabeledTexts:
    """Read a tab-separated file such as the UCI sentiment files (``<sentence>\\t<label>``).

    Records end at ``"\\n"`` only (a trailing ``"\\r"`` is dropped), so characters such as
    U+0085 that :meth:`str.splitlines` treats as line breaks stay inside their sentence.
    Quotes have no meaning (``csv.QUOTE_NONE``), because imdb's sentences contain unbalanced ones.

    Args:
        path: The file.
        text_column: Index of the text column, or its name when ``header`` is True.
        label_column: Index of the label column, or its name when ``header`` is True.
        header: Whether the first non-blank line names the columns.

    Returns:
        The texts and labels.

    Raises:
        DataFileNotFoundError: If the file does not exist.
        DataError: If a column argument is invalid, a row does not have the same number of
            fields as the first row, a text or label is empty, or the file has no rows.

    Example:
        >>> data = read_tsv("uci_sentiment_labelled/yelp_labelled.txt")  # doctest: +SKIP
    """
    _check_tabular_arguments(text_column, label_column, header)
    file = check_file(path)
    rows = _tsv_rows(read_text(file))
    data = rows_to_labeled_texts(rows, file, text_column, label_column, header, "tab")
    logger.debug("Read %d rows from %s", len(data), file)
    return data


def read_csv(
    path: str | os.PathLike[str],
    text_column: Column = "text",
    label_column: Column = "category",
    header: bool = True,
) -> LabeledTexts:
    """Read a comma-separated file with :mod:`csv` (Excel dialect, strict quoting).

    Quoted fields may contain commas and line breaks, as in banking77. Error messages name
    the physical line on which the bad record starts.

    Args:
        path: The file.
        text_column: Name of the text column, or its index.
        label_column: Name of the label column, or its index.
        header: Whether the first non-blank record names the columns.

    Returns:
        The texts and labels.

    Raises:
        DataFileNotFoundError: If the file does not exist.
        DataError: If a column name is not in the header, in which case the message lists the
            columns. Also if the quoting is malformed, a record does not have the same number
            of fields as the first one, a text or label is empty, or the file has no data rows.

    Example:
        >>> data = read_csv("banking77/train.csv")  # doctest: +SKIP
    """
    _check_tabular_arguments(text_column, label_column, header)
    file = check_file(path)
    rows = _csv_rows(read_text(file), file)
    data = rows_to_labeled_texts(rows, file, text_column, label_column, header, "comma")
    logger.debug("Read %d rows from %s", len(data), file)
    return data


def read_jsonl(
    path: str | os.PathLike[str],
    text_field: str = "text",
    label_field: str = "label",
) -> LabeledTexts:
    """Read a JSON Lines file: one JSON object per line.

    Args:
        path: The file.
        text_field: Key of the text, whose value must be a string.
        label_field: Key of the label, whose value must be a string or an integer. Integers
            are converted with ``str``.

    Returns:
        The texts and labels.

    Raises:
        DataFileNotFoundError: If the file does not exist.
        DataError: If a line is not a JSON object, lacks a field, has a value of the wrong
            type or an empty text or label, or the file has no rows.
    """
    for name, value in (("text_field", text_field), ("label_field", label_field)):
        if not isinstance(value, str) or not value:
            raise DataError(f"{name} must be a non-empty string, but got {value!r}; pass the JSON key.")
    file = check_file(path)

    texts: list[str] = []
    labels: list[str] = []
    for line, content in _nonblank_lines(read_text(file)):
        record = _parse_json_object(file, line, content)
        texts.append(check_value(file, line, "text", _json_text(file, line, record, text_field)))
        labels.append(check_value(file, line, "label", _json_label(file, line, record, label_field)))
    data = check_not_empty(LabeledTexts(tuple(texts), tuple(labels), source=str(file)))
    logger.debug("Read %d rows from %s", len(data), file)
    return data


def read_lambeq(path: str | os.PathLike[str]) -> LabeledTexts:
    """Read a lambeq-style file with ``<label> <sentence>`` on each line (MC and RP datasets).

    The label is the first whitespace-separated token, so MC's two spaces after the label
    and RP's missing final newline both read correctly.

    Args:
        path: The file.

    Returns:
        The texts and labels.

    Raises:
        DataFileNotFoundError: If the file does not exist.
        DataError: If a line has a label but no sentence, or the file has no rows.
    """
    file = check_file(path)

    texts: list[str] = []
    labels: list[str] = []
    for line, content in _nonblank_lines(read_text(file)):
        parts = content.split(None, 1)
        if len(parts) < 2:
            raise DataError(
                f"{file}:{line}: expected '<label> <sentence>', but found only {content.strip()!r}; "
                "put the label, a space and the sentence on each line."
            )
        labels.append(parts[0])
        texts.append(parts[1].strip())
    data = check_not_empty(LabeledTexts(tuple(texts), tuple(labels), source=str(file)))
    logger.debug("Read %d rows from %s", len(data), file)
    return data


_READERS: dict[str, Callable[..., LabeledTexts]] = {
    "tsv": read_tsv,
    "csv": read_csv,
    "jsonl": read_jsonl,
    "lambeq": read_lambeq,
}

_OPTIONS = {
    "tsv": ("text_column", "label_column", "header"),
    "csv": ("text_column", "label_column", "header"),
    "jsonl": ("text_field", "label_field"),
    "lambeq": (),
}


def read_labeled_file(
    path: str | os.PathLike[str],
    format: str | None = None,
    **columns: Any,
) -> LabeledTexts:
    """Read a labeled text file with the reader for its format.

    Args:
        path: The file.
        format: One of :data:`FILE_FORMATS`. None infers it from the extension with
            :data:`FORMAT_BY_EXTENSION`, so ``.txt`` means tsv unless ``format="lambeq"``.
        **columns: Options passed to the reader: ``text_column``, ``label_column`` and
            ``header`` for tsv and csv, ``text_field`` and ``label_field`` for jsonl, none for lambeq.

    Returns:
        The texts and labels.

    Raises:
        DataError: If the format is unknown or cannot be inferred, or the reader rejects the file.
        ConfigError: If an option in ``columns`` does not apply to the format.
        DataFileNotFoundError: If the file does not exist.
    """
    resolved = resolve_format(Path(path), format)
    unknown = sorted(set(columns) - set(_OPTIONS[resolved]))
    if unknown:
        raise ConfigError(
            f"options {unknown} do not apply to format {resolved!r}, which accepts "
            f"{list(_OPTIONS[resolved])}; remove them."
        )
    return _READERS[resolved](path, **columns)


def resolve_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """Return ``format`` after checking it, or infer it from the extension of ``path``.

    Raises:
        DataError: If ``format`` is not one of :data:`FILE_FORMATS`, or it is None and the
            extension is not in :data:`FORMAT_BY_EXTENSION`.
    """
    path = Path(path)
    if format is not None:
        if format not in FILE_FORMATS:
            raise DataError(
                f"format must be one of {list(FILE_FORMATS)}, but got {format!r}; pass one of them."
            )
        return format
    extension = path.suffix.lower()
    if extension not in FORMAT_BY_EXTENSION:
        raise DataError(
            f"cannot infer the format of {str(path)!r} from its extension {extension!r}; known "
            f"extensions are {sorted(FORMAT_BY_EXTENSION)}. Pass format= with one of {list(FILE_FORMATS)}."
        )
    return FORMAT_BY_EXTENSION[extension]


def _check_tabular_arguments(text_column: object, label_column: object, header: object) -> None:
    if not isinstance(header, bool):
        raise DataError(f"header must be True or False, but got {header!r}; pass a bool.")
    check_column("text_column", text_column, header)
    check_column("label_column", label_column, header)


def _nonblank_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line number, line)`` for each line that is not blank, splitting on ``"\\n"`` only."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line.strip():
            yield number, line


def _tsv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    for number, line in _nonblank_lines(text):
        yield number, line.split("\t")


def _csv_rows(text: str, file: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(start line, fields)`` for each CSV record that has a non-blank field."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise DataError(
                f"{file}:{start}: malformed CSV record ({error}); check the quoting of this record, "
                "where a quote inside a quoted field must be doubled."
            ) from error
        if any(field.strip() for field in fields):
            yield start, fields


def _parse_json_object(file: Path, line: int, content: str) -> dict[str, Any]:
    try:
        record = json.loads(content)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{file}:{line}: invalid JSON ({error.msg} at column {error.colno}); "
            "write one complete JSON object per line."
        ) from error
    if not isinstance(record, dict):
        raise DataError(
            f"{file}:{line}: expected a JSON object, but found {type(record).__name__}; "
            "write one object such as {\"text\": ..., \"label\": ...} per line."
        )
    return record


def _json_text(file: Path, line: int, record: dict[str, Any], field: str) -> str:
    value = _json_field(file, line, record, field)
    if not isinstance(value, str):
        raise DataError(
            f"{file}:{line}: field {field!r} must be a string, but got {value!r}; store the text as a string."
        )
    return value


def _json_label(file: Path, line: int, record: dict[str, Any], field: str) -> str:
    value = _json_field(file, line, record, field)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DataError(
            f"{file}:{line}: field {field!r} must be a string or an integer, but got {value!r}; "
            "store the label as a string or an integer."
        )
    return str(value)


def _json_field(file: Path, line: int, record: dict[str, Any], field: str) -> Any:
    if field not in record:
        raise DataError(
            f"{file}:{line}: the object has no field {field!r}; its fields are {sorted(record)}. "
            "Add the field or pass the right key."
        )
    return record[field]
