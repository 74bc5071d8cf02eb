"""Uses lora from Python: opens a persistent database in a temporary directory, writes with
parameters, queries, streams a result, commits one transaction and rolls another back,
handles errors, then reopens the database and checks that what was committed survived.
Exits 1 on any wrong answer (tools/check_examples.sh runs it against the installed package).
"""

import sys
import tempfile

import lora

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def write_and_read(db):
    # Write with parameters: 100 people, each KNOWS the next.
    people = [{"id": i, "name": f"person-{i}"} for i in range(100)]
    created = db.execute("UNWIND $people AS p CREATE (:Person {id: p.id, name: p.name})",
                         {"people": people})
    check(created.stats["nodes_created"] == 100, "created 100 nodes")
    db.execute("MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 "
               "CREATE (a)-[:KNOWS {since: a.id}]->(b)")

    # Query with parameters; nodes and relationships come back as lora.Node / Relationship.
    result = db.execute("MATCH (a:Person {id: $id})-[k:KNOWS]->(b) RETURN b, k", {"id": 41})
    check(result.columns == ["b", "k"], "columns are b, k")
    (b, k), = result.rows
    check(isinstance(b, lora.Node) and "Person" in b.labels and b["name"] == "person-42",
          "person-41 knows person-42")
    check(k.type == "KNOWS" and k["since"] == 41 and k.end == b.id, "the relationship is KNOWS")

    # Stream a result: rows are read as the query runs.
    total = rows = 0
    for (person_id,) in db.stream("MATCH (p:Person) WHERE p.id >= $from RETURN p.id",
                                  {"from": 10}):
        rows += 1
        total += person_id
    check(rows == 90 and total == sum(range(10, 100)), "streamed 90 ids")


def transactions(db):
    with db.begin() as tx:  # commits when the block ends
        tx.execute("CREATE (:Account {id: 1, balance: 100}), (:Account {id: 2, balance: 0})")
    try:
        with db.begin() as tx:  # rolls back: the block raises
            tx.execute("MATCH (a:Account {id: 1}) SET a.balance = a.balance - 30")
            tx.execute("MATCH (a:Account {id: 2}) SET a.balance = a.balance + 30")
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    balances = db.execute("MATCH (a:Account) RETURN a.id, a.balance ORDER BY a.id").rows
    check(balances == [(1, 100), (2, 0)], "the rolled-back transfer left no trace")


def errors(db):
    try:
        db.execute("MATCH (n:Person RETURN n")
        check(False, "a syntax error raises")
    except lora.CypherSyntaxError as e:
        check(e.code.startswith("SyntaxError.") and e.error_class == "syntax" and not e.retryable,
              f"syntax error: {e.code} at {e.line}:{e.column}")
    first, second = db.begin(), db.begin()
    first.execute("MATCH (a:Account {id: 1}) SET a.balance = 1")
    try:
        second.execute("MATCH (a:Account {id: 1}) SET a.balance = 2")
        check(False, "a write conflict raises")
    except lora.ConflictError as e:
        check(e.retryable, f"write conflict: {e.code} (retryable)")
    first.commit()


def main():
    with tempfile.TemporaryDirectory(prefix="lora-python-example-") as data:
        with lora.Database(data, shards=4) as db:
            write_and_read(db)
            transactions(db)
            errors(db)
        with lora.Database(data) as db:  # reopened: the committed data is there
            people = db.execute("MATCH (p:Person) RETURN count(p)").rows[0][0]
            check(people == 100, "100 people after reopening")
            balance = db.execute("MATCH (a:Account {id: 1}) RETURN a.balance").rows[0][0]
            check(balance == 1, "the committed balance after reopening")
    print("python example: " + ("all checks passed" if failures == 0 else f"{failures} failed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
