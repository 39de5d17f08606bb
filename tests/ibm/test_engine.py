"""QuantumHead(backend="ibm"): parity with the exact simulator, gradients, modes and option errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhybrid.engines import available_backends
from qhybrid.exceptions import BackendError
from qhybrid.heads import QuantumHead

pytest.importorskip("qiskit_ibm_runtime")
from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.fake_provider import FakeManilaV2  # noqa: E402

SHOTS = 8192
EXPVAL_TOLERANCE = 5 / np.sqrt(SHOTS)
"""Five standard deviations of a <Z> estimate from SHOTS shots."""

JACOBIAN_TOLERANCE = 5 * np.sqrt(2 / SHOTS) / 2
"""Five standard deviations of one parameter-shift term (E(+) - E(-)) / 2 from SHOTS-shot estimates."""


def ibm_head(**options: object) -> QuantumHead:
    backend_options = {"ibm_backend": AerSimulator.from_backend(FakeManilaV2(), noise_model=None), **options}
    return QuantumHead(6, 2, n_qubits=4, n_layers=1, backend="ibm", shots=SHOTS, seed=0, backend_options=backend_options)


def exact_head() -> QuantumHead:
    return QuantumHead(6, 2, n_qubits=4, n_layers=1, backend="default.qubit", seed=0)


def test_ibm_is_a_registered_backend() -> None:
    assert "ibm" in available_backends()


def test_forward_matches_exact_simulator() -> None:
    features = torch.randn(10, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        values = ibm_head().expvals(features)
        expected = exact_head().expvals(features)
    assert values.shape == (10, 4)
    torch.testing.assert_close(values, expected, atol=EXPVAL_TOLERANCE, rtol=0)


def test_jacobian_matches_backprop() -> None:
    head, exact = ibm_head(), exact_head()
    angles = torch.rand(2, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * np.pi
    weights = exact.weights.detach().double()

    _, jacobian = head.engine.evaluate(angles, weights, with_gradient=True)  # (B, n_qubits + n_weights, n_qubits)
    expected_angles, expected_weights = torch.autograd.functional.jacobian(
        lambda a, w: exact.engine.expvals(a, w), (angles, weights)
    )  # (B, n_out, B, n_qubits) and (B, n_out, *weight_shape)

    batch = torch.arange(2)
    expected = torch.cat(
        [expected_angles[batch, :, batch].transpose(1, 2), expected_weights.flatten(2).transpose(1, 2)], dim=1
    )
    assert expected.abs().max() > 10 * JACOBIAN_TOLERANCE
    torch.testing.assert_close(jacobian, expected, atol=JACOBIAN_TOLERANCE, rtol=0)


def test_backward_fills_every_gradient() -> None:
    head = ibm_head()
    head(torch.randn(2, 6, generator=torch.Generator().manual_seed(4))).sum().backward()
    for name, parameter in head.named_parameters():
        assert parameter.grad is not None, name
        assert torch.isfinite(parameter.grad).all(), name


@pytest.mark.parametrize("mode", ["batch", "session"])
def test_batch_and_session_modes_run(mode: str) -> None:
    head = ibm_head(mode=mode)
    features = torch.randn(3, 6, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        values = head.expvals(features)
    head.engine.close()
    assert values.shape == (3, 4)
    assert head.engine.describe()["mode"] == mode


def test_describe_reports_local_mode_and_layout() -> None:
    head = QuantumHead(6, 2, n_qubits=4, n_layers=1, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_manila"})
    description = head.engine.describe()
    assert description["backend"] == "ibm"
    assert description["ibm_backend"] == "fake_manila"
    assert description["execution"] == "local testing mode"
    assert len(description["physical_qubits"]) == 4
    assert description["job_limits"]["max_circuits_per_job"] == 300


def test_missing_ibm_backend_rejected() -> None:
    with pytest.raises(BackendError, match=r"needs backend_options=\{'ibm_backend': NAME\}"):
        QuantumHead(6, 2, backend="ibm", shots=1024)


def test_missing_shots_rejected() -> None:
    with pytest.raises(BackendError, match="needs shots as a positive integer"):
        QuantumHead(6, 2, backend="ibm", backend_options={"ibm_backend": "fake_manila"})


def test_unknown_option_rejected() -> None:
    with pytest.raises(BackendError, match=r"Unknown option\(s\) \['method'\] for backend 'ibm'; valid options are"):
        QuantumHead(6, 2, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_manila", "method": "statevector"})


def test_noise_model_rejected() -> None:
    with pytest.raises(BackendError, match="takes no noise model"):
        QuantumHead(6, 2, backend="ibm", shots=1024, noise="fake_manila", backend_options={"ibm_backend": "fake_manila"})


def test_unknown_mode_rejected() -> None:
    with pytest.raises(BackendError, match="mode must be one of"):
        QuantumHead(6, 2, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_manila", "mode": "stream"})


def test_diff_method_other_than_parameter_shift_rejected() -> None:
    with pytest.raises(BackendError, match="parameter-shift rule only"):
        QuantumHead(6, 2, backend="ibm", shots=1024, diff_method="adjoint", backend_options={"ibm_backend": "fake_manila"})


def test_unknown_fake_backend_lists_names() -> None:
    head = QuantumHead(6, 2, backend="ibm", shots=1024, backend_options={"ibm_backend": "fake_nowhere"})
    with pytest.raises(BackendError, match="No fake backend named 'fake_nowhere'.*fake_manila|No fake backend named 'fake_nowhere'"):
        head.engine.executor
