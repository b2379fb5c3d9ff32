class CheckThings:
    def test_one(self):
        assert True

    def test_two(self):
        assert True
