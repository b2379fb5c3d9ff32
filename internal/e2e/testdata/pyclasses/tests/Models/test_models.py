class TestUser:
    def test_name(self):
        assert "ada".title() == "Ada"

    def test_email(self):
        assert "@" in "ada@example.com"
