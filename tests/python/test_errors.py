"""Errors: lora.Error subclasses by class, with code, error_class, message, retryable."""

import pickle
import unittest

import lora
from support import TempDirTest


class ErrorsTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = lora.Database(shards=2)
        self.addCleanup(self.db.close)

    def test_syntax_error(self):
        with self.assertRaises(lora.CypherSyntaxError) as caught:
            self.db.execute("MATCH (n RETURN n")
        e = caught.exception
        self.assertIsInstance(e, lora.ClientError)
        self.assertIsInstance(e, lora.Error)
        self.assertTrue(e.code.startswith("SyntaxError."), e.code)
        self.assertEqual(e.error_class, "syntax")
        self.assertTrue(e.message)
        self.assertFalse(e.retryable)
        self.assertEqual(e.line, 1)
        self.assertGreater(e.column, 0)
        self.assertEqual(str(e), f"{e.code}: {e.message}")

    def test_semantic_and_runtime_errors(self):
        with self.assertRaises(lora.Error) as caught:
            self.db.execute("RETURN nope")
        self.assertEqual(caught.exception.code, "SyntaxError.UndefinedVariable")
        self.assertIn("nope", caught.exception.message)

        with self.assertRaises(lora.CypherSemanticError) as caught:
            self.db.execute("RETURN $missing")
        self.assertEqual(caught.exception.error_class, "semantic")
        self.assertIn("missing", caught.exception.message)

        with self.assertRaises(lora.CypherSemanticError) as caught:
            self.db.execute("RETURN toInteger([1])")
        self.assertFalse(caught.exception.retryable)

    def test_a_write_conflict_is_a_retryable_conflict_error(self):
        self.db.execute("CREATE (:Account {id: 1, balance: 100})")
        first, second = self.db.begin(), self.db.begin()
        first.execute("MATCH (a:Account {id: 1}) SET a.balance = a.balance - 10")
        with self.assertRaises(lora.ConflictError) as caught:
            second.execute("MATCH (a:Account {id: 1}) SET a.balance = a.balance + 10")
        e = caught.exception
        self.assertIsInstance(e, lora.TransientError)
        self.assertTrue(e.retryable)
        self.assertEqual(e.code, "TransientError.ConflictDetected")
        self.assertEqual(e.error_class, "transient")
        self.assertFalse(second.open)  # the failed write rolled it back
        first.commit()

        # Retrying the whole transaction succeeds.
        with self.db.begin() as tx:
            tx.execute("MATCH (a:Account {id: 1}) SET a.balance = a.balance + 10")
        self.assertEqual(self.db.execute("MATCH (a:Account) RETURN a.balance").rows, [(100,)])

    def test_other_transient_errors_are_not_conflicts(self):
        e = lora._errors._from_engine("TransactionError.Timeout", "transient", "late", 0, 0, False)
        self.assertIs(type(e), lora.TransientError)
        self.assertTrue(e.retryable)

    def test_a_locked_directory_is_a_database_error(self):
        db = lora.Database(self.dir)
        self.addCleanup(db.close)
        with self.assertRaises(lora.DatabaseError) as caught:
            lora.Database(self.dir)
        self.assertEqual(caught.exception.error_class, "database")
        self.assertIn(self.dir, caught.exception.message)

    def test_bad_options_are_refused(self):
        with self.assertRaises(lora.Error):
            lora.Database(self.dir, sync="sometimes")
        with self.assertRaisesRegex(ValueError, "shards must be 0"):
            lora.Database(shards=-1)
        with self.assertRaisesRegex(TypeError, "threads must be an int, not str"):
            lora.Database(threads="2")
        with self.assertRaisesRegex(ValueError, "path is empty"):
            lora.Database("")

    def test_errors_pickle(self):
        with self.assertRaises(lora.Error) as caught:
            self.db.execute("RETURN (")
        copy = pickle.loads(pickle.dumps(caught.exception))
        self.assertIs(type(copy), type(caught.exception))
        self.assertEqual((copy.code, copy.message, copy.line), (caught.exception.code,
                                                                caught.exception.message,
                                                                caught.exception.line))


if __name__ == "__main__":
    unittest.main()
