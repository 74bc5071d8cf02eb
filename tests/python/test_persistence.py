"""A persistent database: what was committed is there after reopening, nothing else."""

import pathlib
import unittest

import lora
from support import TempDirTest


class PersistenceTest(TempDirTest):
    def test_reopened_database_keeps_committed_data(self):
        with lora.Database(self.dir, shards=4) as db:
            self.assertEqual(db.shard_count, 4)
            db.execute("UNWIND $people AS p CREATE (:Person {name: p.name, tags: p.tags})",
                       {"people": [{"name": "Ann", "tags": ["a"]}, {"name": "Bob", "tags": []}]})
            with db.begin() as tx:
                tx.execute("MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) "
                           "CREATE (a)-[:KNOWS {v: $v}]->(b)", {"v": lora.Vector([1, 2])})
            tx = db.begin()
            tx.execute("CREATE (:Person {name: 'Uncommitted'})")
            tx.rollback()
            db.execute("CREATE (:Person {name: 'Cid'})")
        with lora.Database(pathlib.Path(self.dir)) as db:  # the shard count is the stored one
            self.assertEqual(db.shard_count, 4)
            names = db.execute("MATCH (p:Person) RETURN p.name ORDER BY p.name").rows
            self.assertEqual(names, [("Ann",), ("Bob",), ("Cid",)])
            (rel,) = db.execute("MATCH ()-[k:KNOWS]->() RETURN k").rows[0]
            self.assertEqual(rel["v"], lora.Vector([1.0, 2.0]))
            self.assertGreaterEqual(db.checkpoint(), 1)
            db.execute("CREATE (:Person {name: 'Dee'})")
        with lora.Database(self.dir) as db:  # from the checkpoint and the log after it
            self.assertEqual(db.execute("MATCH (p:Person) RETURN count(p)").rows, [(4,)])

    def test_a_checkpoint_needs_a_persistent_database(self):
        with lora.Database() as db:
            with self.assertRaises(lora.Error):
                db.checkpoint()


if __name__ == "__main__":
    unittest.main()
