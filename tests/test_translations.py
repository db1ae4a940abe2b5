"""Are the kk, ru and ky catalogues complete?"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tools"))

from check_translations import problems  # noqa: E402


def test_catalogues_complete():
    """Does any kk, ru or ky catalogue lack an entry, or hold an empty or fuzzy one?"""
    found = problems()
    assert not found, "\n".join(found[:50])
