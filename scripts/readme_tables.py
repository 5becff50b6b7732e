#!/usr/bin/env python3
"""Copies committed benchmark outputs into README.md between markers, so no figure there is typed by hand.

    <!-- results: Benchmarks/accuracy/results/m4_hourly_test.md -->
    ...replaced by that file's contents...
    <!-- end results -->

Blocks in use: Benchmarks/accuracy/results/{m4_hourly_test,m4_hourly_validate,m4_hourly_validate_seeds,rolling_all}.md
the speed table Benchmarks/reference/results/speed.md (written by Benchmarks/reference/run.sh), and the
panel benchmark's Benchmarks/panel/results/panel.md (written by python3 Benchmarks/panel/run.py):

    <!-- results: Benchmarks/panel/results/panel.md -->
    <!-- end results -->

    python3 scripts/readme_tables.py          # rewrite README.md
    python3 scripts/readme_tables.py --check  # exit 1 if README.md differs from the results (the test suite does the same)
"""
import os, re, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BLOCK = re.compile(r"(<!-- results: (\S+) -->\n)(.*?)(<!-- end results -->)", re.S)


def render(text):
    def fill(m):
        with open(os.path.join(ROOT, m.group(2)), encoding="utf-8") as f:
            body = f.read().strip() + "\n"
        return m.group(1) + body + m.group(4)
    return BLOCK.sub(fill, text)


def main():
    path = os.path.join(ROOT, "README.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            sys.exit("README.md differs from the committed benchmark results: run python3 scripts/readme_tables.py")
        return
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(new)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
