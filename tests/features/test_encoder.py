"""Known-answer tests of FrozenEncoder on the shipped all-MiniLM-L6-v2."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer

from qhybrid.exceptions import ConfigError, FeatureError
from qhybrid.features import EncoderConfig, FrozenEncoder
from qhybrid.features.encoder import pool_hidden_states

from .conftest import MINILM_DIM

PARITY_ATOL = 1e-5
"""Agreement with an independent computation of the same float32 forward pass."""

BATCH_ATOL = 1e-5
"""Agreement between batch sizes. Different padding lengths change float32 rounding (about 2e-6)."""

TEXTS = [
    "Quantum heads on frozen features.",
    "A much longer sentence, so that batches that contain it need padding for the others.",
    "short",
    "",
    "The film was a delight from start to finish.",
]

Build = Callable[[EncoderConfig], FrozenEncoder]


@pytest.fixture(scope="module")
def reference(minilm_path: Path) -> tuple[AutoTokenizer, AutoModel]:
    """The shipped checkpoint loaded directly with transformers, outside qhybrid."""
    tokenizer = AutoTokenizer.from_pretrained(str(minilm_path), local_files_only=True)
    model = AutoModel.from_pretrained(str(minilm_path), local_files_only=True).eval()
    return tokenizer, model


def _reference_hidden(reference: tuple[AutoTokenizer, AutoModel], text: str) -> torch.Tensor:
    tokenizer, model = reference
    encoded = tokenizer([text], truncation=True, max_length=128, return_tensors="pt")
    with torch.no_grad():
        return model(**encoded).last_hidden_state[0]  # (T, 384), no padding


def test_output_shape_dtype_finite(build_encoder: Build) -> None:
    features = build_encoder(EncoderConfig()).encode(TEXTS, progress=False)
    assert features.shape == (len(TEXTS), MINILM_DIM)
    assert features.dtype == torch.float32
    assert features.device.type == "cpu"
    assert torch.isfinite(features).all()


def test_dim_is_hidden_size(build_encoder: Build) -> None:
    assert build_encoder(EncoderConfig()).dim == MINILM_DIM


def test_output_usable_outside_inference_mode(build_encoder: Build) -> None:
    features = build_encoder(EncoderConfig()).encode(TEXTS[:2], progress=False)
    assert not features.is_inference()
    assert not features.requires_grad


def test_weights_frozen_in_eval_mode(build_encoder: Build) -> None:
    model = build_encoder(EncoderConfig())._model
    assert not model.training
    assert not any(parameter.requires_grad for parameter in model.parameters())


def test_mean_pooling_matches_manual(build_encoder: Build, reference: tuple[AutoTokenizer, AutoModel]) -> None:
    features = build_encoder(EncoderConfig(pooling="mean")).encode(TEXTS, progress=False)
    for row, text in enumerate(TEXTS):
        # Without padding every token is real, so the masked mean is a plain mean.
        expected = _reference_hidden(reference, text).mean(dim=0)
        torch.testing.assert_close(features[row], expected, atol=PARITY_ATOL, rtol=0)


def test_cls_pooling_is_first_token(build_encoder: Build, reference: tuple[AutoTokenizer, AutoModel]) -> None:
    features = build_encoder(EncoderConfig(pooling="cls")).encode(TEXTS, progress=False)
    for row, text in enumerate(TEXTS):
        expected = _reference_hidden(reference, text)[0]
        torch.testing.assert_close(features[row], expected, atol=PARITY_ATOL, rtol=0)


def test_max_length_truncates(build_encoder: Build, reference: tuple[AutoTokenizer, AutoModel]) -> None:
    text = TEXTS[1]
    features = build_encoder(EncoderConfig(max_length=8)).encode([text], progress=False)
    tokenizer, model = reference
    encoded = tokenizer([text], truncation=True, max_length=8, return_tensors="pt")
    assert encoded["input_ids"].shape[1] == 8
    with torch.no_grad():
        expected = model(**encoded).last_hidden_state[0].mean(dim=0)
    torch.testing.assert_close(features[0], expected, atol=PARITY_ATOL, rtol=0)


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None, reason="sentence-transformers is not installed"
)
def test_mean_pooling_matches_sentence_transformers(build_encoder: Build, minilm_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    # The sentence-transformers pipeline of all-MiniLM-L6-v2 ends with L2 normalization.
    expected = SentenceTransformer(str(minilm_path), device="cpu").encode(TEXTS, convert_to_tensor=True)
    features = build_encoder(EncoderConfig(pooling="mean")).encode(TEXTS, progress=False)
    torch.testing.assert_close(F.normalize(features, dim=1), expected.cpu(), atol=PARITY_ATOL, rtol=0)


def test_mean_pooling_ignores_padding() -> None:
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]])  # (B=1, T=3, dim=2)
    attention_mask = torch.tensor([[1, 1, 0]])
    torch.testing.assert_close(pool_hidden_states(hidden, attention_mask, "mean"), torch.tensor([[2.0, 3.0]]))
    torch.testing.assert_close(pool_hidden_states(hidden, attention_mask, "cls"), torch.tensor([[1.0, 2.0]]))


def test_pool_rejects_unknown_mode() -> None:
    with pytest.raises(ConfigError, match=r"Unknown pooling 'max'\. Choose one of \['mean', 'cls'\]"):
        pool_hidden_states(torch.zeros(1, 2, 3), torch.ones(1, 2), "max")


def test_batch_size_does_not_change_features(build_encoder: Build) -> None:
    texts = TEXTS * 3
    small_batches = build_encoder(EncoderConfig(batch_size=2)).encode(texts, progress=False)
    one_batch = build_encoder(EncoderConfig(batch_size=64)).encode(texts, progress=False)
    torch.testing.assert_close(small_batches, one_batch, atol=BATCH_ATOL, rtol=0)


def test_rows_follow_input_order(build_encoder: Build) -> None:
    encoder = build_encoder(EncoderConfig(batch_size=2))
    features = encoder.encode(TEXTS, progress=False)
    permutation = [3, 0, 4, 1, 2]
    permuted = encoder.encode([TEXTS[index] for index in permutation], progress=False)
    torch.testing.assert_close(permuted, features[permutation], atol=BATCH_ATOL, rtol=0)


def test_equal_texts_give_equal_rows(build_encoder: Build) -> None:
    features = build_encoder(EncoderConfig(batch_size=2)).encode(["same", "other text", "same"], progress=False)
    torch.testing.assert_close(features[0], features[2], atol=BATCH_ATOL, rtol=0)


def test_accepts_tuple_and_generator(build_encoder: Build) -> None:
    encoder = build_encoder(EncoderConfig())
    from_list = encoder.encode(TEXTS[:2], progress=False)
    assert torch.equal(encoder.encode(tuple(TEXTS[:2]), progress=False), from_list)
    assert torch.equal(encoder.encode((text for text in TEXTS[:2]), progress=False), from_list)


def test_progress_bar_only_for_several_batches(build_encoder: Build, capsys: pytest.CaptureFixture[str]) -> None:
    encoder = build_encoder(EncoderConfig(batch_size=2))
    encoder.encode(TEXTS, progress=True)
    assert "Encoding texts" in capsys.readouterr().err

    encoder.encode(TEXTS[:2], progress=True)
    assert "Encoding texts" not in capsys.readouterr().err

    encoder.encode(TEXTS, progress=False)
    assert "Encoding texts" not in capsys.readouterr().err


def test_identity_describes_output(build_encoder: Build) -> None:
    identity = build_encoder(EncoderConfig(pooling="cls", max_length=64)).identity()
    assert identity["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert identity["fingerprint"].startswith("sha256:")
    assert identity["pooling"] == "cls"
    assert identity["max_length"] == 64
    assert "batch_size" not in identity
    assert "device" not in identity


def test_empty_texts_rejected(build_encoder: Build) -> None:
    with pytest.raises(FeatureError, match="texts is empty"):
        build_encoder(EncoderConfig()).encode([])


def test_non_string_text_named_by_index(build_encoder: Build) -> None:
    with pytest.raises(FeatureError, match=r"texts\[2\] must be a str, got float: nan"):
        build_encoder(EncoderConfig()).encode(["a", "b", float("nan")])


def test_single_string_rejected(build_encoder: Build) -> None:
    with pytest.raises(FeatureError, match=r"texts must be a list of strings, got str.*\[text\]"):
        build_encoder(EncoderConfig()).encode("one text")


def test_max_length_above_model_limit_rejected() -> None:
    with pytest.raises(ConfigError, match=r"max_length is 1024, but model .* accepts at most 512 tokens"):
        FrozenEncoder(EncoderConfig(max_length=1024))


def test_non_config_rejected() -> None:
    with pytest.raises(ConfigError, match="config must be an EncoderConfig, got dict"):
        FrozenEncoder({"pooling": "mean"})  # type: ignore[arg-type]


def test_unknown_model_rejected() -> None:
    with pytest.raises(ConfigError, match=r"'qhybrid-test/does-not-exist' is not a local directory"):
        FrozenEncoder(EncoderConfig(model="qhybrid-test/does-not-exist"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_cuda_without_gpu_rejected() -> None:
    with pytest.raises(ConfigError, match=r"device is 'cuda', but CUDA is not available.*Set device to 'cpu'"):
        FrozenEncoder(EncoderConfig(device="cuda"))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu(build_encoder: Build) -> None:
    on_cpu = build_encoder(EncoderConfig()).encode(TEXTS, progress=False)
    on_gpu = build_encoder(EncoderConfig(device="cuda")).encode(TEXTS, progress=False)
    assert on_gpu.device.type == "cpu"
    # GPU kernels may use TF32 or other reduction orders, hence the looser tolerance.
    torch.testing.assert_close(on_gpu, on_cpu, atol=1e-3, rtol=0)
