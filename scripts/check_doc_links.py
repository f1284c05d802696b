#!/usr/bin/env python3
"""Checks the links between the repository's Markdown files: every relative link names a file
that exists, and every `#anchor` names a heading of its target (GitHub's anchor rules). Links
to the web are not fetched (the test command runs offline). Exits 1 listing the broken links.

Usage: scripts/check_doc_links.py [ROOT]   (default: the repository root)
"""

import re
import sys
from pathlib import Path

SKIP_DIRS = {".git", ".venv", "target", ".aws-sam", "node_modules"}
# [text](target) outside code; images too. Targets with spaces are not used in this repository.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_files(root):
    for path in sorted(root.rglob("*.md")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def prose_lines(text):
    """The lines outside fenced code blocks, with inline code spans blanked out."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, re.sub(r"`[^`]*`", "``", line)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen = {}
        names = set()
        in_fence = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            match = None if in_fence else HEADING.match(line)
            if match:
                base = slug(match.group(2))
                count = seen.get(base, 0)
                seen[base] = count + 1
                names.add(base if count == 0 else f"{base}-{count}")
        cache[path] = names
    return cache[path]


def broken_links(root):
    for source in markdown_files(root):
        for number, line in prose_lines(source.read_text(encoding="utf-8")):
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                    continue
                file_part, _, anchor = target.partition("#")
                dest = (source.parent / file_part).resolve() if file_part else source
                where = f"{source.relative_to(root)}:{number}: {target}"
                if not dest.exists():
                    yield f"{where}: no such file"
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    yield f"{where}: no heading #{anchor} in {dest.relative_to(root)}"


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent).resolve()
    problems = list(broken_links(root))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"doc links: {sum(1 for _ in markdown_files(root))} Markdown files, all links resolve")


if __name__ == "__main__":
    main()
