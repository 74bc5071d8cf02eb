#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/run.sh): for fuzz_cypher every query of
the engine cases (tests/engine/cases) and, when the openCypher TCK is at hand, every query of
its scenarios; for fuzz_packstream a set of Bolt requests and values encoded here; for
fuzz_json the request bodies of the README and docs, bodies like the net tests' (bad ones,
temporal parameters) and every Cypher seed wrapped into a body; for fuzz_http requests to
every route carrying those bodies (chunked, with query strings, bad ones); empty ones for
fuzz_codec and fuzz_wal (fuzz_checkpoint writes its own: run.sh).

usage: seeds.py REPO_ROOT OUT_DIR [TCK_FEATURES_DIR]"""
import hashlib
import json
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
    queries = []
    cases = os.path.join(root, "tests", "engine", "cases")
    for name in sorted(os.listdir(cases)):
        with open(os.path.join(cases, name), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^(query|setup): (.*)$", line.rstrip("\n"))
                if m:
                    queries.append(m.group(2))
    if tck and os.path.isdir(tck):
        for dirpath, _, files in os.walk(tck):
            for name in files:
                if not name.endswith(".feature"):
                    continue
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    text = f.read()
                for block in re.findall(r'"""\n(.*?)\n\s*"""', text, re.S):
                    queries.append("\n".join(l.strip() for l in block.splitlines()))
    for q in queries:
        write(out, q.encode())
    return queries


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


def json_bodies(root):
    """The bodies the README and docs show, then ones like the net tests send."""
    bodies = []
    for doc in [os.path.join(root, "README.md")] + [
            os.path.join(root, "docs", n) for n in sorted(os.listdir(os.path.join(root, "docs")))
            if n.endswith(".md")]:
        with open(doc, encoding="utf-8") as f:
            bodies += re.findall(r"'(\{\s*\"query\".*?\})'", f.read())
    temporal = {"d": {"$date": "2015-07-21"}, "lt": {"$localtime": "21:40:32.142"},
                "t": {"$time": "21:40:32.142+01:00"},
                "ldt": {"$localdatetime": "2015-07-21T21:40:32.142"},
                "dt": {"$datetime": "2015-07-21T21:40:32.142+01:00[Europe/London]"},
                "dur": {"$duration": "P1Y2M3DT4H"}}
    params = {"name": "Ann", "age": 42, "big": 2**63, "neg": -2**63, "f": 1.5e300, "e": 1e-5,
              "ok": True, "none": None, "list": [1, "two", [3.0, None]], "map": {"a": {"b": []}},
              "esc": "tab\t quote\" snow\u2603", **temporal}
    bodies += [json.dumps({"query": "RETURN $name, $age", "params": params}),
               json.dumps({"query": "RETURN $d", "params": {"d": {"$date": "July"}}}),
               json.dumps({"query": "RETURN $d", "params": {"d": {"$date": 1}}}),
               json.dumps({"query": "RETURN 1 AS one", "params": None}),
               json.dumps({"query": "RETURN 1", "params": [1]}),
               json.dumps({"query": 42}), "{}", "[1, 2]", '{"query": ',
               "[" * 300 + "]" * 300, '{"query": "RETURN 1", "x": "' + "x" * 100 + '"}']
    return bodies


def json_seeds(root, queries, out):
    bodies = json_bodies(root) + [json.dumps({"query": q}) for q in queries]
    for b in bodies:
        write(out, b.encode())
    return bodies


def http_seeds(bodies, out):
    def req(method, target, body=b"", headers=()):
        head = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:4747", *headers]
        if body:
            head.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    def chunked(target, body):
        mid = len(body) // 2
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (body[:mid], body[mid:]) if c)
        return req("POST", target, headers=("Transfer-Encoding: chunked",)) + chunks + b"0\r\n\r\n"

    reqs = [req("GET", "/health"), req("GET", "/metrics?x=1"), req("GET", "/admin/wal/status"),
            req("POST", "/tx"), req("POST", "/tx/lora-tx-1/commit"),
            req("POST", "/tx/lora-tx-1/rollback", headers=("Connection: close",)),
            req("POST", "/admin/checkpoint", headers=("Authorization: Bearer s3cret",)),
            req("POST", "/admin/snapshot/save", b'{"name": "s1"}'), req("GET", "/query"),
            req("DELETE", "/tx/x"), req("GET", "/nowhere"), b"GET / HTTP/1.0\r\n\r\n",
            b"POST /query HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{}", b"\r\n\r\n"]
    for i, body in enumerate(bodies[:200]):
        b = body.encode()
        target = ("/query", "/explain", "/profile", "/query/stream", "/tx/t-1/query")[i % 5]
        reqs.append(req("POST", target, b, ("Content-Type: application/json",
                                              "Expect: 100-continue", "X-Mixed-CASE: v")))
        if i % 10 == 0:
            reqs.append(chunked(target + "?explain=true", b))
    for r in reqs:
        write(out, r)
    return len(reqs)


def main():
    root, out = sys.argv[1], sys.argv[2]
    tck = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "..", "shared", "tck", "features")
    queries = cypher_seeds(root, tck, os.path.join(out, "cypher"))
    bodies = json_seeds(root, queries, os.path.join(out, "json"))
    h = http_seeds(bodies, os.path.join(out, "http"))
    p = packstream_seeds(os.path.join(out, "packstream"))
    # fuzz_codec and fuzz_wal start from nothing: their formats carry checksums and
    # flatbuffer offsets this script does not compute; the fuzzers find the magic and the
    # structure through their comparison tracing.
    for target in ("codec", "wal"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    print(f"seeds: {len(queries)} Cypher queries, {p} PackStream messages and values, "
          f"{len(bodies)} JSON bodies, {h} HTTP requests in {out}")


if __name__ == "__main__":
    main()
