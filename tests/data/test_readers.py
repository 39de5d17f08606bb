"""Tests of qhybrid.data.readers, on small files written into tmp_path."""

from __future__ import annotations

import pytest

from qhybrid.data import read_csv, read_jsonl, read_labeled_file, read_lambeq, read_tsv, resolve_format
from qhybrid.exceptions import ConfigError, DataError, DataFileNotFoundError

NEL = "\u0085"


class TestReadTsv:
    def test_next_line_character_stays_in_row(self, write_file) -> None:
        path = write_file("imdb.txt", f"A great{NEL}film.  \t1\nBad.\t0\n")

        data = read_tsv(path)

        assert data.texts == (f"A great{NEL}film.", "Bad.")
        assert data.labels == ("1", "0")

    def test_unbalanced_quotes_kept(self, write_file) -> None:
        path = write_file("quotes.txt", '"Not quoted\t0\nsay "hi\t1\nend"\t1\n')

        data = read_tsv(path)

        assert data.texts == ('"Not quoted', 'say "hi', 'end"')

    def test_blank_lines_and_crlf(self, write_file) -> None:
        path = write_file("crlf.tsv", "one\t0\r\n\r\ntwo\t1\r\n\n\n")

        data = read_tsv(path)

        assert data.texts == ("one", "two")
        assert data.labels == ("0", "1")
        assert data.source == str(path)

    def test_header_with_column_names(self, write_file) -> None:
        path = write_file("named.tsv", "id\tlabel\ttext\n1\tpos\tnice\n2\tneg\tugly\n")

        data = read_tsv(path, text_column="text", label_column="label", header=True)

        assert data.texts == ("nice", "ugly")
        assert data.labels == ("pos", "neg")

    def test_wrong_field_count(self, write_file) -> None:
        path = write_file("bad.tsv", "one\t0\ntwo\t1\nthree\tstray\t1\n")

        with pytest.raises(DataError, match=r"bad.tsv:3: expected 2 tab-separated fields like line 1, but found 3"):
            read_tsv(path)

    def test_empty_text(self, write_file) -> None:
        path = write_file("empty_text.tsv", "one\t0\n   \t1\n")

        with pytest.raises(DataError, match="empty_text.tsv:2: the text is empty"):
            read_tsv(path)

    def test_empty_label(self, write_file) -> None:
        path = write_file("empty_label.tsv", "one\t0\ntwo\t \n")

        with pytest.raises(DataError, match="empty_label.tsv:2: the label is empty"):
            read_tsv(path)

    def test_empty_file(self, write_file) -> None:
        path = write_file("empty.tsv", "\n\n")

        with pytest.raises(DataError, match="empty.tsv contains no labeled rows"):
            read_tsv(path)

    def test_header_only(self, write_file) -> None:
        path = write_file("header_only.tsv", "text\tlabel\n")

        with pytest.raises(DataError, match="header_only.tsv contains no labeled rows"):
            read_tsv(path, text_column="text", label_column="label", header=True)

    def test_column_name_without_header(self, write_file) -> None:
        path = write_file("plain.tsv", "one\t0\n")

        with pytest.raises(DataError, match="text_column='text' is a column name, but header=False"):
            read_tsv(path, text_column="text")

    def test_column_index_out_of_range(self, write_file) -> None:
        path = write_file("narrow.tsv", "one\t0\n")

        with pytest.raises(DataError, match=r"narrow.tsv:1: label_column=5 is out of range, because the first row has 2"):
            read_tsv(path, label_column=5)

    def test_same_column_twice(self, write_file) -> None:
        path = write_file("same.tsv", "one\t0\n")

        with pytest.raises(DataError, match="text_column=1 and label_column=1 name the same column"):
            read_tsv(path, text_column=1)

    def test_negative_column(self, write_file) -> None:
        path = write_file("plain.tsv", "one\t0\n")

        with pytest.raises(DataError, match="text_column must be a column index >= 0, but got -1"):
            read_tsv(path, text_column=-1)

    def test_missing_file(self, tmp_path) -> None:
        path = tmp_path / "absent.tsv"

        with pytest.raises(DataFileNotFoundError, match="data file not found: .*absent.tsv"):
            read_tsv(path)

    def test_relative_missing_file_names_working_directory(self, tmp_path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)

        with pytest.raises(DataFileNotFoundError, match="'absent.tsv' \\(relative to the working directory"):
            read_tsv("absent.tsv")

    def test_directory_instead_of_file(self, tmp_path) -> None:
        with pytest.raises(DataFileNotFoundError, match="is a directory"):
            read_tsv(tmp_path)

    def test_invalid_utf8(self, tmp_path) -> None:
        path = tmp_path / "latin1.tsv"
        path.write_bytes("one\t0\ncaf\xe9\t1\n".encode("latin-1"))

        with pytest.raises(DataError, match="latin1.tsv:2: byte 9 is not valid UTF-8"):
            read_tsv(path)


