"""The README's example of lstm_ref in one's own code runs as printed."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert len(blocks) == 1, "the README should show exactly one Python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    y, y_np = namespace["y"], namespace["y_np"]
    assert tuple(y.shape) == (8, 50, 16)  # type: ignore[attr-defined]
    relative_error = namespace["relative_error"]
    assert relative_error(y_np.transpose(1, 0, 2), y.detach().numpy()) < 1e-5  # type: ignore
