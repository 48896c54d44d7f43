"""Fast reading of numeric variables from an SPSS .sav file, column by column, with numpy.

pyreadstat parses a .sav value by value (about 4.5 s of CPU for 1,000,000 rows x 28 variables);
the data of an uncompressed or bytecode-compressed .sav are fixed 8-byte slots, so the numeric
variables a mapping uses can be cut out of the file with array operations instead. The metadata
(names, types, formats, user-missing ranges) still come from pyreadstat (``metadataonly``); this
module only finds where the data start and how the slots are laid out.

``read_numeric`` returns None whenever the fast path does not apply (zlib-compressed .zsav, a
used variable that is text or a date, very long strings, anything unexpected in the dictionary,
a compressed stream that does not decode cleanly): the caller then reads with pyreadstat. The
values are those of ``pyreadstat.read_sav(..., user_missing=True)``: system-missing is NaN and
user-missing codes keep their value.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

SYSMIS_BITS = 0xFFEFFFFFFFFFFFFF  # -DBL_MAX, SPSS's default system-missing value
CHUNK_BYTES = 32 * 2 ** 20  # uncompressed data are read in pieces of about this size
MAX_SYNC_STEPS = 256  # fixed-point steps allowed to find the command blocks of a compressed stream
NUMERIC_FORMAT = re.compile(r"^(F|N|E|COMMA|DOT|DOLLAR|PCT|CC[A-E])\d*(\.\d+)?$", re.IGNORECASE)


class _NotFast(Exception):
    """The file is valid for pyreadstat but not for this reader's fast path."""


def _layout(raw: bytes) -> dict:
    """Header and dictionary of a .sav: byte order, compression, bias, cases, slot types, data offset, sysmis."""
    if raw[:4] not in (b"$FL2", b"$FL3") or len(raw) < 176:
        raise _NotFast("not a .sav header")
    e = "<" if struct.unpack("<i", raw[64:68])[0] in (2, 3) else ">"
    compression, = struct.unpack(e + "i", raw[72:76])
    ncases, = struct.unpack(e + "i", raw[80:84])
    bias, = struct.unpack(e + "d", raw[84:92])
    pos, types, sysmis = 176, [], SYSMIS_BITS

    def ints(k: int) -> tuple:
        nonlocal pos
        out = struct.unpack(e + "i" * k, raw[pos:pos + 4 * k])
        pos += 4 * k
        return out

    while True:
        if pos + 4 > len(raw):
            raise _NotFast("dictionary runs past the end of what was read")
        rec, = ints(1)
        if rec == 2:
            vtype, has_label, n_missing, _, _ = ints(5)
            pos += 8  # short name
            if has_label == 1:
                length, = ints(1)
                pos += (length + 3) // 4 * 4
            pos += 8 * abs(n_missing)
            types.append(vtype)
        elif rec == 3:
            count, = ints(1)
            for _ in range(count):
                pos += 8
                length = raw[pos]
                pos += (length + 1 + 7) // 8 * 8
        elif rec == 4:
            count, = ints(1)
            pos += 4 * count
        elif rec == 6:
            lines, = ints(1)
            pos += 80 * lines
        elif rec == 7:
            subtype, size, count = ints(3)
            if subtype == 14:
                raise _NotFast("very long strings")
            if subtype == 4 and size == 8 and count >= 1:
                sysmis, = struct.unpack(e + "Q", raw[pos:pos + 8])
            pos += size * count
        elif rec == 999:
            ints(1)
            break
        else:
            raise _NotFast(f"unknown dictionary record {rec}")
    return {"endian": e, "compression": compression, "ncases": ncases, "bias": bias, "types": types,
            "offset": pos, "sysmis": sysmis}


def _read_dictionary(path: Path) -> dict:
    """The layout, reading more of the file until the whole dictionary is in hand."""
    size = 1 << 16
    with open(path, "rb") as fh:
        while True:
            fh.seek(0)
            raw = fh.read(size)
            try:
                return _layout(raw)
            except (_NotFast, struct.error, IndexError) as err:
                if len(raw) < size:  # the whole file was read
                    raise _NotFast(str(err)) from None
                if isinstance(err, _NotFast) and "past the end" not in str(err):
                    raise
                size *= 4


