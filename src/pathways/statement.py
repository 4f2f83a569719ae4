"""A pathway's intended-purpose statement, read from its file without a YAML library.

``pathways --help`` shows the statement of the pathway in use (``$PATHWAYS_FILE``, else
the built-in one), and must start without PyYAML or pydantic (they cost more than the rest
of the command line). Code holds no clinical text, so the statement cannot be a constant
here: it is read from the document itself.

The reading is strict rather than clever. It understands the forms an author writes
(``metadata:`` at the top level, ``intended_purpose:`` one key inside it, its value a
plain, quoted or block scalar) and gives ``None`` for anything else: a file it cannot
read, a tag, an alias, a merge key, an escape, a second document, a key spelled twice,
unusual line breaks. Where it gives a text for a document YAML can read, that text is the
one the loader would give (the value with its white space folded, as ``schema.Text``
does); property tests hold it to PyYAML's reading. (A document YAML cannot read elsewhere
still shows the statement it holds; every command then refuses it, at file:line:col.)
``None`` means: say something neutral instead, never guess.

Layer 1: standard library only (``re`` is already loaded by click).
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_BYTES = 1 << 20
"""Files larger than this are not read for ``--help`` (the statement is near the top)."""

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+(.*))?$")
"""A plain key and what follows it on the line (a value, a comment, a block indicator)."""
_DOUBLE = re.compile(r'"([^"\\]*)"(?:[ ]+#.*)?$')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?:[ ]+#.*)?$")
_FLOW_LIST = re.compile(r"\[[^\[\]{}\"'#&*!|>]*\](?:[ ]+#.*)?$")
"""A flow list that opens and closes on its line, of plain words (``tags: [a, b]``)."""
_BLOCK = re.compile(r"[>|][-+]?(?:[ ]+#.*)?$")
_ODD_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t]")
"""Line breaks YAML and Python count differently, and tabs: such a file is not read."""
_NOT_PRINTABLE = re.compile("[^\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML refuses anywhere in a document (then so does the loader)."""


def intended_purpose(path: Path) -> str | None:
    """The statement in the pathway file at ``path``, or None if it cannot be read plainly."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if len(data) > MAX_BYTES:
        return None
    return statement_in(text)


def statement_in(text: str) -> str | None:
    """The intended-purpose statement in a pathway document's text, or None."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if _ODD_BREAKS.search(text) or _NOT_PRINTABLE.search(text):
        return None
    lines = text.split("\n")
    block = _metadata_block(lines)
    if block is None:
        return None
    start, end = block
    indent = _indent_of(lines, start, end)
    if indent is None:
        return None
    found: list[int] = []
    for number in range(start, end):
        line = lines[number]
        if _skipped(line) or _indentation(line) > indent:
            continue
        if _indentation(line) < indent:
            return None
        key = _KEY.match(line[indent:])
        if key is None or not _one_line(key.group(2) or ""):
            return None  # a list, a quoted or complex key, a quote going on past the line
        if key.group(1) == "intended_purpose":
            found.append(number)
        elif "intended_purpose" in line or key.group(1) == "<<":
            return None
    if len(found) != 1:
        return None
    return _value(lines, found[0], indent, end)


def _metadata_block(lines: list[str]) -> tuple[int, int] | None:
    """The lines of the top-level ``metadata:`` mapping (start, end), if it is plain."""
    starts = []
    for number, line in enumerate(lines):
        if _skipped(line) or line[0] == " ":
            continue
        key = _KEY.match(line)
        if key is None or key.group(1) == "<<":
            return None  # a directive, a document marker, a quoted key, a list...
        if not _one_line(key.group(2) or ""):
            return None
        if key.group(1) == "metadata":
            if (key.group(2) or "#").lstrip()[0] != "#":
                return None  # metadata: &anchor, metadata: {...}, metadata: !tag
            starts.append(number)
    if len(starts) != 1:
        return None
    start = starts[0] + 1
    end = start
    while end < len(lines) and (_skipped(lines[end]) or lines[end][0] == " "):
        end += 1
    return start, end


def _indent_of(lines: list[str], start: int, end: int) -> int | None:
    """The indentation of the mapping's keys: that of its first line."""
    for number in range(start, end):
        if not _skipped(lines[number]):
            return _indentation(lines[number])
    return None


def _value(lines: list[str], at: int, indent: int, end: int) -> str | None:
    """The value of the key at line ``at``, with its white space folded."""
    after = (_KEY.match(lines[at][indent:]) or _never()).group(2) or ""
    more = []
    for number in range(at + 1, end):
        line = lines[number]
        if line.strip() and _indentation(line) <= indent and not _skipped(line):
            break
        more.append(line)
    while more and not more[-1].strip():
        more.pop()
    if _BLOCK.match(after):
        body = [line for line in more if line.strip()]
        if not body:
            return None
        first = _indentation(body[0])
        if any(_indentation(line) < first for line in body):
            return None
        return _folded(" ".join(body))
    if any(line.strip() and not line.lstrip().startswith("#") for line in more):
        return None  # a value that goes on over more lines: not read here
    if after.startswith('"'):
        double = _DOUBLE.match(after)
        return _folded(double.group(1)) if double else None
    if after.startswith("'"):
        single = _SINGLE.match(after)
        return _folded(single.group(1).replace("''", "'")) if single else None
    plain = after.split(" #", 1)[0].rstrip()
    if not plain[:1].isalpha() or " " not in plain or ": " in plain or plain.endswith(":"):
        return None  # not plainly a string (a number, a date, yes/no, null, an indicator)
    return _folded(plain)


def _one_line(value: str) -> bool:
    """Whether a value that opens a quote also closes it on its line (a flow collection,
    which may go on over lines, is not read; a list of plain words on one line, as tags
    are written, is passed over)."""
    if value.startswith("["):
        return _FLOW_LIST.match(value) is not None
    if value.startswith("{"):
        return False
    if value.startswith('"'):
        return _DOUBLE.match(value) is not None
    if value.startswith("'"):
        return _SINGLE.match(value) is not None
    return True


def _folded(value: str) -> str | None:
    return " ".join(value.split()) or None


def _skipped(line: str) -> bool:
    """A blank line or a comment line."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _never() -> re.Match[str]:
    raise AssertionError("the key line was matched before")
