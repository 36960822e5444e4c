#!/usr/bin/env python3
"""Regenerates the configuration reference in docs/usage.md from the settings table.

Usage: python3 docs/update-settings-reference.py [path/to/scns]   (default: build/app/scns/scns)

Replaces the block between <!-- settings-reference:begin --> and <!-- settings-reference:end -->
with the output of `scns settings --markdown`; test_run_config fails while the two differ.
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
scns = sys.argv[1] if len(sys.argv) > 1 else str(root / "build/app/scns/scns")
block = subprocess.run([scns, "settings", "--markdown"], check=True, capture_output=True, text=True).stdout
doc = root / "docs/usage.md"
text = doc.read_text()
begin, end = "<!-- settings-reference:begin -->\n", "<!-- settings-reference:end -->"
if begin not in text or end not in text:
    sys.exit(f"{doc}: the settings-reference markers are missing")
start, stop = text.index(begin) + len(begin), text.index(end)
doc.write_text(text[:start] + block + text[stop:])
print(f"{doc}: configuration reference regenerated ({block.count(chr(10))} lines)")
