"""Shared by the Python tests: a fresh temporary directory per test."""

import shutil
import tempfile
import unittest


class TempDirTest(unittest.TestCase):
    """self.dir: a directory removed after the test."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lora-py-")
        self.addCleanup(shutil.rmtree, self.dir, True)


def vm_rss_kib():
    """This process's resident memory in KiB (from /proc/self/status)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")
