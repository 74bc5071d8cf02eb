"""lora: an embedded, persistent, concurrent property-graph database queried in Cypher.

    import lora

    db = lora.Database()                      # in memory; lora.Database("./db") persists
    db.execute("CREATE (:Person {name: $name})", {"name": "Ann"})
    for row in db.execute("MATCH (p:Person) RETURN p.name AS name"):
        print(row[0])

    with db.begin() as tx:                    # commits at the end, rolls back on an exception
        tx.execute("MATCH (p:Person {name: 'Ann'}) SET p.age = 41")

    for (i,) in db.stream("UNWIND range(1, 1000000) AS i RETURN i"):
        ...                                   # rows come as they are read

Every call into the engine releases the GIL, so Python threads run statements concurrently.
"""

from ._errors import (
    ClientError,
    ConflictError,
    ConstraintError,
    CypherSemanticError,
    CypherSyntaxError,
    DatabaseError,
    Error,
    TransientError,
)
from ._types import Node, Path, Relationship, Vector
from ._database import Database, Result, Stream, Transaction

__all__ = [
    "Database",
    "Result",
    "Stream",
    "Transaction",
    "Node",
    "Relationship",
    "Path",
    "Vector",
    "Error",
    "ClientError",
    "CypherSyntaxError",
    "CypherSemanticError",
    "ConstraintError",
    "TransientError",
    "ConflictError",
    "DatabaseError",
]

# The classes show (and pickle) as lora.X, wherever they are defined.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
