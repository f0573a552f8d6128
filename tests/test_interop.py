"""dimod and networkx conversions: equal energies on random instances, round trips."""

import numpy as np
import pytest
import scipy.sparse

import spinmem
from spinmem import interop

dimod = pytest.importorskip("dimod")
networkx = pytest.importorskip("networkx")


def _random_bqm(n, density, seed, vartype="SPIN"):
    rng = np.random.default_rng(seed)
    labels = [f"v{k}" for k in rng.permutation(n)]  # labels not in index order
    linear = {v: rng.normal() for v in labels}
    quadratic = {
        (labels[i], labels[j]): rng.normal()
        for i in range(n)
        for j in range(i + 1, n)
        if rng.random() < density
    }
    return dimod.BinaryQuadraticModel(linear, quadratic, rng.normal(), vartype)


@pytest.mark.parametrize(
    ("density", "vartype"), [(0.05, "SPIN"), (0.9, "SPIN"), (0.3, "BINARY")]
)
def test_from_bqm_keeps_every_energy_up_to_the_offset(density, vartype):
    """40 variables, 200 random states: H(s) = E(s) - offset (SPIN), and for a BINARY
    model E at x = (s + 1) / 2; dense or sparse storage by density."""
    bqm = _random_bqm(40, density, seed=1, vartype=vartype)
    net = spinmem.Hopfield.from_bqm(bqm)
    assert net.storage == ("dense" if density > interop.DENSE_ABOVE else "sparse")
    s = np.random.default_rng(2).choice(np.array([-1, 1], np.int8), (200, 40))
    values = s if vartype == "SPIN" else (s + 1) // 2
    expected = bqm.energies((values, list(bqm.variables)))
    offset = bqm.spin.offset if vartype == "BINARY" else bqm.offset
    np.testing.assert_allclose(net.energy(s), expected - offset, rtol=0, atol=1e-10)


def test_to_bqm_and_back_round_trip():
    """A Hebbian model with fields: the BQM's energies equal the model's; converting
    back gives the same couplings and fields."""
    xi = spinmem.random_patterns(4, 30, seed=3)
    theta = np.random.default_rng(4).normal(size=30)
    net = spinmem.Hopfield.hebbian(xi, theta)
    bqm = net.to_bqm()
    assert bqm.vartype is dimod.SPIN and bqm.offset == 0
    s = np.random.default_rng(5).choice(np.array([-1, 1], np.int8), (100, 30))
    np.testing.assert_allclose(
        bqm.energies((s, list(range(30)))), net.energy(s), rtol=0, atol=1e-12
    )
    back = spinmem.Hopfield.from_bqm(bqm)
    np.testing.assert_allclose(np.asarray(back.couplings), net.couplings, atol=1e-15)
    np.testing.assert_allclose(back.fields, theta, atol=0)


def test_sampleset_round_trip_carries_states_and_energies():
    sk = spinmem.Hopfield.sherrington_kirkpatrick(20, seed=6)
    ds = spinmem.simulate(sk, temperature=0.5, sweeps=20, replicas=7, seed=7)
    samples = interop.to_sampleset(ds.state.values, sk)
    np.testing.assert_allclose(samples.record.energy, ds.energy.isel(sweep=-1), atol=1e-9)
    np.testing.assert_allclose(
        sk.to_bqm().energies(samples), samples.record.energy, rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(interop.from_sampleset(samples), ds.state.values)
    binary = samples.change_vartype(dimod.BINARY, inplace=False)
    np.testing.assert_array_equal(interop.from_sampleset(binary), ds.state.values)


def test_from_networkx_uses_edge_weights_as_couplings():
    """A random weighted graph: J_ij equals the weight of edge (i, j) in node order,
    and the energy of random states equals -sum over edges of w_ij s_i s_j."""
    graph = networkx.gnp_random_graph(30, 0.2, seed=8)
    rng = np.random.default_rng(9)
    for u, v in graph.edges:
        graph[u][v]["w"] = rng.normal()
    net = spinmem.Hopfield.from_networkx(graph, weight="w")
    s = rng.choice(np.array([-1, 1], np.int8), (50, 30))
    expected = -sum(d["w"] * s[:, u] * s[:, v] for u, v, d in graph.edges(data=True))
    np.testing.assert_allclose(net.energy(s), expected, rtol=0, atol=1e-12)
    J = net.couplings
    J = J.toarray() if scipy.sparse.issparse(J) else J
    assert J[3, 7] == (graph[3][7]["w"] if graph.has_edge(3, 7) else 0.0)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: networkx.DiGraph([(0, 1)]), ValueError, "undirected"),
        (lambda: networkx.Graph([(0, 1), (1, 1)]), ValueError, "self-loops"),
        (lambda: networkx.MultiGraph([(0, 1), (0, 1)]), ValueError, "multigraph"),
        (lambda: np.eye(3), TypeError, "networkx graph"),
    ],
)
def test_bad_graphs_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        spinmem.Hopfield.from_networkx(make())


