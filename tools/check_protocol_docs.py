#!/usr/bin/env python3
"""Checks that the protocol tables in docs/architecture.md match the actors' typed interfaces.

Every `using <name> = caf::typed_actor<...>;` in the role headers (actors/include/lora/actors/
shard.hpp, query.hpp, coordinator.hpp, wal_actor.hpp, schema.hpp) must have a table in the
docs, between <!-- protocol:begin --> and <!-- protocol:end -->, under a heading that names it
in backquotes, with one row per message: | `(atom, args...)` | `reply` or - | meaning |.
Exits 1 and says what differs otherwise. Python 3 standard library only.
Usage: check_protocol_docs.py [source dir]
"""
import re
import sys
from pathlib import Path

ROLE_HEADERS = ["shard.hpp", "query.hpp", "coordinator.hpp", "wal_actor.hpp", "schema.hpp"]
BEGIN, END = "<!-- protocol:begin -->", "<!-- protocol:end -->"


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def norm(s):
    """One spelling for a type list: no caf:: / lora:: prefixes, single spaces after commas."""
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\b(caf|lora|actors)::", "", s)
    s = re.sub(r"\s*([<>,])\s*", r"\1", s)
    return s.replace(",", ", ")


def angle_body(text, start):
    """text[start] is '<'; returns (inside, index after the matching '>')."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "<":
            depth += 1
        elif text[i] == ">":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
    raise ValueError("unbalanced <> in " + text[start : start + 80])


def split_top(s):
    parts, depth, cur = [], 0, ""
    for c in s:
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def header_interfaces(src):
    """{name: [(message, reply)]} from the role headers."""
    out = {}
    for h in ROLE_HEADERS:
        text = strip_comments((src / "actors/include/lora/actors" / h).read_text())
        for m in re.finditer(r"using\s+(\w+)\s*=\s*caf::typed_actor\s*<", text):
            body, _ = angle_body(text, m.end() - 1)
            sigs = []
            for item in split_top(body):
                r = re.match(r"caf::(reacts_to|replies_to)\s*<", item)
                if not r:
                    raise ValueError(f"{h}: {m.group(1)}: unexpected signature {item!r}")
                args, end = angle_body(item, r.end() - 1)
                reply = "-"
                rest = item[end:].strip()
                if r.group(1) == "replies_to":
                    w = re.match(r"::\s*with\s*<", rest)
                    if not w:
                        raise ValueError(f"{h}: replies_to without ::with<> in {item!r}")
                    reply, _ = angle_body(rest, w.end() - 1)
                    reply = norm(reply)
                sigs.append(("(" + norm(args) + ")", reply))
            out[m.group(1)] = sigs
    return out


def doc_tables(doc):
    """{name: [(message, reply)]} from the tables between the markers."""
    if BEGIN not in doc or END not in doc:
        raise ValueError(f"docs/architecture.md has no {BEGIN} ... {END} section")
    section = doc[doc.index(BEGIN) + len(BEGIN) : doc.index(END)]
    out, name = {}, None
    for line in section.splitlines():
        if line.startswith("#"):
            names = re.findall(r"`(\w+)`", line)
            name = names[0] if names else None
            if name is not None:
                out.setdefault(name, [])
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.strip().startswith("|") or len(cells) < 3:
            continue
        if cells[0] in ("message",) or set(cells[0]) <= set("-: "):
            continue
        if name is None:
            raise ValueError(f"table row outside a role heading: {line}")
        msg, reply = cells[0].strip("`"), cells[1].strip("`")
        out[name].append((norm(msg).replace("( ", "("), "-" if reply in ("-", "") else norm(reply)))
    return out


def main():
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    headers = header_interfaces(src)
    docs = doc_tables((src / "docs/architecture.md").read_text())
    problems = []
    for name in sorted(set(headers) | set(docs)):
        if name not in docs:
            problems.append(f"{name}: in the headers, no table in docs/architecture.md")
            continue
        if name not in headers:
            problems.append(f"{name}: a table in docs/architecture.md, no typed_actor in the headers")
            continue
        h, d = headers[name], docs[name]
        for sig in h:
            if sig not in d:
                problems.append(f"{name}: the docs lack {sig[0]} -> {sig[1]}")
        for sig in d:
            if sig not in h:
                problems.append(f"{name}: the docs list {sig[0]} -> {sig[1]}, the header does not")
        if not problems and [s for s in h] != [s for s in d]:
            problems.append(f"{name}: same messages, different order than the header")
    if problems:
        print("docs/architecture.md and the actor headers disagree:")
        for p in problems:
            print("  " + p)
        return 1
    total = sum(len(v) for v in headers.values())
    print(f"protocol docs match the headers: {len(headers)} interfaces, {total} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
