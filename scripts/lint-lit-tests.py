#!/usr/bin/env python3
"""Finds lit tests whose checks can never run.

A test that cannot fail is a defect. For every .mlir/.test file under the
given directories (Inputs/ folders skipped), this reports:
  * check directives (CHECK:, CHECK-NEXT:, ...) in a file with no RUN line
    that pipes into FileCheck;
  * directives whose prefix no FileCheck RUN line declares (a misspelled or
    forgotten --check-prefix);
  * lines that look like a directive but are malformed (missing colon,
    unknown suffix such as CHECK-NXT), which FileCheck silently ignores;
  * RUN lines without a colon, which lit silently ignores;
  * expected-error/-warning/-note/-remark annotations in a file whose RUN
    lines never pass -verify-diagnostics.
Exit status 1 when anything is found, with one `file:line: message` each.
"""
import os
import re
import sys

SUFFIXES = (".mlir", ".test")
DIRECTIVE_SUFFIXES = {"", "-NEXT", "-SAME", "-NOT", "-LABEL", "-DAG", "-EMPTY"}
COMMENT = r"^\s*(?://+|#+|;+)?\s*"
RUN_RE = re.compile(COMMENT + r"RUN:(.*)$")
RUN_NO_COLON_RE = re.compile(COMMENT + r"RUN(?![:\w-])")
EXPECTED_RE = re.compile(r"\bexpected-(error|warning|note|remark)\s*(@[-+\w]*)?\s*\{\{")


def run_lines(lines):
    """Joins RUN lines continued with a trailing backslash."""
    commands, current = [], ""
    for number, line in enumerate(lines, 1):
        m = RUN_RE.match(line)
        if not m:
            continue
        text = m.group(1).rstrip()
        if text.endswith("\\"):
            current += text[:-1] + " "
            continue
        commands.append((number, current + text))
        current = ""
    return commands


def declared_prefixes(command):
    """Prefixes that the FileCheck invocations of one RUN command accept."""
    prefixes = set()
    for m in re.finditer(r"\bFileCheck\b([^|;&]*)", command):
        args = m.group(1)
        found = False
        for opt in re.finditer(r"--?check-prefix(?:es)?[= ]([\w,-]+)", args):
            prefixes.update(p for p in opt.group(1).split(",") if p)
            found = True
        if not found:
            prefixes.add("CHECK")
    return prefixes


def lint_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    problems = []
    commands = run_lines(lines)
    prefixes = set()
    for _, command in commands:
        prefixes |= declared_prefixes(command)
    verifies = any("-verify-diagnostics" in c for _, c in commands)

    # Any all-caps word followed by a directive-like suffix and a colon is a
    # candidate; so is a declared prefix used without a colon.
    candidate = re.compile(COMMENT + r"([A-Z][A-Z0-9_]*)((?:-[A-Z0-9]+)*)\s*(:?)")
    has_directive = False
    for number, line in enumerate(lines, 1):
        if RUN_RE.match(line):
            continue
        if RUN_NO_COLON_RE.match(line):
            problems.append((number, "RUN line without a colon is ignored by lit"))
            continue
        m = candidate.match(line)
        if m:
            word, suffix, colon = m.group(1), m.group(2), m.group(3)
            count = re.fullmatch(r"-COUNT-\d+", suffix or "")
            looks_like_check = word in prefixes or word.startswith("CHECK")
            if looks_like_check:
                if colon and (suffix in DIRECTIVE_SUFFIXES or count):
                    has_directive = True
                    if prefixes and word not in prefixes:
                        problems.append((number, f"prefix '{word}' is not declared by any "
                                                 "FileCheck RUN line"))
                elif colon:
                    problems.append((number, f"unknown directive '{word}{suffix}:'"))
                elif suffix in DIRECTIVE_SUFFIXES or count:
                    problems.append((number, f"directive '{word}{suffix}' lacks a colon "
                                             "and is ignored by FileCheck"))
        if EXPECTED_RE.search(line) and not verifies:
            problems.append((number, "expected-* diagnostic is never checked: no RUN "
                                     "line passes -verify-diagnostics"))
    if has_directive and not prefixes:
        problems.append((1, "check directives never reach FileCheck: no RUN line "
                            "pipes into FileCheck"))
    if commands == [] and (has_directive or any(EXPECTED_RE.search(l) for l in lines)):
        problems.append((1, "test has checks but no RUN line"))
    return problems


def main(argv):
    if len(argv) < 2:
        print("usage: lint-lit-tests.py DIR_OR_FILE...", file=sys.stderr)
        return 2
    files = []
    for root in argv[1:]:
        if os.path.isfile(root):
            files.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "Inputs")
            files += [os.path.join(dirpath, f) for f in sorted(filenames)
                      if f.endswith(SUFFIXES)]
    count = 0
    for path in files:
        for number, message in lint_file(path):
            print(f"{path}:{number}: {message}")
            count += 1
    print(f"lint-lit-tests: {len(files)} files, {count} problems")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