def test_bad_conversions_are_refused():
    with pytest.raises(TypeError, match="BinaryQuadraticModel"):
        spinmem.Hopfield.from_bqm({"a": 1})
    memory = spinmem.memory.DenseMemory(spinmem.random_patterns(3, 10, seed=0))
    with pytest.raises(TypeError, match="pairwise"):
        interop.to_bqm(memory)
    labelled = dimod.SampleSet.from_samples([{"a": 1, "b": -1}], dimod.SPIN, energy=[0.0])
    other = spinmem.Hopfield.from_bqm(
        dimod.BinaryQuadraticModel({"a": 1, "c": 1}, {}, 0, "SPIN")
    )
    with pytest.raises(ValueError, match=r"missing from it: \['c'\]"):
        interop.from_sampleset(labelled, other)


@pytest.mark.parametrize("labels", [["x", "b", "a", "q7"], [2, 0, 3, 1]])
def test_a_binary_bqm_with_labels_and_offset_round_trips(labels):
    """A BINARY BQM labelled by strings (or by integers out of order) with an offset:
    annealed through spinmem, the sample set has the BQM's labels, vartype and energies
    (dimod's own check), the model converts back to the same BQM, and the samples read
    back in the model's spin order."""
    bqm = dimod.BinaryQuadraticModel(
        dict(zip(labels, [0.5, -1.0, 2.0, 0.25], strict=True)),
        {
            (labels[0], labels[1]): -1.5,
            (labels[1], labels[2]): 0.75,
            (labels[0], labels[3]): 1.0,
        },
        3.25,
        "BINARY",
    )
    model = interop.from_bqm(bqm)
    ds = spinmem.anneal(
        model, spinmem.schedules.geometric(3.0, 0.05, 50), replicas=6, seed=1
    )
    samples = interop.to_sampleset(ds.state.values, model)
    assert samples.vartype is dimod.BINARY
    assert list(samples.variables) == labels
    dimod.testing.assert_sampleset_energies(samples, bqm)
    back = interop.to_bqm(model)
    assert back.vartype is dimod.BINARY and set(back.variables) == set(labels)
    assert back.offset == pytest.approx(bqm.offset, abs=1e-12)
    for v in labels:
        assert back.get_linear(v) == pytest.approx(bqm.get_linear(v), abs=1e-12)
    for (u, v), bias in bqm.quadratic.items():
        assert back.get_quadratic(u, v) == pytest.approx(bias, abs=1e-12)
    np.testing.assert_array_equal(interop.from_sampleset(samples, model), ds.state.values)
    shuffled = samples.relabel_variables({v: v for v in labels}, inplace=False)
    shuffled = dimod.SampleSet.from_samples(
        (shuffled.record.sample[:, ::-1], list(samples.variables)[::-1]),
        dimod.BINARY,
        energy=shuffled.record.energy,
    )
    np.testing.assert_array_equal(interop.from_sampleset(shuffled, model), ds.state.values)
    alone = interop.from_sampleset(samples)
    if isinstance(labels[0], str):  # no model: the sample set's own order
        np.testing.assert_array_equal(alone, ds.state.values)
    else:  # integer labels 0..N-1: spin i is variable i
        np.testing.assert_array_equal(alone[:, labels], ds.state.values)


def test_the_origin_of_a_model_survives_pickling_and_storage_changes():
    import pickle

    bqm = _random_bqm(6, 0.9, 2, "BINARY")
    model = interop.from_bqm(bqm)
    for other in (pickle.loads(pickle.dumps(model)), model.with_storage("sparse")):
        states = np.where(np.random.default_rng(0).random((5, 6)) < 0.5, -1, 1)
        dimod.testing.assert_sampleset_energies(interop.to_sampleset(states, other), bqm)


@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_to_networkx_round_trips_couplings_and_keeps_fields(storage):
    """A model with fields to a graph and back: the same couplings exactly, one edge
    per nonzero coupling, the fields as node attributes, the same energy of every one
    of 50 states once the fields are added back."""
    networkx = pytest.importorskip("networkx")
    rng = np.random.default_rng(4)
    n = 12
    J = np.triu(rng.normal(size=(n, n)) * (rng.random((n, n)) < 0.4), 1)
    J = J + J.T
    theta = rng.normal(size=n)
    net = spinmem.Hopfield(scipy.sparse.csr_array(J), theta, storage=storage)
    graph = spinmem.interop.to_networkx(net, weight="J")
    assert isinstance(graph, networkx.Graph)
    assert graph.number_of_edges() == np.count_nonzero(np.triu(J, 1))
    np.testing.assert_array_equal([graph.nodes[i]["field"] for i in range(n)], theta)
    back = spinmem.interop.from_networkx(graph, weight="J")
    dense_back = back.couplings if back.storage == "dense" else back.couplings.toarray()
    np.testing.assert_array_equal(dense_back, J)
    with_fields = spinmem.Hopfield(scipy.sparse.csr_array(J), graph_fields(graph))
    s = spinmem.random_patterns(50, n, seed=1)
    np.testing.assert_allclose(with_fields.energy(s), net.energy(s), rtol=0, atol=1e-12)
    with pytest.raises(TypeError, match="needs a pairwise spinmem.Hopfield"):
        spinmem.interop.to_networkx(spinmem.DenseMemory(spinmem.random_patterns(2, 8)))


def graph_fields(graph):
    return np.array([graph.nodes[i]["field"] for i in sorted(graph.nodes)])
