#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/run.sh): for fuzz_cypher every query of
the engine cases (tests/engine/cases) and, when the openCypher TCK is at hand, every query of
its scenarios; for fuzz_packstream a set of Bolt requests and values encoded here; empty
ones for fuzz_codec and fuzz_wal.

usage: seeds.py REPO_ROOT OUT_DIR [TCK_FEATURES_DIR]"""
import hashlib
import os
import re
import struct
import sys


def write(dir_, data):
    os.makedirs(dir_, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(dir_, name), "wb") as f:
        f.write(data)


def cypher_seeds(root, tck, out):
    n = 0
    cases = os.path.join(root, "tests", "engine", "cases")
    for name in sorted(os.listdir(cases)):
        with open(os.path.join(cases, name), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^(query|setup): (.*)$", line.rstrip("\n"))
                if m:
                    write(out, m.group(2).encode())
                    n += 1
    if tck and os.path.isdir(tck):
        for dirpath, _, files in os.walk(tck):
            for name in files:
                if not name.endswith(".feature"):
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    text = f.read()
                for block in re.findall(r'"""\n(.*?)\n\s*"""', text, re.S):
                    write(out, "\n".join(l.strip() for l in block.splitlines()).encode())
                    n += 1
    return n


# PackStream v2, enough to write seeds.
def ps(v):
    if v is None:
        return b"\xC0"
    if v is True:
        return b"\xC3"
    if v is False:
        return b"\xC2"
    if isinstance(v, int):
        if -16 <= v < 128:
            return struct.pack(">b", v)
        for marker, fmt, lo, hi in ((0xC8, ">b", -128, 127), (0xC9, ">h", -2**15, 2**15 - 1),
                                    (0xCA, ">i", -2**31, 2**31 - 1)):
            if lo <= v <= hi:
                return bytes([marker]) + struct.pack(fmt, v)
        return b"\xCB" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xC1" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        return sized(len(b), 0x80, 0xD0) + b
    if isinstance(v, bytes):
        return b"\xCC" + bytes([len(v)]) + v
    if isinstance(v, list):
        return sized(len(v), 0x90, 0xD4) + b"".join(ps(x) for x in v)
    if isinstance(v, dict):
        return sized(len(v), 0xA0, 0xD8) + b"".join(ps(k) + ps(x) for k, x in v.items())
    if isinstance(v, tuple):  # (signature, fields...)
        return bytes([0xB0 + len(v) - 1, v[0]]) + b"".join(ps(x) for x in v[1:])
    raise TypeError(v)


def sized(n, tiny, m8):
    if n < 16:
        return bytes([tiny + n])
    if n < 256:
        return bytes([m8, n])
    if n < 65536:
        return bytes([m8 + 1]) + struct.pack(">H", n)
    return bytes([m8 + 2]) + struct.pack(">I", n)


def packstream_seeds(out):
    auth = {"scheme": "basic", "principal": "neo4j", "credentials": "s3cret"}
    requests = [
        (0x01, {"user_agent": "seed/1", "routing": {"address": "127.0.0.1:7687"}, **auth}),
        (0x6A, auth),
        (0x6B,),
        (0x10, "MATCH (n:Person {id: $id}) RETURN n", {"id": 7},
         {"db": "neo4j", "mode": "r", "bookmarks": ["lora:1"], "tx_timeout": 1000,
          "tx_metadata": {"app": "seed"}}),
        (0x3F, {"n": -1, "qid": -1}),
        (0x2F, {"n": 100}),
        (0x11, {"db": "neo4j", "tx_metadata": {}}),
        (0x12,),
        (0x13,),
        (0x0F,),
        (0x02,),
        (0x66, {"address": "127.0.0.1:7687"}, [], {"db": None}),
        (0x54, 2),
    ]
    for r in requests:
        write(out, ps(r))
    values = [
        None, True, 0, -16, 127, -129, 40000, 2**40, -2**63, 1.5, "", "héllo", "x" * 300,
        b"\x00\x01", [1, [2, [3]]], {"a": {"b": [None]}}, list(range(20)),
        (0x4E, 1, ["Person"], {"id": 1}, "4:x:1"),
        (0x52, 5, 1, 2, "KNOWS", {}, "5:x:5", "4:x:1", "4:x:2"),
        (0x50, [(0x4E, 1, [], {}, "1")], [(0x72, 3, "R", {}, "3")], [1, 1]),
    ]
    for v in values:
        write(out, ps(v))
        write(out, ps((0x71, [v])))  # as a RECORD
    return len(requests) + 2 * len(values)


def main():
    root, out = sys.argv[1], sys.argv[2]
    tck = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "..", "shared", "tck", "features")
    c = cypher_seeds(root, tck, os.path.join(out, "cypher"))
    p = packstream_seeds(os.path.join(out, "packstream"))
    # fuzz_codec and fuzz_wal start from nothing: their formats carry checksums and
    # flatbuffer offsets this script does not compute; the fuzzers find the magic and the
    # structure through their comparison tracing.
    for target in ("codec", "wal"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    print(f"seeds: {c} Cypher queries, {p} PackStream messages and values in {out}")


if __name__ == "__main__":
    main()