def _uncompressed(path: Path, lay: dict, slots: list[int], n_slots: int) -> tuple[list[np.ndarray], int]:
    """Columns of the slots, read in row chunks from an uncompressed data section."""
    row_bytes = 8 * n_slots
    avail = (path.stat().st_size - lay["offset"]) // row_bytes
    n = lay["ncases"] if lay["ncases"] >= 0 else avail
    if n > avail:
        raise _NotFast("fewer rows than the header says")
    dtype = np.dtype(lay["endian"] + "f8")
    out = [np.empty(n, dtype=np.float64) for _ in slots]
    step = max(1, CHUNK_BYTES // row_bytes)
    with open(path, "rb") as fh:
        fh.seek(lay["offset"])
        for start in range(0, n, step):
            m = min(step, n - start)
            block = np.fromfile(fh, dtype=dtype, count=m * n_slots).reshape(m, n_slots)
            for col, s in zip(out, slots):
                col[start:start + m] = block[:, s]
    return out, n


def _command_words(b: np.ndarray) -> np.ndarray:
    """Positions of the command words of a bytecode stream (8 codes, then one raw word per code 253).

    Every word p is taken as a possible command word whose next command word is p + 1 + (its count of
    code 253); the command words are the words reached from word 0. The set is found as the fixed
    point of M = {0} + next(M) started from all words (it shrinks to the words reached from 0, since
    next moves forward); a stream that needs too many steps is left to pyreadstat.
    """
    n_words = b.shape[0]
    nxt = np.arange(1, n_words + 1, dtype=np.int64) + (b == 253).sum(axis=1)
    nxt[(b == 252).any(axis=1)] = n_words  # end of data: nothing follows
    np.minimum(nxt, n_words, out=nxt)
    member = np.ones(n_words + 1, dtype=bool)
    member[n_words] = False
    for _ in range(MAX_SYNC_STEPS):
        new = np.zeros(n_words + 1, dtype=bool)
        new[nxt[member[:n_words]]] = True
        new[0] = True
        new[n_words] = False
        if np.array_equal(new, member):
            return np.flatnonzero(member[:n_words])
        member = new
    raise _NotFast("compressed stream did not synchronise")


def _bytecode(path: Path, lay: dict, slots: list[int], n_slots: int) -> tuple[list[np.ndarray], int]:
    """Columns of the slots from a bytecode-compressed data section."""
    with open(path, "rb") as fh:
        fh.seek(lay["offset"])
        stream = np.fromfile(fh, dtype=np.uint8)
    n_words = len(stream) // 8
    if n_words == 0:
        raise _NotFast("no data")
    b = stream[:n_words * 8].reshape(n_words, 8)
    cmd = _command_words(b)
    is_cmd = np.zeros(n_words, dtype=bool)
    is_cmd[cmd] = True
    codes = b[cmd].reshape(-1)
    end = np.flatnonzero(codes == 252)
    if len(end):
        codes = codes[:end[0]]
    last = cmd[-1]
    stop = min(n_words, last + 1 + int((b[last] == 253).sum()))
    raw_pos = np.flatnonzero(~is_cmd[:stop])
    codes = codes[codes != 0]  # padding
    n_values = len(codes)
    if n_values % n_slots or int((codes == 253).sum()) != len(raw_pos):
        raise _NotFast("compressed stream does not decode into whole cases")
    n = n_values // n_slots
    if lay["ncases"] >= 0 and lay["ncases"] != n:
        raise _NotFast("case count differs from the header")
    grid = codes.reshape(n, n_slots)
    raw_at = np.flatnonzero(codes == 253)  # the k-th code 253 takes the k-th raw word
    words = stream[:n_words * 8].view(lay["endian"] + "u8")
    raw_bits = words[raw_pos]
    out = []
    for s in slots:
        c = grid[:, s]
        v = c.astype(np.float64) - lay["bias"]
        is_raw = c == 253
        bits = raw_bits[np.searchsorted(raw_at, np.flatnonzero(is_raw) * n_slots + s)]
        rv = bits.astype("=u8").view(np.float64)
        rv[bits == lay["sysmis"]] = np.nan
        v[is_raw] = rv
        v[c >= 254] = np.nan  # 255 = system-missing (254 = spaces, text only)
        out.append(v)
    return out, n


def read_numeric(path: str | Path, meta, columns: list[str]) -> dict[str, np.ndarray] | None:
    """Numeric columns (float64) of a .sav by array operations, or None when pyreadstat must read it.

    ``meta`` is pyreadstat's metadata of the file (``read_sav(..., metadataonly=True)``).
    """
    path = Path(path)
    names = list(meta.column_names)
    want = [c for c in dict.fromkeys(columns) if c in names]
    for c in want:
        if meta.readstat_variable_types.get(c) != "double":
            return None
        if not NUMERIC_FORMAT.match(str(meta.original_variable_types.get(c, "F8.2"))):
            return None  # dates and times are converted by pyreadstat
    try:
        lay = _read_dictionary(path)
        slot_of = [i for i, t in enumerate(lay["types"]) if t != -1]
        if len(slot_of) != len(names) or any(lay["types"][slot_of[names.index(c)]] != 0 for c in want):
            return None
        slots = [slot_of[names.index(c)] for c in want]
        if lay["compression"] == 0:
            cols, n = _uncompressed(path, lay, slots, len(lay["types"]))
            for col in cols:
                col[col.view(np.uint64) == np.uint64(lay["sysmis"])] = np.nan
        elif lay["compression"] == 1:
            cols, n = _bytecode(path, lay, slots, len(lay["types"]))
        else:
            return None
    except (_NotFast, OSError, ValueError, struct.error, IndexError):
        return None
    if meta.number_rows not in (None, -1) and meta.number_rows != n:
        return None
    return dict(zip(want, cols))
