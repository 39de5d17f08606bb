"""Shared steps of the file readers: opening and decoding a file, and turning table rows into LabeledTexts.

An error about a row starts its message with ``file:line``, where ``line`` is the 1-based
physical line on which the bad record starts, so an editor can jump to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qhybrid.data.records import LabeledTexts
from qhybrid.exceptions import DataError, DataFileNotFoundError

Column = int | str
"""A column given by 0-based index, or by name when the file has a header row."""


def check_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path after checking that it is an existing regular file.

    Raises:
        DataFileNotFoundError: If nothing exists at ``path`` or it is a directory.
    """
    file = Path(path)
    where = "" if file.is_absolute() else f" (relative to the working directory {Path.cwd()})"
    if file.is_dir():
        raise DataFileNotFoundError(
            f"data file {str(file)!r}{where} is a directory; pass the path of a file."
        )
    if not file.exists():
        raise DataFileNotFoundError(
            f"data file not found: {str(file)!r}{where}; check the path."
        )
    return file


def read_text(file: Path) -> str:
    """Read a whole file as UTF-8, dropping a leading byte order mark and keeping line endings as they are.

    Raises:
        DataError: If the file is not valid UTF-8. The message names the line of the first bad byte.
    """
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"{file}:{line}: byte {error.start} is not valid UTF-8 ({error.reason}); "
            "re-encode the file as UTF-8."
        ) from error


def check_column(name: str, column: object, header: bool) -> None:
    """Check a column argument: a non-negative index, or a name when the file has a header.

    Raises:
        DataError: If the column is of the wrong type, negative, or a name without a header.
    """
    if isinstance(column, bool) or not isinstance(column, int | str):
        raise DataError(
            f"{name} must be a column index (int) or a column name (str), but got {column!r}; "
            "pass for example 0 or 'text'."
        )
    if isinstance(column, int) and column < 0:
        raise DataError(f"{name} must be a column index >= 0, but got {column}; count columns from 0.")
    if isinstance(column, str) and not header:
        raise DataError(
            f"{name}={column!r} is a column name, but header=False; pass header=True if the "
            "first row names the columns, or give the column by index."
        )


@dataclass(frozen=True)
class _Layout:
    """Field positions of the text and label, and the number of fields every row must have."""

    text: int
    label: int
    width: int
    width_line: int
    """Line whose field count set ``width``: the header, or the first data row."""


def rows_to_labeled_texts(
    rows: Iterable[tuple[int, list[str]]],
    file: Path,
    text_column: Column,
    label_column: Column,
    header: bool,
    separator: str,
) -> LabeledTexts:
    """Build LabeledTexts from the non-blank rows of a table.

    Args:
        rows: ``(line number, fields)`` of each non-blank record, in file order.
        file: The file the rows came from, for messages.
        text_column: Index or name of the text column.
        label_column: Index or name of the label column.
        header: Whether the first row names the columns instead of holding data.
        separator: Name of the field separator for messages, such as ``"tab"``.

    Returns:
        The stripped texts and labels, with ``source`` set to the file.

    Raises:
        DataError: If a column name is not in the header, a row has the wrong number of
            fields or an empty text or label, or the file has no data rows.
    """
    layout: _Layout | None = None
    texts: list[str] = []
    labels: list[str] = []
    for line, fields in rows:
        if layout is None:
            layout = _layout(file, line, fields, text_column, label_column, header)
            if header:
                continue
        _check_width(file, line, fields, layout, separator)
        texts.append(check_value(file, line, "text", fields[layout.text]))
        labels.append(check_value(file, line, "label", fields[layout.label]))
    return check_not_empty(LabeledTexts(tuple(texts), tuple(labels), source=str(file)))


def check_value(file: Path, line: int, name: str, value: str) -> str:
    """Return ``value`` stripped of surrounding whitespace, rejecting an empty one."""
    stripped = value.strip()
    if not stripped:
        raise DataError(f"{file}:{line}: the {name} is empty; remove the row or fill in its {name}.")
    return stripped


def check_not_empty(data: LabeledTexts) -> LabeledTexts:
    """Return ``data`` unchanged, or raise if it has no rows."""
    if len(data) == 0:
        raise DataError(
            f"{data.source} contains no labeled rows; check that it is the intended file and format."
        )
    return data


def _layout(
    file: Path, line: int, first_row: list[str], text_column: Column, label_column: Column, header: bool
) -> _Layout:
    names = [field.strip() for field in first_row]
    text = _column_position(file, line, names, "text_column", text_column, header)
    label = _column_position(file, line, names, "label_column", label_column, header)
    if text == label:
        raise DataError(
            f"text_column={text_column!r} and label_column={label_column!r} name the same column "
            f"(position {text}) in {file}; pass two different columns."
        )
    return _Layout(text=text, label=label, width=len(first_row), width_line=line)


def _column_position(
    file: Path, line: int, names: list[str], argument: str, column: Column, header: bool
) -> int:
    if isinstance(column, str):
        if column not in names:
            raise DataError(
                f"{file}:{line}: {argument}={column!r} is not a column of the header; the available "
                f"columns are {names}. Pass one of them."
            )
        return names.index(column)
    if column >= len(names):
        first = "header" if header else "first row"
        raise DataError(
            f"{file}:{line}: {argument}={column} is out of range, because the {first} has "
            f"{len(names)} fields (indices 0..{len(names) - 1}); pass a smaller index or check the separator."
        )
    return column


def _check_width(file: Path, line: int, fields: list[str], layout: _Layout, separator: str) -> None:
    if len(fields) != layout.width:
        raise DataError(
            f"{file}:{line}: expected {layout.width} {separator}-separated fields like line "
            f"{layout.width_line}, but found {len(fields)}; fix the row, which may contain "
            f"a stray {separator} or miss one."
        )
