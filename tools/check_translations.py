#!/usr/bin/env python3
"""Fail when a kk, ru or ky catalogue lacks an entry of the template, has an untranslated
or fuzzy entry, or when a compiled catalogue is older than its source.

Usage: python tools/check_translations.py  (exit 1 with a list of problems)
"""
from __future__ import annotations

import pathlib
import sys

from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parent.parent / "app" / "translations"
LOCALES = ("kk", "ru", "ky")


def problems(root: pathlib.Path = ROOT, locales=LOCALES) -> list[str]:
    out: list[str] = []
    with open(root / "messages.pot", encoding="utf-8") as fh:
        template = read_po(fh)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for loc in locales:
        po_path = root / loc / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            out.append(f"{loc}: no catalogue at {po_path}")
            continue
        with open(po_path, encoding="utf-8") as fh:
            cat = read_po(fh, locale=loc)
        have = {}
        for m in cat:
            if m.id:
                have[m.id if isinstance(m.id, str) else m.id[0]] = m
        for msgid in sorted(wanted - set(have)):
            out.append(f"{loc}: missing entry {msgid!r} (run `make translations`)")
        for key, m in have.items():
            strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
            if not all(s for s in strings):
                out.append(f"{loc}: untranslated {key!r}")
            if m.fuzzy:
                out.append(f"{loc}: fuzzy {key!r}")
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime + 1 < po_path.stat().st_mtime:
            out.append(f"{loc}: compiled catalogue is older than the source (run `make translations`)")
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"translations: {len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
