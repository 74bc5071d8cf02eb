"""Python threads and the GIL: every engine call releases it."""

import threading
import time
import unittest

import lora
from support import TempDirTest


class ThreadsTest(TempDirTest):
    def test_sixteen_threads_write_concurrently(self):
        db = lora.Database(self.dir, shards=2)
        self.addCleanup(db.close)
        threads_n, writes = 16, 100
        errors = []

        def writer(t):
            try:
                for i in range(writes):
                    db.execute("CREATE (:W {t: $t, i: $i})", {"t": t, "i": i})
                with db.begin() as tx:
                    tx.execute("CREATE (:Done {t: $t})", {"t": t})
            except Exception as e:  # reported below, in the test's thread
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(db.execute("MATCH (w:W) RETURN count(w)").rows, [(threads_n * writes,)])
        per_thread = db.execute("MATCH (w:W) RETURN w.t AS t, count(*) AS c ORDER BY t").rows
        self.assertEqual(per_thread, [(t, writes) for t in range(threads_n)])
        self.assertEqual(db.execute("MATCH (d:Done) RETURN count(d)").rows, [(threads_n,)])

    def test_a_waiting_call_lets_other_threads_run(self):
        # A checkpoint waits for the open write transaction, which only this thread can end:
        # were the GIL held while the checkpoint waits, this thread could never commit and
        # the test would hang (ctest's timeout fails it).
        db = lora.Database(self.dir, shards=2)
        self.addCleanup(db.close)
        tx = db.begin()
        tx.execute("CREATE (:P {v: 1})")
        started = threading.Event()
        outcome = []

        def checkpoint():
            started.set()
            outcome.append(db.checkpoint())

        thread = threading.Thread(target=checkpoint)
        thread.start()
        started.wait()
        time.sleep(0.2)  # give it time to be waiting (not an assertion on time)
        self.assertEqual(outcome, [])  # still waiting for the transaction
        spins = sum(1 for _ in range(100_000))  # Python code runs meanwhile
        tx.commit()
        thread.join()
        self.assertEqual(spins, 100_000)
        self.assertEqual(len(outcome), 1)
        self.assertIsInstance(outcome[0], int)

    def test_concurrent_readers_and_a_writer_share_one_database(self):
        db = lora.Database(shards=2)
        self.addCleanup(db.close)
        db.execute("UNWIND range(1, 1000) AS i CREATE (:N {i: i})")
        sums, errors = [], []

        def reader():
            try:
                for _ in range(20):
                    total = sum(i for (i,) in db.stream("MATCH (n:N) WHERE n.i <= 1000 RETURN n.i"))
                    sums.append(total)
            except Exception as e:
                errors.append(e)

        def writer():
            try:
                for i in range(200):
                    db.execute("CREATE (:N {i: $i})", {"i": 2000 + i})
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        threads.append(threading.Thread(target=writer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(sums, [500500] * 80)


if __name__ == "__main__":
    unittest.main()
