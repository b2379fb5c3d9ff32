import pytest


class TestOuter:
    def test_a(self):
        assert True

    class TestInner:
        def test_b(self):
            assert True

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_p(self, n):
            assert n > 0

        @pytest.mark.parametrize("s", ["a.b::c", "x y", "[z]"])
        def test_odd_params(self, s):
            assert s

        class TestDeepest:
            def test_c(self):
                assert True


@pytest.mark.parametrize("a,b", [(1, 2), (3, 4)])
def test_function_params(a, b):
    assert a < b
