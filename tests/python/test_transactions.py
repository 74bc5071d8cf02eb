"""Explicit transactions: `with` commits or rolls back, isolation, a failed write ends one."""

import unittest

import lora


class TransactionsTest(unittest.TestCase):
    def setUp(self):
        self.db = lora.Database(shards=2)
        self.addCleanup(self.db.close)

    def count(self, label):
        return self.db.execute(f"MATCH (n:{label}) RETURN count(n) AS c").rows[0][0]

    def test_with_block_commits_when_it_ends(self):
        with self.db.begin() as tx:
            tx.execute("CREATE (:A {v: $v})", {"v": 1})
            tx.execute("CREATE (:A {v: 2})")
            self.assertEqual(tx.execute("MATCH (a:A) RETURN count(a)").rows, [(2,)])  # own writes
            self.assertEqual(self.count("A"), 0)  # nobody else sees them yet
            self.assertTrue(tx.open)
        self.assertFalse(tx.open)
        self.assertEqual(self.count("A"), 2)

    def test_with_block_rolls_back_when_it_raises(self):
        with self.assertRaisesRegex(RuntimeError, "boom"):
            with self.db.begin() as tx:
                tx.execute("CREATE (:B)")
                raise RuntimeError("boom")
        self.assertFalse(tx.open)
        self.assertEqual(self.count("B"), 0)

    def test_explicit_commit_and_rollback(self):
        tx = self.db.begin()
        tx.execute("CREATE (:C)")
        tx.rollback()
        self.assertFalse(tx.open)
        with self.assertRaises(lora.CypherSemanticError) as caught:
            tx.execute("CREATE (:C)")
        self.assertEqual(caught.exception.code, "TransactionError.Closed")
        tx = self.db.begin()
        tx.execute("CREATE (:C)")
        tx.commit()
        self.assertEqual(self.count("C"), 1)
        with self.db.begin() as tx:  # committed inside the block: the end does nothing more
            tx.execute("CREATE (:C)")
            tx.commit()
        self.assertEqual(self.count("C"), 2)

    def test_a_snapshot_does_not_see_later_commits(self):
        tx = self.db.begin()
        self.assertEqual(tx.execute("MATCH (d:D) RETURN count(d)").rows, [(0,)])
        self.db.execute("CREATE (:D)")
        self.assertEqual(tx.execute("MATCH (d:D) RETURN count(d)").rows, [(0,)])
        tx.rollback()
        self.assertEqual(self.count("D"), 1)

    def test_a_failed_write_ends_the_transaction_and_the_block_says_so(self):
        self.db.execute("CREATE (:E {v: 1})")
        with self.assertRaises(lora.CypherSemanticError) as caught:
            with self.db.begin() as tx:
                tx.execute("CREATE (:E {v: 2})")
                try:
                    tx.execute("MATCH (e:E) SET e.v = 1 / 0")
                except lora.Error:
                    pass  # swallowed: the block must still not look committed
        self.assertEqual(caught.exception.code, "TransactionError.Closed")
        self.assertEqual(self.count("E"), 1)

    def test_dropping_an_open_transaction_rolls_it_back(self):
        tx = self.db.begin()
        tx.execute("CREATE (:F)")
        del tx
        self.assertEqual(self.count("F"), 0)

    def test_closing_the_database_rolls_back_open_transactions(self):
        tx = self.db.begin()
        tx.execute("CREATE (:G)")
        self.db.close()
        self.assertFalse(tx.open)
        with self.assertRaises(lora.DatabaseError) as caught:
            tx.execute("RETURN 1")
        self.assertEqual(caught.exception.code, "DatabaseError.Closed")
        with self.assertRaises(lora.DatabaseError):
            self.db.execute("RETURN 1")
        self.db.close()  # twice is fine


if __name__ == "__main__":
    unittest.main()
