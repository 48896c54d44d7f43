"""In-process unit tests of ehelse.sav written against its mutants (issue 17).

The contract (module docstring): read_numeric gives exactly pyreadstat's values
(read_sav(..., user_missing=True)), or None whenever the fast path does not apply. Each test writes
a tiny .sav with pyreadstat under tmp_path and compares with pyreadstat itself (the second route).
"""
import types

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ehelse import sav
from ehelse.sav import read_numeric


def _frame(n: int, seed: int, k: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({f"v{j}": rng.choice([1.0, 2.0, 99.0, 250.0, -99.0, 1e6, 0.25, np.nan], n)
                         for j in range(k)})


def _write(tmp_path, df, name="x.sav", **kw):
    p = tmp_path / name
    pyreadstat.write_sav(df, str(p), **kw)
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    return p, meta


def _truth(p, columns=None):
    return pyreadstat.read_sav(str(p), apply_value_formats=False, user_missing=True, usecols=columns)[0]


@pytest.mark.parametrize("compress", [False, True])
def test_a_subset_of_columns_in_any_order_with_repeats(tmp_path, compress):
    """Fails if read_numeric() returns other columns than asked (unknown names dropped, repeats read
    once, the mapping's order kept) or takes the slot of another variable."""
    p, meta = _write(tmp_path, _frame(50, 1, k=4), row_compress=compress)
    cols = read_numeric(p, meta, ["v2", "nope", "v0", "v2"])
    assert list(cols) == ["v2", "v0"]
    truth = _truth(p)
    for c in ("v2", "v0"):
        assert cols[c].dtype == np.float64
        np.testing.assert_array_equal(cols[c], truth[c].to_numpy())
    assert read_numeric(p, meta, []) == {}


@pytest.mark.parametrize("compress", [False, True])
def test_a_text_variable_that_is_not_used_does_not_stop_the_fast_path(tmp_path, compress):
    """Fails if the slots after a text variable (short, and long with continuation slots) are
    misplaced, or if a used text variable is not left to pyreadstat."""
    df = _frame(40, 2, k=2)
    df.insert(1, "short", ["abc"] * 40)
    df.insert(2, "long", ["a text value longer than eight bytes"] * 40)
    p, meta = _write(tmp_path, df, row_compress=compress)
    cols = read_numeric(p, meta, ["v0", "v1"])
    assert cols is not None
    truth = _truth(p)
    np.testing.assert_array_equal(cols["v0"], truth["v0"].to_numpy())
    np.testing.assert_array_equal(cols["v1"], truth["v1"].to_numpy())
    assert read_numeric(p, meta, ["v0", "short"]) is None


def test_dates_are_left_to_pyreadstat(tmp_path):
    """Fails if a numeric variable with a date format is read as raw numbers (the NUMERIC_FORMAT check)."""
    df = pd.DataFrame({"a": [1.0, 2.0], "d": [pd.Timestamp("2020-01-01"), pd.Timestamp("2021-06-30")]})
    p, meta = _write(tmp_path, df)
    assert read_numeric(p, meta, ["d"]) is None
    assert list(read_numeric(p, meta, ["a"])) == ["a"]


@pytest.mark.parametrize("fmt,ok", [("F8.2", True), ("f3", True), ("N5", True), ("COMMA10.1", True),
                                    ("DOLLAR8.2", True), ("PCT6.1", True), ("CCA8.2", True), ("E10.3", True),
                                    ("DOT9.2", True), ("CCF8", False), ("DATE11", False), ("ADATE10", False),
                                    ("TIME8", False), ("F8.", False), ("XF8", False)])
def test_numeric_format_pattern(fmt, ok):
    """Fails if the formats read as plain numbers change (dates, times and unknown formats are refused)."""
    assert bool(sav.NUMERIC_FORMAT.match(fmt)) is ok


def test_a_row_count_that_differs_from_the_metadata_is_declined(tmp_path):
    """Fails if read_numeric() trusts the data when pyreadstat's row count differs (number_rows check)."""
    p, meta = _write(tmp_path, _frame(10, 3))
    fake = types.SimpleNamespace(**{k: getattr(meta, k) for k in ("column_names", "readstat_variable_types",
                                                                    "original_variable_types")})
    fake.number_rows = 11
    assert read_numeric(p, fake, ["v0"]) is None
    for unknown in (None, -1):
        fake.number_rows = unknown
        np.testing.assert_array_equal(read_numeric(p, fake, ["v0"])["v0"], _truth(p)["v0"].to_numpy())


@pytest.mark.parametrize("compress", [False, True])
def test_a_truncated_file_is_declined(tmp_path, compress):
    """Fails if a file whose data stop early is read anyway ('fewer rows than the header says',
    'case count differs from the header' mutants)."""
    p, meta = _write(tmp_path, _frame(30, 4), row_compress=compress)
    raw = p.read_bytes()
    p.write_bytes(raw[:-8 * 5])
    assert read_numeric(p, meta, ["v0", "v1"]) is None


def test_not_a_sav_file_is_declined(tmp_path):
    """Fails if a file without the $FL2 header (or shorter than the header) is not declined."""
    p, meta = _write(tmp_path, _frame(5, 5))
    bad = tmp_path / "bad.sav"
    bad.write_bytes(b"$FL9" + p.read_bytes()[4:])
    assert read_numeric(bad, meta, ["v0"]) is None
    short = tmp_path / "short.sav"
    short.write_bytes(p.read_bytes()[:100])
    assert read_numeric(short, meta, ["v0"]) is None
    assert read_numeric(tmp_path / "gone.sav", meta, ["v0"]) is None


def test_uncompressed_data_read_in_many_chunks(tmp_path, monkeypatch):
    """Fails if the chunked reading of uncompressed data misplaces or loses rows at chunk borders
    (mutants of the chunk loop: step, min(step, n - start), slices)."""
    p, meta = _write(tmp_path, _frame(23, 6, k=3))
    monkeypatch.setattr(sav, "CHUNK_BYTES", 8 * 3 * 4)  # 4 rows per chunk: 6 chunks, the last of 3 rows
    cols = read_numeric(p, meta, ["v0", "v1", "v2"])
    pd.testing.assert_frame_equal(pd.DataFrame(cols), _truth(p))
    monkeypatch.setattr(sav, "CHUNK_BYTES", 1)  # less than a row: one row per chunk
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["v0", "v1", "v2"])), _truth(p))


