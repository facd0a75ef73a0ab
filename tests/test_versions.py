"""PEP 440 specifiers, compared with ``packaging`` (in the tools venv) on many pairs."""
import itertools

import pytest
from packaging.specifiers import SpecifierSet

from bookcheck.versions import parse_specifiers, version_matches

VERSIONS = ["3.10.0", "3.11", "3.11.0", "3.11.2", "3.11.9", "3.12.1", "3.13.0", "3.13.15",
            "3.14.0rc1", "3.14.0", "3.14.10", "3.15.0a1", "3.15.2", "4.0"]
SPECS = ["==3.11", ">3.11", "<=3.11", "!=3.11", ">=3.11", "<3.11", "==3.11.*", "!=3.11.*",
         "==3.11.2", "~=3.11.2", "~=3.13", ">=3.10, !=3.12.*", "<3.14", ">3.14", "==3.14.*",
         "<3.15", ">=3.15.0a1", "<=3.14.0rc1", "==3", "==3.*", ">=3.11, <3.13"]


@pytest.mark.parametrize("spec, version", list(itertools.product(SPECS, VERSIONS)))
def test_agrees_with_packaging(spec, version):
    assert version_matches(parse_specifiers(spec), version) == \
        SpecifierSet(spec).contains(version), (spec, version)


@pytest.mark.parametrize("spec", ["=>3.10", "3.11", ">=3.*", "~=3", "==3.11.x", ">= three"])
def test_malformed_specifiers_are_refused(spec):
    with pytest.raises(ValueError, match="PEP 440"):
        parse_specifiers(spec)


def test_no_specifier_takes_every_version():
    assert version_matches((), "3.15.0a1")
