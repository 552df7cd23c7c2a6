"""Shared pytest configuration for the lstm_ref test-suite."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import torch
from hypothesis import settings

# Triton chooses, when it is first imported, between compiling kernels for the GPU and
# running them under its interpreter. Without a GPU, the persistent rung's kernels run
# under the interpreter (tests/test_torch_persistent.py); this file is imported before
# any test module, so before anything can import Triton.
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")

# Property tests run many times in CI on 2 cores: keep each one short.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def no_tf32() -> Iterator[None]:
    """TF32 off for the test (comparisons against cuDNN need full fp32 matmuls), then restored."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