def test_a_dictionary_larger_than_the_first_read(tmp_path):
    """Fails if a dictionary longer than the first 64 KiB read is not read further (the size loop of
    _read_dictionary): many variables with long labels and value labels."""
    k = 220
    df = _frame(12, 7, k=k)
    labels = [f"variable {j} " + "with a long label " * 12 for j in range(k)]
    p, meta = _write(tmp_path, df, row_compress=True, column_labels=labels,
                     variable_value_labels={f"v{j}": {1.0: "ja " * 30, 2.0: "nei " * 30} for j in range(k)})
    lay = sav._read_dictionary(p)
    assert lay["offset"] > 1 << 16 and len(lay["types"]) == k and lay["ncases"] == 12
    cols = read_numeric(p, meta, ["v0", f"v{k - 1}"])
    truth = _truth(p)
    np.testing.assert_array_equal(cols[f"v{k - 1}"], truth[f"v{k - 1}"].to_numpy())
    np.testing.assert_array_equal(cols["v0"], truth["v0"].to_numpy())


@pytest.mark.parametrize("compress", [False, True])
def test_layout_of_a_small_file(tmp_path, compress):
    """Fails if the header fields are read from other offsets or the dictionary walk ends elsewhere:
    little-endian, compression 0/1, bias 100, the case count, one numeric slot per variable, and the
    data start where the file's data are (the file size for an uncompressed file)."""
    p, _ = _write(tmp_path, _frame(9, 8, k=2), row_compress=compress, column_labels=["A", "B"],
                  missing_ranges={"v0": [99.0]}, variable_value_labels={"v1": {1.0: "ja"}}, note="a note")
    lay = sav._read_dictionary(p)
    assert lay["endian"] == "<" and lay["compression"] == (1 if compress else 0)
    assert lay["bias"] == 100.0 and lay["ncases"] == 9 and lay["types"] == [0, 0]
    assert lay["sysmis"] == sav.SYSMIS_BITS
    if not compress:
        assert lay["offset"] == p.stat().st_size - 9 * 2 * 8


