"""Python threads and the GIL: every engine call releases it."""

import os
import subprocess
import sys
import textwrap
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
        # Saving a snapshot waits for the open write transaction, which only this thread can
        # end: were the GIL held while the save waits, this thread could never commit and
        # the test would hang (ctest's timeout fails it).
        db = lora.Database(shards=2)
        self.addCleanup(db.close)
        snapshot = os.path.join(self.dir, "db.snap")
        tx = db.begin()
        tx.execute("CREATE (:P {v: 1})")
        started = threading.Event()
        errors = []

        def save():
            started.set()
            try:
                db.snapshot_save(snapshot)
            except Exception as e:
                errors.append(e)

        thread = threading.Thread(target=save)
        thread.start()
        started.wait()
        time.sleep(0.2)  # time to start waiting (nothing asserted on time)
        self.assertTrue(thread.is_alive())  # waiting for the transaction
        self.assertFalse(os.path.exists(snapshot))
        spins = sum(1 for _ in range(100_000))  # Python code runs meanwhile
        tx.commit()
        thread.join()
        self.assertEqual((spins, errors), (100_000, []))
        with lora.Database() as other:  # the save came after the commit
            other.snapshot_load(snapshot)
            self.assertEqual(other.execute("MATCH (p:P) RETURN p.v").rows, [(1,)])

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

    def test_exiting_with_daemon_threads_inside_engine_calls(self):
        # The interpreter ends daemon threads that come back from the engine while it shuts
        # down; the process must still exit normally (it aborted once).
        script = textwrap.dedent(
            """
            import threading, time
            import lora
            db = lora.Database(shards=2)
            def work():
                while True:
                    db.execute("UNWIND range(1, 100000) AS i RETURN sum(i)")
                    for _ in db.stream("UNWIND range(1, 10000) AS i RETURN i"):
                        pass
                    with db.begin() as tx:
                        tx.execute("CREATE (:T)")
            for _ in range(4):
                threading.Thread(target=work, daemon=True).start()
            time.sleep(0.5)
            print("leaving")
            """
        )
        for _ in range(3):
            done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                  timeout=120)
            self.assertEqual((done.returncode, done.stdout), (0, "leaving\n"), done.stderr)


if __name__ == "__main__":
    unittest.main()
