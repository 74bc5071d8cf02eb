"""Database.stream: rows read lazily with flat memory, early abandon, errors midway."""

import gc
import unittest

import lora
from support import vm_rss_kib


class StreamingTest(unittest.TestCase):
    def setUp(self):
        self.db = lora.Database(shards=2)
        self.addCleanup(self.db.close)

    def test_a_million_rows_stream_with_flat_memory(self):
        rows = 1_000_000
        stream = self.db.stream(
            "UNWIND range(1, $n) AS i RETURN i, $s AS s", {"n": rows, "s": "some text"}
        )
        self.assertEqual(stream.columns, ["i", "s"])
        count = total = 0
        baseline = peak = None
        for i, s in stream:
            count += 1
            total += i
            if count == 20_000:
                gc.collect()
                baseline = peak = vm_rss_kib()
            elif count % 50_000 == 0:
                peak = max(peak, vm_rss_kib())
        self.assertEqual(count, rows)
        self.assertEqual(total, rows * (rows + 1) // 2)
        self.assertEqual(s, "some text")
        # The whole result held at once would be over 100 MiB (rows of Python tuples, plus
        # the engine's values); streamed, memory stays where it was after the first rows.
        growth_mib = (peak - baseline) / 1024
        self.assertLess(growth_mib, 48, f"VmRSS grew by {growth_mib:.1f} MiB while streaming")
        self.assertIsNotNone(stream.stats)

    def test_stats_come_once_every_row_was_read(self):
        stream = self.db.stream("UNWIND range(1, 10) AS i CREATE (:S {i: i}) RETURN i")
        first = next(stream)
        self.assertIn(first, [(i,) for i in range(1, 11)])
        self.assertIsNone(stream.stats)
        self.assertEqual(len(list(stream)), 9)
        self.assertEqual(stream.stats["nodes_created"], 10)
        self.assertEqual(list(stream), [])  # stays finished

    def test_an_abandoned_stream_cancels_its_query_and_rolls_back_its_writes(self):
        stream = self.db.stream("UNWIND range(1, 1000000) AS i CREATE (:W {i: i}) RETURN i")
        self.assertEqual(len([next(stream) for _ in range(5)]), 5)
        del stream  # dropped before the end
        gc.collect()
        self.assertEqual(self.db.execute("MATCH (w:W) RETURN count(w)").rows, [(0,)])

        with self.db.stream("UNWIND range(1, 10000000) AS i RETURN i") as stream:
            next(stream)
        self.assertEqual(list(stream), [])  # closed: nothing more
        self.assertEqual(self.db.execute("RETURN 42").rows, [(42,)])  # the database goes on

    def test_an_error_midway_is_raised_after_the_rows_before_it(self):
        stream = self.db.stream("UNWIND range(1, 100000) AS i RETURN 100000 / (90000 - i) AS x")
        seen = 0
        with self.assertRaises(lora.Error) as caught:
            for _ in stream:
                seen += 1
        self.assertGreater(seen, 0)
        self.assertLess(seen, 90000)
        self.assertFalse(caught.exception.retryable)
        self.assertEqual(list(stream), [])

    def test_errors_of_the_query_text_raise_at_once(self):
        with self.assertRaises(lora.CypherSyntaxError):
            self.db.stream("RETURN (")

    def test_closing_the_database_ends_its_streams(self):
        stream = self.db.stream("UNWIND range(1, 10000000) AS i RETURN i")
        next(stream)
        self.db.close()
        with self.assertRaises(lora.DatabaseError) as caught:
            list(stream)
        self.assertEqual(caught.exception.code, "DatabaseError.Closed")


if __name__ == "__main__":
    unittest.main()