def test_a_stream_that_does_not_synchronise_in_time_is_declined(tmp_path, monkeypatch):
    """Fails if the fixed point of the command words is not bounded by MAX_SYNC_STEPS (a stream needing
    more steps must be left to pyreadstat), or if the bound is reached although the stream converged."""
    p, meta = _write(tmp_path, _frame(200, 9, k=3), row_compress=True)
    assert read_numeric(p, meta, ["v0"]) is not None
    monkeypatch.setattr(sav, "MAX_SYNC_STEPS", 1)
    assert read_numeric(p, meta, ["v0"]) is None


def test_command_words_by_hand():
    """Fails if _command_words() finds other command words than those reached from word 0: a word of
    eight codes is followed by one raw word per code 253; code 252 ends the data."""
    b = np.array([[253, 101, 253, 0, 0, 0, 0, 0],  # word 0: command with two raw words (1, 2)
                  [253] * 8,                        # word 1: raw (would be a command with 8 raws)
                  [1] * 8,                          # word 2: raw
                  [101, 253, 0, 0, 0, 0, 0, 0],     # word 3: command, one raw word (4)
                  [252] * 8,                        # word 4: raw
                  [252, 0, 0, 0, 0, 0, 0, 0],       # word 5: command, end of data
                  [101] * 8], dtype=np.uint8)       # word 6: after the end
    assert sav._command_words(b).tolist() == [0, 3, 5]
    assert sav._command_words(b[:1]).tolist() == [0]


@pytest.mark.parametrize("compress", [False, True])
def test_a_header_without_case_count_reads_every_row(tmp_path, compress):
    """Fails if a header whose case count is -1 (unknown, allowed by the format) is not read to the end
    of the data: n = the rows available (uncompressed, whole rows by //) or decoded (bytecode) (mutants of
    the ncases >= 0 tests and of the row arithmetic)."""
    import struct

    p, meta = _write(tmp_path, _frame(13, 10, k=3), row_compress=compress)
    raw = bytearray(p.read_bytes())
    raw[80:84] = struct.pack("<i", -1)
    q = tmp_path / "unknown.sav"
    q.write_bytes(bytes(raw))
    assert sav._read_dictionary(q)["ncases"] == -1
    fake = types.SimpleNamespace(**{k: getattr(meta, k) for k in ("column_names", "readstat_variable_types",
                                                                    "original_variable_types")}, number_rows=None)
    cols = read_numeric(q, fake, ["v0", "v1", "v2"])
    pd.testing.assert_frame_equal(pd.DataFrame(cols), _truth(p))


def test_a_single_compressed_word(tmp_path):
    """Fails if a bytecode stream of one word (one case of small whole numbers) is declined as 'no data'
    (n_words == 1 mutant) or misread."""
    p, meta = _write(tmp_path, pd.DataFrame({"a": [3.0], "b": [1.0]}), row_compress=True)
    cols = read_numeric(p, meta, ["a", "b"])
    assert cols is not None
    pd.testing.assert_frame_equal(pd.DataFrame(cols), _truth(p))


def test_command_words_take_the_fewest_fixed_point_steps(monkeypatch):
    """Fails if the fixed point needs more steps than the stream requires (start set or its end slot
    mutated: the one-word stream converges in one step, the seven-word stream of
    test_command_words_by_hand in two), so that a bound just large enough is exceeded."""
    monkeypatch.setattr(sav, "MAX_SYNC_STEPS", 1)
    assert sav._command_words(np.array([[101, 0, 0, 0, 0, 0, 0, 0]], dtype=np.uint8)).tolist() == [0]
    b = np.array([[253, 101, 253, 0, 0, 0, 0, 0], [253] * 8, [1] * 8, [101, 253, 0, 0, 0, 0, 0, 0], [252] * 8,
                  [252, 0, 0, 0, 0, 0, 0, 0], [101] * 8], dtype=np.uint8)
    with pytest.raises(sav._NotFast):
        sav._command_words(b)
    monkeypatch.setattr(sav, "MAX_SYNC_STEPS", 2)
    assert sav._command_words(b).tolist() == [0, 3, 5]


