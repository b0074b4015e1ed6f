"""Streaming, hardened XML reading for the list parsers.

The parsers drive expat directly instead of ``xml.etree.ElementTree.parse`` for two reasons:

- Safety. expat never fetches external entities or DTDs, and the handlers below refuse any
  document type declaration or entity declaration outright (the approach of defusedxml), so
  entity expansion ("billion laughs") and external-entity attacks cannot occur. Official list
  files have no DTD, so nothing legitimate is refused.
- Line numbers. Malformed records are reported as (file, line, reason); expat knows the line on
  which each record starts, ElementTree's iterparse does not.

Records are yielded one by one and discarded, so memory stays flat on large lists.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - only Element/TreeBuilder; parsing is expat below
from collections.abc import Iterator
from xml.parsers import expat

from .types import Malformed, ParseReport, ParseResult, count_entries

_CHUNK = 1 << 16


class UnsafeXMLError(ValueError):
    """The document declares a DTD or entities, which list files never need."""


def _local(tag: str) -> str:
    # Namespaces are not processed: "ns:tag" and "tag" both become "tag".
    return tag.rsplit(":", 1)[-1]


def iter_records(data: bytes, record_tags: frozenset[str]) -> Iterator[tuple[int, ET.Element]]:
    """Yield (start line, element) for each element whose local name is in ``record_tags``.

    Elements have namespace prefixes stripped from their tags. Raises ``expat.ExpatError`` on
    ill-formed XML (after yielding every record completed before the error) and
    :class:`UnsafeXMLError` on DTDs or entity declarations.
    """
    parser = expat.ParserCreate()
    builder: ET.TreeBuilder | None = None
    depth_in_record = 0
    start_line = 0
    done: list[tuple[int, ET.Element]] = []

    def refuse(*_args):
        raise UnsafeXMLError("document type or entity declarations are not allowed")

    def start(tag, attrs):
        nonlocal builder, depth_in_record, start_line
        tag = _local(tag)
        if builder is None and tag in record_tags:
            builder = ET.TreeBuilder()
            start_line = parser.CurrentLineNumber
        if builder is not None:
            depth_in_record += 1
            builder.start(tag, {_local(k): v for k, v in attrs.items()})

    def end(tag):
        nonlocal builder, depth_in_record
        if builder is None:
            return
        builder.end(_local(tag))
        depth_in_record -= 1
        if depth_in_record == 0:
            done.append((start_line, builder.close()))
            builder = None

    def text(data):
        if builder is not None:
            builder.data(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True

    for offset in range(0, len(data), _CHUNK):
        parser.Parse(data[offset : offset + _CHUNK], False)
        yield from done
        done.clear()
    parser.Parse(b"", True)
    yield from done


def text_of(element: ET.Element | None, path: str) -> str:
    """Stripped text of the first match of ``path`` under ``element``; "" when absent."""
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def texts_of(element: ET.Element, path: str) -> list[str]:
    """Stripped, non-empty texts of every match of ``path`` under ``element``."""
    return [t for t in ((e.text or "").strip() for e in element.iterfind(path)) if t]


def parse_xml_list(source, *, source_code: str, record_tags: frozenset[str], entry, reference_label: str):
    """Parse a whole XML list: every record through ``entry`` (a ListEntry or a reason string).

    Malformed and duplicate records are reported with their line and skipped. Ill-formed XML
    keeps everything read before the damage; a DTD or entity declaration refuses the file.
    Shared by the UN and EU parsers, whose files differ only in record shape.
    """
    entries = []
    malformed: list[Malformed] = []
    seen: set[str] = set()
    records = 0
    try:
        for line, record in iter_records(source.data, record_tags):
            records += 1
            parsed = entry(record)
            if isinstance(parsed, str):
                malformed.append(Malformed(source.name, line, parsed))
            elif parsed.ref in seen:
                malformed.append(Malformed(source.name, line, f"duplicate {reference_label} {parsed.ref}"))
            else:
                seen.add(parsed.ref)
                entries.append(parsed)
    except expat.ExpatError as exc:
        # Everything before the damage is kept; the rest of the file cannot be read.
        malformed.append(Malformed(source.name, exc.lineno, f"XML error: {exc}"))
    except UnsafeXMLError as exc:
        malformed.append(Malformed(source.name, 1, str(exc)))
    result_entries = tuple(entries)
    report = ParseReport(
        source=source_code,
        checksums={source.name: source.sha256},
        counts=count_entries(result_entries, records=records, malformed=len(malformed)),
        malformed=tuple(malformed),
    )
    return ParseResult(entries=result_entries, report=report)
