"""Bad input gets a clear error naming the expression or model at fault."""

import jax
import numpy as np
import optax
import pytest

import jno_lab as jno


@pytest.fixture(scope="module")
def line():
    return jno.domain(constructor=jno.domain.line(mesh_size=0.25))


def test_model_without_optimizer(line):
    (x,) = line.variable("interior")
    net = jno.nn.wrap(jno.nn.mlp(1, 1, hidden=4, depth=1, key=jax.random.PRNGKey(0)), name="u_net")
    crux = jno.core([net(x).mse])
    with pytest.raises(ValueError, match=r"`u_net.optimizer\(...\)` has not been called for model"):
        crux.solve(1)


def test_variables_from_two_domains(line):
    other = jno.domain(constructor=jno.domain.line(mesh_size=0.5))
    (x,) = line.variable("interior")
    (x2,) = other.variable("boundary")
    with pytest.raises(ValueError, match="2 different domains"):
        jno.core([x.mse + x2.mse])


def test_mixing_tags_point_by_point(line):
    (x,) = line.variable("interior")
    (xb,) = line.variable("boundary")
    with pytest.raises(
        ValueError, match=r"combines points of different domain tags \(boundary, interior\)"
    ):
        jno.core([(x - xb).mse])


def test_shape_mismatch_names_the_node_and_both_shapes(line):
    (x,) = line.variable("interior")
    bad = jno.np.concat([x, x]) + jno.np.constant(np.ones(3))
    with pytest.raises(
        ValueError, match=r"evaluating `\(concat\(.*\) \+ const\(3,\)\)`.*\(2,\), \(3,\)"
    ):
        jno.core([bad.mse]).eval(bad)


def test_unknown_scheme_string(line):
    (x,) = line.variable("interior")
    with pytest.raises(ValueError, match="unknown scheme 'automatic_differentiation:sideways'"):
        x.d(x, scheme="automatic_differentiation:sideways")


def test_finite_difference_needs_a_mesh(line):
    (x,) = line.variable("interior")
    with pytest.raises(NotImplementedError, match="scheme='finite_difference:lsq' needs a meshed"):
        x.d(x, scheme="finite_difference:lsq")


def test_constraint_must_reduce_to_a_scalar(line):
    (x,) = line.variable("interior")
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    crux = jno.core([p * x])
    with pytest.raises(
        ValueError, match=r"constraint `\(param\(1,\) \* x\[interior\]\)` has shape .* not a scalar"
    ):
        crux.solve(1)


def test_eval_on_a_domain_without_the_tag(line):
    (x,) = line.variable("left")
    crux = jno.core([x.mse])
    cloud = jno.domain.from_array({"interior": np.zeros((3, 1))})
    with pytest.raises(ValueError, match="tag 'left', which this domain does not have"):
        crux.eval(x, domain=cloud)


def test_derivative_of_a_reduction(line):
    (x,) = line.variable("interior")
    with pytest.raises(ValueError, match="not a per-point expression"):
        jno.core([(x - jno.np.mean(x)).mean().d(x).mse])


def test_differentiating_w_r_t_a_non_coordinate(line):
    (x,) = line.variable("interior")
    with pytest.raises(TypeError, match="differentiate with respect to a coordinate"):
        x.d(x * 2)


def test_python_truth_value_of_an_expression(line):
    (x,) = line.variable("interior")
    with pytest.raises(TypeError, match=r"use jno\.np\.where"):
        bool(x > 0)


def test_bad_inner_steps_and_epochs(line):
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 1.0).mse], line)
    with pytest.raises(
        ValueError, match="inner_steps=3 must be a positive integer dividing epochs=10"
    ):
        crux.solve(10, inner_steps=3)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        crux.solve(0)


def test_wrong_number_of_weights(line):
    p = jno.np.parameter((1,), init=0.0).optimizer(optax.sgd(0.1))
    crux = jno.core([(p - 1.0).mse], line)
    with pytest.raises(ValueError, match="constraint_weights has 2 weights but the problem has 1"):
        crux.solve(1, constraint_weights=[1.0, 2.0])
