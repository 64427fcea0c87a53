"""The small borough every analysis test may ask for."""

from __future__ import annotations

import networkx as nx
import pytest

from tests.analysis.ecosystem import small_borough


@pytest.fixture
def borough() -> nx.MultiDiGraph:
    """A small borough: two wards, a council with two directorates, funders, infrastructure, groups."""
    return small_borough()
