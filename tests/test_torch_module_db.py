"""PyTorch's own test inputs for its recurrent modules, run on lstm_ref.torch's.

The torch wheel ships ``torch.testing._internal.common_modules.module_db``: for
each module, constructor and forward inputs, and error inputs with the
exception type and message torch raises. Here every entry of nn.RNN, GRU,
LSTM, RNNCell, GRUCell and LSTMCell is run with our class substituted: the
numbers must equal torch.nn's (same weights), and every error input must raise
the same exception type with a message matching torch's regex.

Importing ``common_modules`` takes a few seconds (it builds the whole
database) and needs ``expecttest``, a test dependency of PyTorch that a plain
``pip install torch`` lacks (the book's pinned environment installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence
from torch.testing._internal.common_modules import (
    ModuleErrorEnum,
    ModuleInfo,
    module_db,
)
from torch_helpers import rel_err

import lstm_ref.torch as lt

# Importing PyTorch's test utilities freezes the global backend flags for the whole
# process (torch.backends.disable_global_flags), which would break every later test in
# this worker that sets, say, cudnn.allow_tf32. Thaw them again.
torch.backends.flags_frozen.__globals__["__allow_nonbracketed_mutation_flag"] = True
assert not torch.backends.flags_frozen()

OURS: dict[type[nn.Module], type[nn.Module]] = {
    nn.RNN: lt.RNN,
    nn.GRU: lt.GRU,
    nn.LSTM: lt.LSTM,
    nn.RNNCell: lt.RNNCell,
    nn.GRUCell: lt.GRUCell,
    nn.LSTMCell: lt.LSTMCell,
}
INFOS = [info for info in module_db if info.module_cls in OURS]
DTYPES = (torch.float64, torch.float32)
TOLERANCE = {torch.float64: 1e-12, torch.float32: 1e-5}


def _inputs(info: ModuleInfo, dtype: torch.dtype, errors: bool) -> list[Any]:
    torch.manual_seed(0)  # the forward inputs are random tensors
    make = info.module_error_inputs_func if errors else info.module_inputs_func
    extra = {"with_packed_sequence": True} if info.module_cls in (nn.RNN, nn.GRU) else {}
    if errors:
        extra = {}
    return list(make(info, device="cpu", dtype=dtype, requires_grad=False, training=False, **extra))


def _cases(errors: bool) -> Iterator[Any]:
    for info in INFOS:
        for dtype in DTYPES:
            for k, sample in enumerate(_inputs(info, dtype, errors)):
                name = f"{info.module_cls.__name__}-{str(dtype)[6:]}-{k}"
                yield pytest.param(info.module_cls, sample, dtype, id=name)


def _flat(result: Any) -> list[Tensor]:
    """The tensors of a module's result, in order (a PackedSequence gives its data)."""
    if isinstance(result, PackedSequence):
        return [result.data]
    if isinstance(result, Tensor):
        return [result]
    return [t for part in result for t in _flat(part)]


def test_every_recurrent_module_is_covered() -> None:
    assert {info.module_cls for info in INFOS} == set(OURS)


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize(("cls", "sample", "dtype"), list(_cases(errors=False)))
def test_module_db_inputs_give_torch_numbers(
    cls: type[nn.Module], sample: Any, dtype: torch.dtype
) -> None:
    args, kwargs = sample.constructor_input.args, sample.constructor_input.kwargs
    torch.manual_seed(1)
    reference = cls(*args, **kwargs).to(dtype).eval()
    ours = OURS[cls](*args, **kwargs).to(dtype).eval()
    ours.load_state_dict(reference.state_dict())
    forward = sample.forward_input
    expected = _flat(reference(*forward.args, **forward.kwargs))
    got = _flat(ours(*forward.args, **forward.kwargs))
    assert [t.shape for t in got] == [t.shape for t in expected]
    assert max(rel_err(a, b) for a, b in zip(got, expected, strict=True)) <= TOLERANCE[dtype]


@pytest.mark.parametrize(("cls", "sample", "dtype"), list(_cases(errors=True)))
def test_module_db_error_inputs_raise_torch_errors(
    cls: type[nn.Module], sample: Any, dtype: torch.dtype
) -> None:
    module_input = sample.module_error_input
    args = module_input.constructor_input.args
    kwargs = module_input.constructor_input.kwargs
    with pytest.raises(sample.error_type, match=sample.error_regex):
        module = OURS[cls](*args, **kwargs)
        assert sample.error_on == ModuleErrorEnum.FORWARD_ERROR, "constructed without error"
        forward = module_input.forward_input
        module(*forward.args, **forward.kwargs)