def test_a_long_document_record_is_read_past_the_first_block(tmp_path):
    """Fails if a dictionary cut inside a long document (note) record is not read further: the
    'past the end' error must grow the read, not decline (mutants of that test in _read_dictionary)."""
    note = ["a line of the document record, " * 2] * 1200  # 1200 lines of 80 bytes: 96,000 bytes
    p, meta = _write(tmp_path, _frame(6, 11, k=2), note=note)
    lay = sav._read_dictionary(p)
    assert lay["offset"] > 1 << 16
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["v0", "v1"])), _truth(p))


def test_metadata_without_formats_is_read_as_plain_numbers(tmp_path):
    """Fails if a variable whose format the metadata does not give is not taken as a plain number
    (the 'F8.2' default of read_numeric)."""
    p, meta = _write(tmp_path, _frame(5, 12, k=1))
    fake = types.SimpleNamespace(column_names=meta.column_names, readstat_variable_types=meta.readstat_variable_types,
                                 original_variable_types={}, number_rows=meta.number_rows)
    np.testing.assert_array_equal(read_numeric(p, fake, ["v0"])["v0"], _truth(p)["v0"].to_numpy())


# ---------------------------------------------------------------- hand-made dictionaries for _layout
# The .sav layout (header of 176 bytes, then typed dictionary records, record 999 ends them) is made
# here byte by byte with struct, in either byte order, so that fields pyreadstat always writes the same
# way (byte order, layout code 3, $FL3, the sysmis record, label lengths) can be varied.

import struct  # noqa: E402


def _header(e="<", magic=b"$FL2", layout=2, compression=0, ncases=3, bias=100.0):
    head = (magic + b"@(#) hand-made test file".ljust(60)
            + struct.pack(e + "5id", layout, 1, compression, 0, ncases, bias)
            + b"01 Jan 26" + b"00:00:00" + b" " * 64 + b"\0" * 3)
    assert len(head) == 176
    return head


def _var(e="<", vtype=0, name=b"V"):
    return struct.pack(e + "6i", 2, vtype, 0, 0, 0x050802, 0x050802) + name.ljust(8)


def _end(e="<"):
    return struct.pack(e + "2i", 999, 0)


@pytest.mark.parametrize("e,code", [("<", 2), ("<", 3), (">", 2), (">", 3)])
def test_layout_byte_order_from_the_layout_code(e, code):
    """Fails if the byte order is not taken from the layout code (2 or 3 read little-endian means a
    little-endian file, anything else a big-endian one), or the header fields are then read in the
    wrong order (mutants: the endian test forced to '<', the code set (2, 3) changed, the '>' string
    mutated)."""
    raw = _header(e, layout=code, compression=1, ncases=7, bias=-12.5) + _var(e) + _var(e, 8) + _var(e, -1) + _end(e)
    assert sav._layout(raw) == {"endian": e, "compression": 1, "ncases": 7, "bias": -12.5, "types": [0, 8, -1],
                                "offset": len(raw), "sysmis": sav.SYSMIS_BITS}


def test_layout_of_a_zsav_header_and_a_foreign_magic():
    """Fails if a $FL3 (.zsav) header is not parsed like $FL2 (its compression 2 then makes read_numeric
    decline), or a file with another magic is not refused with 'not a .sav header' (mutants of the magic
    tuple and of that message)."""
    raw = _header(magic=b"$FL3", compression=2) + _var() + _end()
    lay = sav._layout(raw)
    assert lay["compression"] == 2 and lay["types"] == [0] and lay["offset"] == len(raw)
    with pytest.raises(sav._NotFast, match=r"^not a \.sav header$"):
        sav._layout(_header(magic=b"$FL9") + _var() + _end())
    with pytest.raises(sav._NotFast, match=r"^not a \.sav header$"):
        sav._layout(_header()[:175])


