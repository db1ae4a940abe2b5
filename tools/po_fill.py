#!/usr/bin/env python3
"""Fill untranslated entries of a catalogue from other catalogues (same locale).

Usage: python tools/po_fill.py TARGET.po SOURCE.po [SOURCE.po ...]
Used to merge translations made on another branch, or a translator's file, without
overwriting what TARGET already has.
"""
from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def _key(m):
    return m.id if isinstance(m.id, str) else m.id[0]


def fill(target: str, sources: list[str]) -> int:
    with open(target, encoding="utf-8") as fh:
        cat = read_po(fh)
    known = {}
    for src in sources:
        with open(src, encoding="utf-8") as fh:
            for m in read_po(fh):
                strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
                if m.id and all(strings) and not m.fuzzy:
                    known.setdefault(_key(m), m.string)
    filled = 0
    for m in cat:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if (not all(strings) or m.fuzzy) and _key(m) in known:
            new = known[_key(m)]
            if isinstance(m.id, (list, tuple)) and not isinstance(new, (list, tuple)):
                continue
            m.string = new
            m.flags.discard("fuzzy")
            filled += 1
    with open(target, "wb") as fh:
        write_po(fh, cat, width=100)
    return filled


if __name__ == "__main__":
    print(f"filled {fill(sys.argv[1], sys.argv[2:])} entries")
