"""Sampled betweenness: the same whether one or two processes compute it, and its standard errors
match how much the estimates really vary from sample to sample."""

from __future__ import annotations

import pickle

import igraph
import numpy as np
import pytest

import civicgraph.analysis.betweenness
from civicgraph.analysis.betweenness import betweenness, betweenness_later
from civicgraph.core.beside import run_here
from civicgraph.pipeline.helper_process import start_in_helper


@pytest.fixture(scope="module")
def scale_free() -> igraph.Graph:
    return igraph.Graph.Barabasi(1_500, 2)


def test_two_processes_give_the_same_values(scale_free: igraph.Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = {k: betweenness(scale_free, sample=k, seed=3) for k in (None, 150)}
    monkeypatch.setattr(civicgraph.analysis.betweenness, "SOURCES_PER_BATCH", 7)
    for k, expected in alone.items():
        shared = betweenness_later(scale_free, sample=k, seed=3, beside=start_in_helper)()
        assert np.allclose(shared.values, expected.values), k
        assert shared.sources == expected.sources
    assert betweenness_later(scale_free, sample=None, seed=3, beside=start_in_helper)().standard_error == [0.0] * scale_free.vcount()
    assert np.all(np.isfinite(betweenness_later(scale_free, sample=150, seed=3, beside=start_in_helper)().standard_error))
    here = betweenness_later(scale_free, sample=None, seed=3, beside=run_here)()
    assert np.allclose(here.values, alone[None].values)


def test_standard_errors_match_the_spread_of_estimates(scale_free: igraph.Graph) -> None:
    exact = np.array(betweenness(scale_free, sample=None, seed=0).values)
    runs = [betweenness(scale_free, sample=100, seed=seed) for seed in range(40)]
    estimates = np.array([run.values for run in runs])
    errors = np.array([run.standard_error for run in runs])
    top = np.argsort(-exact)[:10]
    assert np.allclose(estimates[:, top].mean(axis=0), exact[top], rtol=0.15)  # unbiased
    ratio = errors[:, top].mean(axis=0) / estimates[:, top].std(axis=0)
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio
    assert np.all(errors[:, top] > 0)


def test_a_helper_is_given_module_level_work_on_arrays(scale_free: igraph.Graph) -> None:
    given = []

    def recording(function, *args):  # noqa: ANN001, ANN202
        given.append((function, args))
        return run_here(function, *args)

    found = betweenness_later(scale_free, sample=150, seed=3, beside=recording)()
    (function, args), = given
    assert pickle.loads(pickle.dumps(function)) is function  # crosses to a spawned process by name
    assert not any(isinstance(arg, igraph.Graph) for arg in args)
    assert found.values == pytest.approx(betweenness(scale_free, sample=150, seed=3).values)