def test_layout_of_a_header_without_dictionary_asks_for_more():
    """Fails if a read that holds exactly the 176-byte header (and no record) is called 'not a .sav header'
    instead of 'dictionary runs past the end of what was read', the message on which _read_dictionary reads
    further (mutants: len(raw) <= 176 / < 177, pos - 4, the message mutated), or crashes with struct.error."""
    with pytest.raises(sav._NotFast, match=r"^dictionary runs past the end of what was read$"):
        sav._layout(_header())
    with pytest.raises(sav._NotFast, match=r"^dictionary runs past the end of what was read$"):
        sav._layout(_header() + _var() + b"\0\0")


def test_layout_reports_an_unknown_record_as_soon_as_its_code_is_read():
    """Fails if a record code the reader does not know, standing in the last 4 bytes read, is not reported
    by its number (mutants: the 'past the end' test pos + 4 > len(raw) made pos + 5 > / >=, the message
    replaced by None)."""
    with pytest.raises(sav._NotFast, match=r"^unknown dictionary record 5$"):
        sav._layout(_header() + _var() + struct.pack("<i", 5))


def _value_labels(labels, e="<"):
    out = struct.pack(e + "2i", 3, len(labels))
    for value, text in labels:
        cell = bytes([len(text)]) + text
        out += struct.pack(e + "d", value) + cell + b" " * (-len(cell) % 8)
    return out + struct.pack(e + "3i", 4, 1, 1)


def test_layout_skips_value_labels_of_every_length():
    """Fails if a value label is skipped by other than its length byte + text padded to 8 bytes (labels of
    7 and 15 characters fill their 8 / 16 bytes exactly: mutants length + 2 + 7 and length + 1 + 8)."""
    labels = [(1.0, b"abcdefg"), (2.0, b"a"), (3.0, b"abcdefgh"), (4.0, b"fifteen letters"), (5.0, b"")]
    raw = _header() + _var() + _value_labels(labels) + _var(name=b"W") + _end()
    assert len(_value_labels(labels)) == 8 + 5 * 8 + (8 + 8 + 16 + 16 + 8) + 12  # head, values, cells, record 4
    lay = sav._layout(raw)
    assert lay["types"] == [0, 0] and lay["offset"] == len(raw)


def test_a_seven_letter_value_label_in_a_real_file(tmp_path):
    """Fails like test_layout_skips_value_labels_of_every_length, on a file written by pyreadstat and
    compared with pyreadstat's own reading."""
    p, meta = _write(tmp_path, _frame(8, 13, k=2), variable_value_labels={"v0": {1.0: "abcdefg", 2.0: "x" * 15}})
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["v0", "v1"])), _truth(p))


def _info(subtype, size, payload, e="<"):
    return struct.pack(e + "4i", 7, subtype, size, len(payload) // size if size else 0) + payload


def test_layout_refuses_very_long_strings_and_skips_other_info_records():
    """Fails if the very-long-string record (subtype 14) is not refused with its message, or another
    extension record (subtype 15) is refused instead of skipped (mutants subtype == 15, the message
    None / mutated)."""
    with pytest.raises(sav._NotFast, match=r"^very long strings$"):
        sav._layout(_header() + _var() + _info(14, 1, b"LONG=00300\0\t") + _end())
    raw = _header() + _var() + _info(15, 1, b"abcd") + _end()
    assert sav._layout(raw)["offset"] == len(raw)


@pytest.mark.parametrize("e", ["<", ">"])
def test_layout_takes_the_system_missing_value_of_the_file(e):
    """Fails if the system-missing value is not read from the machine floating-point record (subtype 4,
    8-byte fields, sysmis first) when it has one field or three, or is read from another record (mutants
    subtype 5, size != 8 / == 9, count > 1 / >= 2)."""
    other = 0xFFEFFFFFFFFFFFFE
    three = struct.pack(e + "3Q", other, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFE)
    for payload in (three, struct.pack(e + "Q", other)):
        raw = _header(e) + _var(e) + _info(4, 8, payload, e) + _end(e)
        lay = sav._layout(raw)
        assert lay["sysmis"] == other and lay["offset"] == len(raw)
    # another record with one 8-byte field, and a subtype-4 record of 4-byte fields, are not the sysmis
    for raw in (_header(e) + _var(e) + _info(5, 8, struct.pack(e + "Q", other), e) + _end(e),
                _header(e) + _var(e) + _info(4, 4, struct.pack(e + "2I", 1, 2), e) + _end(e)):
        assert sav._layout(raw)["sysmis"] == sav.SYSMIS_BITS


# ---------------------------------------------------------------- hand-made files, checked against pyreadstat

SIX = (1.5, -2.0, 3.25, 1e6, 0.0, 99.0)  # three cases of two variables A, B (case-major)
# the same three cases bytecode-compressed (bias 100): 1.5 raw, -2 -> 98, 3.25 raw, 1e6 raw, 0 -> 100, B sysmis -> 255
CMD = bytes([253, 98, 253, 253, 100, 255, 0, 0])


def _file(tmp_path, name, data, e="<", compression=0, ncases=3, nvars=2):
    p = tmp_path / name
    p.write_bytes(_header(e, compression=compression, ncases=ncases)
                  + b"".join(_var(e, name=n) for n in (b"A", b"B", b"C")[:nvars]) + _end(e) + data)
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True)
    return p, meta


