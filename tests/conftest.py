"""Shared pytest configuration for the lstm_ref test-suite."""

from __future__ import annotations

import os

from hypothesis import settings

# Property tests run many times in CI on 2 cores: keep each one short.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
