"""Balancer nodes: a document with one trains exactly like the hand-written jno code."""

import copy
import json
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import jno_lab as jno
from jno_lab.workbench.catalogue.nodes_balancers import FUNCTIONS, NUMBERS
from jno_lab.workbench.importer import NotImportable, to_document
from jno_lab.workbench.lowering import lower
from jno_lab.workbench.validate import validate

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "poisson.jnolab").read_text()
)
CHANGED = {  # a value other than the default for every number
    "alpha": 0.9,
    "tau": 0.5,
    "expected_rho": 0.75,
    "beta": 0.3,
    "temperature": 1.5,
    "init_s": 0.25,
    "lr_s": 0.05,
}


def balanced(kind: str, mode: str = "minmax") -> dict:
    doc = copy.deepcopy(EXAMPLE)
    doc["geometry"]["sampling"] = {"interior": 64, "boundary": 32}
    doc["training"]["phases"][0].update(epochs=12, inner_steps=4)
    params = {n: CHANGED[n] for n in NUMBERS[kind]} | {"mode": mode}
    doc["graph"]["nodes"].append({"id": "balance", "type": kind, "params": params})
    return doc


def test_the_exported_code_is_public_api():
    source = lower(balanced("relobralo")).to_source()
    assert (
        "balance_weights = jno.fn.adaptive.relobralo([pde_loss_loss, bc_loss_loss], alpha=0.9, "
        "tau=0.5, expected_rho=0.75, mode='minmax')"
    ) in source
    assert (
        "constraints = [balance_weights[0] * pde_loss_loss, balance_weights[1] * bc_loss_loss]"
    ) in source
    assert "balance_weights[1].tracker(name='relobralo/bc')" in source


def _losses(doc: dict) -> np.ndarray:
    return np.asarray(lower(doc).execute().train().losses)


@pytest.mark.parametrize("kind", sorted(FUNCTIONS))
def test_balanced_document_round_trips_and_trains_the_same(kind):
    doc = balanced(kind)
    assert validate(doc) == [], validate(doc)
    built = lower(doc).execute()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the import is exact
        again = to_document(built.crux, "balanced")
    assert validate(again) == [], validate(again)
    assert Counter(n["type"] for n in again["graph"]["nodes"]) == Counter(
        n["type"] for n in doc["graph"]["nodes"]
    )  # the weight trackers are the balancer node's, not tracker nodes
    (node,) = [n for n in again["graph"]["nodes"] if n["type"] == kind]
    assert node["params"] == {n: CHANGED[n] for n in NUMBERS[kind]} | {"mode": "minmax"}
    stats = built.train()
    weights = [stats.trackers[f"{kind}/{c}"] for c in ("pde", "bc")]
    assert all(w.shape == (12,) and np.isfinite(w).all() for w in weights)
    if kind not in ("lbpinns", "relobralo"):  # these two start at ones and move slowly
        assert not np.allclose(weights[0], weights[0][0])  # the weights are recomputed
    again["training"] = doc["training"]
    np.testing.assert_allclose(_losses(again), stats.losses, rtol=1e-5, atol=1e-7)


def test_two_balancers_are_one_too_many():
    doc = balanced("dwa")
    doc["graph"]["nodes"].append({"id": "again", "type": "rlw"})
    (found,) = [p for p in validate(doc) if p["code"] == "duplicate_balancer"]
    assert found["node_id"] == "again"
    assert "'balance' already balances" in found["message"]


def test_a_weight_used_another_way_is_refused_by_constraint():
    p = jno.np.parameter((1,), init=0.0)
    pde, bc = (p - 1.0).mse, (p + 1.0).mse
    w = jno.fn.adaptive.dwa([pde, bc])
    crux = jno.core(
        [w[0] * pde, w[0] * bc], jno.domain.from_array({"interior": np.ones((1, 2, 1))})
    )
    with pytest.raises(NotImportable, match=r"constraint 2 .* w\[1\] \* loss_1"):
        to_document(crux)
