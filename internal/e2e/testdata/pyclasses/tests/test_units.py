import unittest

from tests.base import BaseChecks


class SomeTests(unittest.TestCase):
    def test_x(self):
        self.assertEqual(1 + 1, 2)

    def test_y(self):
        self.assertIn("a", "abc")

    @unittest.skip("shows a skipped unittest method")
    def test_skipped(self):
        pass


class Derived(BaseChecks):
    def test_own(self):
        self.assertTrue(True)


def test_module_level():
    assert True
