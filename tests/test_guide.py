"""The code examples of the user guide (docs/guide/*.rst) run and print what they show."""

import doctest
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide"
PAGES = sorted(GUIDE.glob("*.rst"))


def test_the_guide_is_there():
    assert {page.stem for page in PAGES} >= {"lesson", "methods", "derivatives", "banded",
                                              "bounds", "batch", "scipy", "performance"}


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_guide_examples(page):
    results = doctest.testfile(str(page), module_relative=False, report=False,
                               optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert results.failed == 0, "%d of %d examples in %s failed" % (
        results.failed, results.attempted, page.name)
    if page.stem not in ("performance",):
        assert results.attempted > 0


def test_the_api_reference_lists_every_public_name():
    import fastnewton
    import fastnewton.problems
    reference = (GUIDE.parent / "api.rst").read_text()
    missing = [name for name in fastnewton.__all__
               if ":: %s\n" % name not in reference]
    missing += ["problems." + name for name in fastnewton.problems.__all__
                if ":: %s\n" % name not in reference]
    assert missing == []