def _raws(e="<"):
    return struct.pack(e + "3d", 1.5, 3.25, 1e6)


@pytest.mark.parametrize("e", ["<", ">"])
def test_a_file_of_either_byte_order(tmp_path, e):
    """Fails if the data of a big-endian file are read as native little-endian doubles (mutants of the
    uncompressed reader's dtype: None, np.dtype(None), fromfile without dtype) or its raw words of a
    compressed stream in the wrong order; the values must be pyreadstat's, system-missing NaN."""
    plain = struct.pack(e + "5d", *SIX[:5]) + struct.pack(e + "Q", sav.SYSMIS_BITS)
    for name, data, comp in (("plain.sav", plain, 0), ("bytecode.sav", CMD + _raws(e), 1)):
        p, meta = _file(tmp_path, name, data, e=e, compression=comp)
        truth = _truth(p)
        assert truth["A"].tolist() == [1.5, 3.25, 0.0] and truth["B"].isna().tolist() == [False, False, True]
        pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["A", "B"])), truth)


def test_the_header_case_count_is_the_number_of_rows_read(tmp_path):
    """Fails if an uncompressed file is read to the end of its bytes instead of for the header's case count:
    a file with a fourth row after its three cases, and one whose header says 0 cases although data follow,
    read as pyreadstat reads them (3 rows, none) (mutants: the ncases >= 0 test made 'and False', > 0, >= 1)."""
    p, meta = _file(tmp_path, "extra.sav", struct.pack("<8d", *SIX, 7.0, 8.0))
    assert meta.number_rows == 3
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["A", "B"])), _truth(p))
    p, meta = _file(tmp_path, "zero.sav", struct.pack("<6d", *SIX), ncases=0)
    cols = read_numeric(p, meta, ["A", "B"])
    assert list(cols) == ["A", "B"] and all(c.shape == (0,) and c.dtype == np.float64 for c in cols.values())
    assert len(_truth(p)) == 0


def test_a_compressed_stream_that_disagrees_with_the_header_case_count(tmp_path):
    """Fails if a compressed stream whose header says 0 cases while it decodes into 3 is not refused as
    'case count differs from the header' (mutants ncases > 0 / >= 1), or a header count of -1 (unknown)
    is compared."""
    p, _ = _file(tmp_path, "zero.sav", CMD + _raws(), compression=1, ncases=0)
    lay = sav._read_dictionary(p)
    with pytest.raises(sav._NotFast, match="^case count differs from the header$"):
        sav._bytecode(p, lay, [0, 1], 2)
    cols, n = sav._bytecode(p, {**lay, "ncases": -1}, [0], 2)
    assert n == 3 and cols[0].tolist() == [1.5, 3.25, 0.0]


@pytest.mark.parametrize("ncases", [3, -1])
def test_bytes_after_the_end_of_data_code_are_ignored(tmp_path, ncases):
    """Fails if the words after the command word holding the end-of-data code 252 (and its raw words) are
    taken as raw words, so that the stream no longer decodes (mutants of `stop`: None, last + 2, the count
    of codes != 253)."""
    end = bytes([253, 98, 253, 253, 100, 255, 252, 0])
    p, meta = _file(tmp_path, "end.sav", end + _raws() + bytes([1] * 8) + bytes([253] * 8), compression=1,
                    ncases=ncases)
    truth = _truth(p)
    assert len(truth) == 3
    pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["A", "B"])), truth)


