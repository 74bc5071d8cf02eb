// The end-to-end suite every driver version runs against a real lorad: values, entities,
// auto-commit, explicit and managed transactions, errors (a memory limit's among them), a
// large result with a small fetch size, neo4j:// routing, bookmarks, wrong credentials, a
// read-only token, TLS (bolt+ssc:// and a trusted certificate) and many concurrent sessions.
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startLorad } = require('./lorad')

const TOKEN = 's3cret'
const READ_TOKEN = 'read-0nly'

// A self-signed certificate for 127.0.0.1 made by the openssl tool: { dir, cert, key }.
function makeCert () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lora-bolt-js-tls-'))
  const cert = path.join(dir, 'server.crt')
  const key = path.join(dir, 'server.key')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  return { dir, cert, key }
}

// `major`: the driver's major version (4, 5 or 6); `bolt`: the protocol it must negotiate.
function suite (neo4j, { major, bolt }) {
  let lorad
  let driver
  const auth = neo4j.auth.basic('neo4j', TOKEN)
  const writeTx = (s, fn) => (s.executeWrite ? s.executeWrite(fn) : s.writeTransaction(fn))
  const readTx = (s, fn) => (s.executeRead ? s.executeRead(fn) : s.readTransaction(fn))
  const num = v => (neo4j.isInt(v) ? v.toNumber() : v)

  before(async () => {
    lorad = await startLorad(['--auth-token', TOKEN, '--read-token', READ_TOKEN,
      '--query-memory-limit', '256MiB'])
    driver = neo4j.driver(`bolt://127.0.0.1:${lorad.bolt}`, auth)
    await driver.verifyConnectivity()
  })

  after(async () => {
    if (driver) await driver.close()
    if (lorad) assert.equal(await lorad.stop(), 0)
  })

  test('negotiates the expected protocol version', async () => {
    const session = driver.session()
    try {
      const { summary } = await session.run('RETURN 1')
      assert.equal(Number(summary.server.protocolVersion), bolt)
      assert.match(summary.server.agent, /^Neo4j\//)
    } finally {
      await session.close()
    }
  })

  test('values round-trip as parameters and results', async () => {
    const session = driver.session()
    try {
      const values = {
        nul: null,
        t: true,
        f: false,
        tiny: neo4j.int(7),
        neg: neo4j.int(-17),
        i16: neo4j.int(1000),
        i32: neo4j.int(100000),
        i64: neo4j.int('9223372036854775807'),
        min: neo4j.int('-9223372036854775808'),
        flt: 3.25,
        str: 'héllo 日本 😀',
        empty: '',
        list: [neo4j.int(1), 'two', 3.5, null, [true]],
        map: { a: neo4j.int(1), nested: { b: ['x'] } },
        long: 'x'.repeat(70000)
      }
      const keys = Object.keys(values)
      const result = await session.run(`RETURN ${keys.map(k => `$${k} AS ${k}`).join(', ')}`, values)
      const record = result.records[0]
      for (const k of keys) assert.deepEqual(record.get(k), values[k], k)
      // Computed values come back with their types.
      const r2 = await session.run('RETURN 1 AS i, 1.5 AS f, [1, 2] AS l, {k: "v"} AS m, 2^62 AS big')
      const rec = r2.records[0]
      assert.ok(neo4j.isInt(rec.get('i')))
      assert.equal(rec.get('f'), 1.5)
      assert.deepEqual(rec.get('l'), [neo4j.int(1), neo4j.int(2)])
      assert.deepEqual(rec.get('m'), { k: 'v' })
    } finally {
      await session.close()
    }
  })

  test('temporal values round-trip as parameters and results', async () => {
    const T = neo4j.types
    const params = {
      d: new T.Date(2024, 2, 29),
      lt: new T.LocalTime(12, 30, 15, 5),
      t: new T.Time(12, 30, 15, 5, 3600),
      ldt: new T.LocalDateTime(2024, 2, 29, 12, 30, 15, 5),
      dto: new T.DateTime(2024, 2, 29, 12, 30, 15, 5, -5400),
      dtz: new T.DateTime(2024, 7, 1, 12, 0, 0, 0, undefined, 'Europe/Paris'),
      dur: new T.Duration(14, 3, 5, 7)
    }
    const session = driver.session()
    try {
      const r = await session.run(
        `RETURN $d = date('2024-02-29') AS d, $lt = localtime('12:30:15.000000005') AS lt,
                $t = time('12:30:15.000000005+01:00') AS t,
                $ldt = localdatetime('2024-02-29T12:30:15.000000005') AS ldt,
                $dto = datetime('2024-02-29T12:30:15.000000005-01:30') AS dto,
                $dtz = datetime('2024-07-01T12:00[Europe/Paris]') AS dtz,
                $dur = duration({months: 14, days: 3, seconds: 5, nanoseconds: 7}) AS dur,
                toString($dtz) AS dtzText, $d.year AS year,
                $d AS rd, $lt AS rlt, $t AS rt, $ldt AS rldt, $dto AS rdto, $dtz AS rdtz, $dur AS rdur`,
        params)
      const rec = r.records[0]
      for (const k of Object.keys(params)) {
        assert.equal(rec.get(k), true, `${k} as a parameter equals the value Cypher builds`)
        if (k !== 'dtz') assert.equal(rec.get('r' + k).toString(), params[k].toString(), k)
      }
      assert.equal(rec.get('dtzText'), '2024-07-01T12:00+02:00[Europe/Paris]')
      assert.equal(num(rec.get('year')), 2024)
      const dtz = rec.get('rdtz')
      assert.equal(dtz.timeZoneId, 'Europe/Paris')
      assert.equal(num(dtz.hour), 12)
      // Driver 4.4 reads a zone id alone from Bolt 4.4's legacy form; 5 and 6 work out the
      // offset from the UTC form.
      if (major >= 5) assert.equal(num(dtz.timeZoneOffsetSeconds), 7200)
    } finally {
      await session.close()
    }
  })

  test('nodes, relationships and paths carry labels, types, ids and endpoints', async () => {
    const session = driver.session()
    try {
      const r = await session.run(
        `CREATE p = (a:Person:Dev {name: $a})-[k:KNOWS {since: 2020}]->(b:Person {name: $b})
         RETURN a, k, b, p`, { a: 'Ann', b: 'Bob' })
      const rec = r.records[0]
      const a = rec.get('a')
      const k = rec.get('k')
      const b = rec.get('b')
      const p = rec.get('p')
      assert.deepEqual([...a.labels].sort(), ['Dev', 'Person'])
      assert.equal(a.properties.name, 'Ann')
      assert.equal(k.type, 'KNOWS')
      assert.equal(num(k.properties.since), 2020)
      assert.ok(k.start.equals(a.identity))
      assert.ok(k.end.equals(b.identity))
      if (major >= 5) {
        assert.equal(typeof a.elementId, 'string')
        assert.equal(k.startNodeElementId, a.elementId)
        assert.equal(k.endNodeElementId, b.elementId)
      }
      assert.equal(p.length, 1)
      assert.equal(p.start.properties.name, 'Ann')
      assert.equal(p.end.properties.name, 'Bob')
      assert.equal(p.segments[0].relationship.type, 'KNOWS')
      assert.ok(p.segments[0].relationship.start.equals(a.identity))
      // Walked against the relationship's direction.
      const back = await session.run(
        'MATCH p = (b:Person {name: "Bob"})<-[:KNOWS]-(a) RETURN p')
      const bp = back.records[0].get('p')
      assert.equal(bp.start.properties.name, 'Bob')
      assert.equal(bp.end.properties.name, 'Ann')
      assert.ok(bp.segments[0].relationship.start.equals(a.identity))
      assert.equal(r.summary.counters.updates().nodesCreated, 2)
      assert.equal(r.summary.counters.updates().relationshipsCreated, 1)
      assert.ok(r.summary.counters.containsUpdates())
    } finally {
      await session.close()
    }
  })

  test('explicit transactions commit, roll back, and fail on a bad statement', async () => {
    const session = driver.session()
    try {
      let tx = session.beginTransaction()
      await tx.run('CREATE (:Tx {v: 1})')
      const inside = await tx.run('MATCH (n:Tx) RETURN count(n) AS c')
      assert.equal(num(inside.records[0].get('c')), 1)
      await tx.commit()
      tx = session.beginTransaction()
      await tx.run('CREATE (:Tx {v: 2})')
      await tx.rollback()
      tx = session.beginTransaction()
      await tx.run('CREATE (:Tx {v: 3})')
      await assert.rejects(tx.run('RETURN 1 +'), e => e.code === 'Neo.ClientError.Statement.SyntaxError')
      await tx.rollback().catch(() => {})
      const after = await session.run('MATCH (n:Tx) RETURN collect(n.v) AS vs')
      assert.deepEqual(after.records[0].get('vs').map(num), [1])
    } finally {
      await session.close()
    }
  })

  test('errors have Neo4j codes and the session is usable after them', async () => {
    const session = driver.session()
    try {
      await assert.rejects(session.run('RETURN nope('), e => e.code === 'Neo.ClientError.Statement.SyntaxError')
      await assert.rejects(session.run('RETURN $missing'), e => e.code === 'Neo.ClientError.Statement.ParameterMissing')
      await assert.rejects(session.run('UNWIND [1, 0] AS x RETURN 1 / x'), e => /^Neo\.ClientError\./.test(e.code))
      const ok = await session.run('RETURN 5 AS x')
      assert.equal(num(ok.records[0].get('x')), 5)
      const other = driver.session({ database: 'nope' })
      await assert.rejects(other.run('RETURN 1'),
        e => e.code === 'Neo.ClientError.Database.DatabaseNotFound')
      await other.close()
    } finally {
      await session.close()
    }
  })

  test('a query over its memory limit fails alone with MemoryPoolOutOfMemoryError', async () => {
    const session = driver.session()
    try {
      await assert.rejects(
        session.run('UNWIND range(1, 250000000) AS i WITH collect(i) AS l RETURN size(l)'),
        e => e.code === 'Neo.TransientError.General.MemoryPoolOutOfMemoryError' &&
          /--query-memory-limit/.test(e.message))
      const ok = await session.run('RETURN 5 AS x')
      assert.equal(num(ok.records[0].get('x')), 5)
    } finally {
      await session.close()
    }
  })

  test('managed transactions: concurrent increments lose nothing through retries', async () => {
    const setup = driver.session()
    await setup.run('CREATE (:Counter {id: 1, v: 0})')
    await setup.close()
    const workers = 4
    const each = 5
    await Promise.all(Array.from({ length: workers }, async () => {
      const s = driver.session()
      try {
        for (let i = 0; i < each; i++) {
          await writeTx(s, tx => tx.run('MATCH (c:Counter {id: 1}) SET c.v = c.v + 1'))
        }
      } finally {
        await s.close()
      }
    }))
    const s = driver.session()
    const v = await readTx(s, tx => tx.run('MATCH (c:Counter {id: 1}) RETURN c.v AS v'))
    await s.close()
    assert.equal(num(v.records[0].get('v')), workers * each)
  })

  test('a large result streams with a small fetch size while lorad memory stays flat', async () => {
    const rows = 1000000
    const session = driver.session({ fetchSize: 1000 })
    // Memory is sampled from the 100,000th row on, once lorad's pools and the stream's window
    // have warmed up; from there it must stay flat while 900,000 more rows pass through.
    let base = 0
    let peak = 0
    let count = 0
    let sum = 0
    try {
      await new Promise((resolve, reject) => {
        session.run('UNWIND range(1, $n) AS i RETURN i, "padding padding padding" AS pad', { n: neo4j.int(rows) })
          .subscribe({
            onNext: r => {
              count++
              sum += num(r.get('i'))
              if (count === 100000) base = peak = lorad.rss()
              else if (count % 50000 === 0) peak = Math.max(peak, lorad.rss())
            },
            onCompleted: resolve,
            onError: reject
          })
      })
    } finally {
      await session.close()
    }
    assert.equal(count, rows)
    assert.equal(sum, rows * (rows + 1) / 2)
    // Holding the result would take well over 100 MB.
    assert.ok(peak - base < 24 * 1024 * 1024, `lorad grew by ${peak - base} bytes`)
  })

  test('neo4j:// routing URIs work against the one server', async () => {
    const routed = neo4j.driver(`neo4j://127.0.0.1:${lorad.bolt}`, auth)
    try {
      const s = routed.session()
      await writeTx(s, tx => tx.run('CREATE (:Routed {v: 1})'))
      const r = await readTx(s, tx => tx.run('MATCH (n:Routed) RETURN count(n) AS c'))
      assert.equal(num(r.records[0].get('c')), 1)
      await s.close()
    } finally {
      await routed.close()
    }
  })

  test('bookmarks name commits and carry a write to another driver\'s session', async () => {
    const lastBookmarks = s => [].concat(s.lastBookmarks ? s.lastBookmarks() : s.lastBookmark())
    const stamp = b => Number(b.slice('lora:'.length))
    const w = driver.session()
    await writeTx(w, tx => tx.run('CREATE (:Bm {v: 1})'))
    const first = lastBookmarks(w)
    await w.run('CREATE (:Bm {v: 2})')
    const second = lastBookmarks(w)
    await w.close()
    assert.ok(first.length > 0)
    for (const b of first.concat(second)) assert.match(b, /^lora:\d+$/)
    // Commit timestamps: a later commit names a later one.
    assert.ok(Math.max(...second.map(stamp)) > Math.max(...first.map(stamp)))

    // Session B on another driver (its own connections) starts from A's bookmarks.
    const other = neo4j.driver(`bolt://127.0.0.1:${lorad.bolt}`, auth)
    try {
      const r = other.session({ bookmarks: second })
      const res = await readTx(r, tx => tx.run('MATCH (n:Bm) RETURN sum(n.v) AS s'))
      assert.equal(num(res.records[0].get('s')), 3)
      const auto = await r.run('MATCH (n:Bm) RETURN count(n) AS c')
      assert.equal(num(auto.records[0].get('c')), 2)
      await r.close()
      const bad = other.session({ bookmarks: ['not-a-lora-bookmark'] })
      try {
        await assert.rejects(bad.run('RETURN 1'),
          e => e.code === 'Neo.ClientError.Transaction.InvalidBookmark')
      } finally {
        await bad.close()
      }
    } finally {
      await other.close()
    }
  })

  test('SHOW TRANSACTIONS lists a driver transaction and TERMINATE TRANSACTION ends it', async () => {
    const s1 = driver.session()
    const s2 = driver.session()
    try {
      const tx = await s1.beginTransaction({ metadata: { app: `js-suite-${major}` } })
      await tx.run('CREATE (:Terminated {major: $major})', { major })
      const shown = await s2.run(
        'SHOW TRANSACTIONS YIELD transactionId, username, metaData, protocol, connectionId, clientAddress ' +
        'WHERE metaData.app = $app RETURN *', { app: `js-suite-${major}` })
      assert.equal(shown.records.length, 1)
      const rec = shown.records[0]
      assert.equal(rec.get('username'), 'neo4j')
      assert.equal(rec.get('protocol'), 'bolt')
      assert.match(rec.get('connectionId'), /^bolt-\d+$/)
      assert.match(rec.get('clientAddress'), /^127\.0\.0\.1:\d+$/)
      const term = await s2.run('TERMINATE TRANSACTION $id', { id: rec.get('transactionId') })
      assert.equal(term.records[0].get('message'), 'Transaction terminated.')
      await assert.rejects(tx.run('RETURN 1'), e => e.code === 'Neo.ClientError.Transaction.Terminated')
      await tx.rollback().catch(() => {})
      const left = await s2.run('MATCH (n:Terminated {major: $major}) RETURN count(n) AS n', { major })
      assert.equal(num(left.records[0].get('n')), 0)
    } finally {
      await s1.close()
      await s2.close()
    }
  })

  test('wrong credentials are refused', async () => {
    const bad = neo4j.driver(`bolt://127.0.0.1:${lorad.bolt}`, neo4j.auth.basic('neo4j', 'wrong'))
    try {
      await assert.rejects(bad.verifyConnectivity(), e => e.code === 'Neo.ClientError.Security.Unauthorized')
    } finally {
      await bad.close()
    }
  })

  test('a read-only token reads, and its writes fail with Security.Forbidden', async () => {
    const reader = neo4j.driver(`bolt://127.0.0.1:${lorad.bolt}`, neo4j.auth.basic('neo4j', READ_TOKEN))
    const s = reader.session()
    const full = driver.session()
    try {
      await full.run('CREATE (:ReadOnly {major: $major})', { major })
      const r = await s.run('MATCH (n:ReadOnly {major: $major}) RETURN count(n) AS n', { major })
      assert.equal(num(r.records[0].get('n')), 1)
      const forbidden = e => e.code === 'Neo.ClientError.Security.Forbidden'
      for (const q of ['CREATE (:ReadOnly {major: $major})', 'MATCH (n:ReadOnly {major: $major}) SET n.x = 1',
        'MATCH (n:ReadOnly {major: $major}) DETACH DELETE n', 'CREATE INDEX FOR (n:ReadOnly) ON (n.x)']) {
        await assert.rejects(s.run(q, { major }), forbidden, q)
      }
      await assert.rejects(writeTx(s, tx => tx.run('CREATE (:ReadOnly {major: $major})', { major })), forbidden)
      const left = await full.run('MATCH (n:ReadOnly {major: $major}) RETURN count(n) AS n, max(n.x) AS x', { major })
      assert.equal(num(left.records[0].get('n')), 1)
      assert.equal(left.records[0].get('x'), null)
    } finally {
      await s.close()
      await full.close()
      await reader.close()
    }
  })

  test('TLS: bolt+ssc:// and a trusted certificate connect; plain bolt:// does not', async () => {
    const { dir, cert, key } = makeCert()
    const tls = await startLorad(['--tls-cert', cert, '--tls-key', key])
    const drivers = []
    try {
      const ssc = neo4j.driver(`bolt+ssc://127.0.0.1:${tls.bolt}`, neo4j.auth.basic('neo4j', ''))
      drivers.push(ssc)
      const trusted = neo4j.driver(`bolt://127.0.0.1:${tls.bolt}`, neo4j.auth.basic('neo4j', ''), {
        encrypted: 'ENCRYPTION_ON',
        trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES',
        trustedCertificates: [cert]
      })
      drivers.push(trusted)
      for (const d of [ssc, trusted]) {
        const s = d.session()
        try {
          const r = await s.run('RETURN $x + 1 AS y', { x: neo4j.int(41) })
          assert.equal(num(r.records[0].get('y')), 42)
        } finally {
          await s.close()
        }
      }
      const plain = neo4j.driver(`bolt://127.0.0.1:${tls.bolt}`, neo4j.auth.basic('neo4j', ''),
        { connectionTimeout: 5000 })
      drivers.push(plain)
      await assert.rejects(plain.verifyConnectivity())
      // lorad's log line may reach us after the driver gave up.
      for (let i = 0; i < 100 && !/TLS handshake failed/.test(tls.stderr()); i++) {
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      assert.match(tls.stderr(), /TLS handshake failed/)
    } finally {
      for (const d of drivers) await d.close()
      assert.equal(await tls.stop(), 0)
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('64 concurrent sessions', async () => {
    const many = neo4j.driver(`bolt://127.0.0.1:${lorad.bolt}`, auth, { maxConnectionPoolSize: 64 })
    try {
      const results = await Promise.all(Array.from({ length: 64 }, async (_, i) => {
        const s = many.session()
        try {
          await s.run('CREATE (:Many {i: $i})', { i: neo4j.int(i) })
          const r = await s.run('MATCH (n:Many {i: $i}) RETURN n.i AS i', { i: neo4j.int(i) })
          return num(r.records[0].get('i'))
        } finally {
          await s.close()
        }
      }))
      assert.deepEqual(results, Array.from({ length: 64 }, (_, i) => i))
      const s = many.session()
      const c = await s.run('MATCH (n:Many) RETURN count(n) AS c')
      await s.close()
      assert.equal(num(c.records[0].get('c')), 64)
    } finally {
      await many.close()
    }
  })
}

module.exports = { suite }