class TestReadCsv:
    def test_quoted_newline_is_one_record(self, write_file) -> None:
        path = write_file(
            "banking.csv",
            'text,category\r\n"\nHow do I\r\nunblock my PIN?",pin_blocked\r\nCard lost,lost_card\r\n',
        )

        data = read_csv(path)

        assert data.texts == ("How do I\r\nunblock my PIN?", "Card lost")
        assert data.labels == ("pin_blocked", "lost_card")

    def test_bad_record_after_quoted_newline(self, write_file) -> None:
        content = 'text,category\n"first\nsecond\nthird",a\nok,b\n"x, y",c,extra\n'
        path = write_file("late.csv", content)

        with pytest.raises(DataError, match=r"late.csv:6: expected 2 comma-separated fields like line 1, but found 3"):
            read_csv(path)

    def test_malformed_quoting(self, write_file) -> None:
        path = write_file("quoting.csv", 'text,category\nfine,a\n"broken"quote,b\n')

        with pytest.raises(DataError, match="quoting.csv:3: malformed CSV record"):
            read_csv(path)

    def test_unterminated_quote(self, write_file) -> None:
        path = write_file("open.csv", 'text,category\nfine,a\n"never closed,b\nmore,c\n')

        with pytest.raises(DataError, match="open.csv:3: malformed CSV record"):
            read_csv(path)

    def test_missing_label_column(self, write_file) -> None:
        path = write_file("intents.csv", "text,intent\nhello,greet\n")

        with pytest.raises(
            DataError, match=r"intents.csv:1: label_column='category' is not a column .* \['text', 'intent'\]"
        ):
            read_csv(path)

    def test_byte_order_mark_and_column_indices(self, write_file) -> None:
        path = write_file("bom.csv", "\ufefftext,category\nhello,greet\n")

        assert read_csv(path).texts == ("hello",)
        assert read_csv(path, text_column=0, label_column=1).labels == ("greet",)

    def test_without_header(self, write_file) -> None:
        path = write_file("plain.csv", "greet,hello\nbye,farewell\n")

        data = read_csv(path, text_column=1, label_column=0, header=False)

        assert data.texts == ("hello", "farewell")
        assert data.labels == ("greet", "bye")

    def test_blank_records_skipped(self, write_file) -> None:
        path = write_file("blank.csv", "text,category\n\nhello,greet\n,\n")

        assert len(read_csv(path)) == 1

    def test_header_rejects_bool_like_column(self, write_file) -> None:
        path = write_file("plain.csv", "text,category\nhello,greet\n")

        with pytest.raises(DataError, match="text_column must be a column index \\(int\\) or a column name"):
            read_csv(path, text_column=True)