def test_a_compressed_section_that_is_not_whole_words(tmp_path):
    """Fails if a few stray bytes after the last whole word of a compressed section stop the fast path
    (mutants n_words * 9 in the slices for the command grid and the raw words)."""
    for extra in (b"\0", b"\0\0\0", b"\0" * 7):
        p, meta = _file(tmp_path, f"part{len(extra)}.sav", CMD + _raws() + extra, compression=1)
        pd.testing.assert_frame_equal(pd.DataFrame(read_numeric(p, meta, ["A", "B"])), _truth(p))


def test_a_stream_missing_a_raw_word_is_left_to_pyreadstat(tmp_path):
    """Fails if a compressed stream whose codes make whole cases but that lacks one of the raw words its
    codes 253 call for (pyreadstat: 'Invalid file') is read anyway (mutant: the 'or' of the two decode
    checks made 'and', which then returns the one raw word present as A)."""
    p, meta = _file(tmp_path, "trunc.sav", bytes([253, 253, 0, 0, 0, 0, 0, 0]) + struct.pack("<d", 5.5),
                    compression=1, ncases=1)
    with pytest.raises(pyreadstat.ReadstatError):
        _truth(p)
    assert read_numeric(p, meta, ["A"]) is None


def test_metadata_of_another_dictionary_is_not_trusted(tmp_path):
    """Fails if read_numeric() reads a file whose dictionary has another number of variables than the
    metadata it is given (mutant: the slot-count test and the used-type test joined by 'and'): the slots
    cannot then be matched to the names."""
    p, meta = _file(tmp_path, "three.sav", struct.pack("<9d", *SIX, 1.0, 2.0, 3.0), nvars=3)
    fake = types.SimpleNamespace(column_names=["A", "B"], readstat_variable_types={"A": "double", "B": "double"},
                                 original_variable_types={"A": "F8.2", "B": "F8.2"}, number_rows=3)
    assert read_numeric(p, fake, ["A"]) is None
    assert read_numeric(p, meta, ["A"])["A"].tolist() == _truth(p)["A"].tolist()


def test_each_reason_to_decline_is_named(tmp_path, monkeypatch):
    """Fails if a reason the fast path gives for leaving a file to pyreadstat loses its words (the messages
    of _NotFast replaced by None, 'XX..XX' or upper case): no data, a stream that does not decode into whole
    cases or does not synchronise, fewer rows than the header says, and the reason _read_dictionary passes
    on when the whole file was read."""
    def declined(message, fn, *args):
        with pytest.raises(sav._NotFast) as e:
            fn(*args)
        assert str(e.value) == message

    p, _ = _file(tmp_path, "empty.sav", b"", compression=1, ncases=0)
    lay = sav._read_dictionary(p)
    declined("no data", sav._bytecode, p, lay, [0], 2)
    p, _ = _file(tmp_path, "trunc.sav", bytes([253, 253, 0, 0, 0, 0, 0, 0]) + struct.pack("<d", 5.5),
                 compression=1, ncases=1)
    declined("compressed stream does not decode into whole cases", sav._bytecode, p, sav._read_dictionary(p), [0], 2)
    p, _ = _file(tmp_path, "short.sav", struct.pack("<5d", *SIX[:5]))
    declined("fewer rows than the header says", sav._uncompressed, p, sav._read_dictionary(p), [0], 2)
    monkeypatch.setattr(sav, "MAX_SYNC_STEPS", 1)
    b = np.array([[253, 101, 253, 0, 0, 0, 0, 0], [253] * 8, [1] * 8, [101, 0, 0, 0, 0, 0, 0, 0]], dtype=np.uint8)
    declined("compressed stream did not synchronise", sav._command_words, b)
    q = tmp_path / "head.sav"
    q.write_bytes(_header()[:100])
    declined("not a .sav header", sav._read_dictionary, q)
    q.write_bytes(_header())
    declined("dictionary runs past the end of what was read", sav._read_dictionary, q)
