"""Shared pytest configuration for the lstm_ref test-suite."""

from __future__ import annotations

import os

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
