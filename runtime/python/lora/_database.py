"""Database, Transaction, Stream and Result: the Python face of the C++ module lora._lora."""

import os

from . import _lora


def _check_query(query):
    if not isinstance(query, str):
        raise TypeError(f"lora: the query must be a str, not {type(query).__name__}")


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"lora: {name} must be an int, not {type(value).__name__}")
    if not 0 <= value < 2**32:
        raise ValueError(f"lora: {name} must be 0 (one per hardware thread) or more, not {value}")


class Result:
    """The whole result of a statement: .columns (list of str), .rows (list of tuples, one
    value per column), .stats (dict of counters: nodes_created, properties_set, ...).
    Iterating a Result yields its rows; len() is their number."""

    __slots__ = ("columns", "rows", "stats")

    def __init__(self, columns, rows, stats):
        self.columns = columns
        self.rows = rows
        self.stats = stats

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __repr__(self):
        return f"lora.Result(columns={self.columns!r}, rows=<{len(self.rows)} rows>)"


class Stream:
    """The rows of a statement, read while it runs (Database.stream). The query runs only as
    fast as the rows are taken, so memory stays flat however many there are. .columns is
    known at once, .stats (a dict) once every row was read. close() (or leaving a `with`
    block, or dropping the Stream) cancels a query not read to its end: a write is then
    rolled back. An error found while the query runs is raised by the next() that meets it."""

    def __init__(self, cursor):
        self._cursor = cursor
        self.columns = cursor.columns
        self._chunk = []
        self._pos = 0

    def __iter__(self):
        return self

    def __next__(self):
        while self._pos >= len(self._chunk):
            chunk = self._cursor.next_chunk()
            if chunk is None:
                self._chunk = []
                raise StopIteration
            self._chunk = chunk
            self._pos = 0
        row = self._chunk[self._pos]
        self._pos += 1
        return row

    @property
    def stats(self):
        """The statement's counters once every row was read, else None."""
        return self._cursor.stats()

    def close(self):
        self._cursor.close()
        self._chunk = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False


class Transaction:
    """An explicit transaction (Database.begin): its statements see its own writes, and
    nothing of it is kept until commit(). As a context manager it commits when the block
    ends normally and rolls back when it raises. An error in a statement that writes rolls
    the whole transaction back; a later statement or commit then raises
    TransactionError.Closed. Dropping an open transaction rolls it back."""

    def __init__(self, tx):
        self._tx = tx
        self._ended = False

    def execute(self, query, params=None):
        _check_query(query)
        return Result(*self._tx.execute(query, params))

    def commit(self):
        self._ended = True
        self._tx.commit()

    def rollback(self):
        self._ended = True
        self._tx.rollback()

    @property
    def open(self):
        """False once committed, rolled back, or ended by an error."""
        return self._tx.open

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            if self._tx.open:
                self.rollback()
        elif not self._ended:
            # Also when a failed statement already ended it: the block must not look committed.
            self.commit()
        return False


class Database:
    """A lora database, in this process.

    Database()                       in memory
    Database("./db", shards=4)       persistent: opened, or created, in the directory

    shards: partitions, each owned by one actor (0: one per hardware thread; fixed when a
    persistent database is created). threads: the engine's worker threads (0: one per
    hardware thread). sync: when a commit is acknowledged, "per-commit" (after fdatasync,
    shared by concurrent commits), "interval:<ms>" or "none".

    Every method may be called from any thread; each releases the GIL while the engine
    works. close() (or leaving a `with` block) cancels running streams, rolls back open
    transactions and closes the database; later calls raise lora.DatabaseError
    (DatabaseError.Closed). A persistent database is locked by one process at a time.
    """

    def __init__(self, path=None, *, shards=0, threads=0, sync="per-commit"):
        if path is None:
            path = ""
        else:
            path = os.fsdecode(path)
            if not path:
                raise ValueError("lora: the path is empty (leave it out for a database in memory)")
        _check_count("shards", shards)
        _check_count("threads", threads)
        if not isinstance(sync, str):
            raise TypeError(f"lora: sync must be a str, not {type(sync).__name__}")
        self._db = _lora.Database(path, shards, threads, sync)

    def execute(self, query, params=None):
        """Runs one statement as its own transaction and returns its Result."""
        _check_query(query)
        return Result(*self._db.execute(query, params))

    def stream(self, query, params=None):
        """Runs one statement as its own transaction and returns a Stream of its rows. Errors
        of the query text raise here; later ones from the Stream."""
        _check_query(query)
        return Stream(self._db.stream(query, params))

    def begin(self):
        """Starts an explicit Transaction."""
        return Transaction(self._db.begin())

    def checkpoint(self):
        """Writes a checkpoint of a persistent database; returns its log position."""
        return self._db.checkpoint()

    def snapshot_save(self, path):
        """Saves the whole database to one file (atomically). Waits for open write
        transactions; new ones wait for it."""
        self._db.snapshot_save(os.fsdecode(path))

    def snapshot_load(self, path):
        """Replaces the whole database with a snapshot file (checked first: a bad file
        changes nothing)."""
        self._db.snapshot_load(os.fsdecode(path))

    @property
    def shard_count(self):
        return self._db.shard_count

    def close(self):
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False