class TestReadJsonl:
    def test_reads_objects(self, write_file) -> None:
        path = write_file("rows.jsonl", '{"text": " hi ", "label": 1}\n\n{"text": "yo\\u2028u", "label": "x"}\n')

        data = read_jsonl(path)

        assert data.texts == ("hi", "yo\u2028u")
        assert data.labels == ("1", "x")

    def test_custom_fields(self, write_file) -> None:
        path = write_file("rows.jsonl", '{"sentence": "hi", "y": 0}\n')

        assert read_jsonl(path, text_field="sentence", label_field="y").labels == ("0",)

    def test_invalid_json_line(self, write_file) -> None:
        path = write_file("broken.jsonl", '{"text": "a", "label": 0}\n\n{"text": "b", "label": 1\n')

        with pytest.raises(DataError, match=r"broken.jsonl:3: invalid JSON \(Expecting ',' delimiter"):
            read_jsonl(path)

    def test_missing_field(self, write_file) -> None:
        path = write_file("partial.jsonl", '{"text": "a", "label": 0}\n{"text": "b"}\n')

        with pytest.raises(DataError, match=r"partial.jsonl:2: the object has no field 'label'; its fields are \['text'\]"):
            read_jsonl(path)

    def test_not_an_object(self, write_file) -> None:
        path = write_file("list.jsonl", '["a", 0]\n')

        with pytest.raises(DataError, match="list.jsonl:1: expected a JSON object, but found list"):
            read_jsonl(path)

    def test_label_of_wrong_type(self, write_file) -> None:
        path = write_file("float.jsonl", '{"text": "a", "label": 0.5}\n')

        with pytest.raises(DataError, match="float.jsonl:1: field 'label' must be a string or an integer, but got 0.5"):
            read_jsonl(path)

    def test_text_of_wrong_type(self, write_file) -> None:
        path = write_file("number.jsonl", '{"text": 3, "label": 0}\n')

        with pytest.raises(DataError, match="number.jsonl:1: field 'text' must be a string, but got 3"):
            read_jsonl(path)

    def test_empty_file(self, write_file) -> None:
        path = write_file("empty.jsonl", "")

        with pytest.raises(DataError, match="empty.jsonl contains no labeled rows"):
            read_jsonl(path)


class TestReadLambeq:
    def test_two_spaces_after_label(self, write_file) -> None:
        path = write_file("mc.txt", "1  woman cooks tasty meal .\n0  skillful woman prepares software .\n")

        data = read_lambeq(path)

        assert data.texts == ("woman cooks tasty meal .", "skillful woman prepares software .")
        assert data.labels == ("1", "0")

    def test_no_final_newline(self, write_file) -> None:
        path = write_file("rp.txt", "1 organization that church establish .\n0 organization that establish church .")

        data = read_lambeq(path)

        assert data.texts[-1] == "organization that establish church ."
        assert len(data) == 2

    def test_label_without_sentence(self, write_file) -> None:
        path = write_file("short.txt", "1 fine sentence .\n0   \n")

        with pytest.raises(DataError, match=r"short.txt:2: expected '<label> <sentence>', but found only '0'"):
            read_lambeq(path)


class TestReadLabeledFile:
    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("rows.tsv", "hi\t1\n"),
            ("rows.txt", "hi\t1\n"),
            ("rows.csv", "text,category\nhi,1\n"),
            ("rows.jsonl", '{"text": "hi", "label": 1}\n'),
        ],
    )
    def test_format_from_extension(self, write_file, name: str, content: str) -> None:
        data = read_labeled_file(write_file(name, content))

        assert data.texts == ("hi",)
        assert data.labels == ("1",)

    def test_lambeq_needs_explicit_format(self, write_file) -> None:
        path = write_file("mc.txt", "1  woman cooks .\n")

        assert read_labeled_file(path, format="lambeq").texts == ("woman cooks .",)

    def test_passes_column_options(self, write_file) -> None:
        path = write_file("rows.csv", "label,sentence\n1,hi\n")

        data = read_labeled_file(path, text_column="sentence", label_column="label")

        assert data.texts == ("hi",)

    def test_unknown_format(self, write_file) -> None:
        path = write_file("rows.tsv", "hi\t1\n")

        with pytest.raises(DataError, match=r"format must be one of \['tsv', 'csv', 'jsonl', 'lambeq'\], but got 'xml'"):
            read_labeled_file(path, format="xml")

    def test_unknown_extension(self, write_file) -> None:
        path = write_file("rows.dat", "hi\t1\n")

        with pytest.raises(DataError, match="cannot infer the format of .*rows.dat.* from its extension '.dat'"):
            read_labeled_file(path)

    def test_option_for_other_format(self, write_file) -> None:
        path = write_file("mc.txt", "1  woman cooks .\n")

        with pytest.raises(ConfigError, match=r"options \['header'\] do not apply to format 'lambeq'"):
            read_labeled_file(path, format="lambeq", header=True)

    def test_resolve_format(self) -> None:
        assert resolve_format("a/b.TSV") == "tsv"
        assert resolve_format("a/b.txt", "lambeq") == "lambeq"
