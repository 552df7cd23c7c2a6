"""A PyTorch LSTM of our own: drop-ins for torch.nn's recurrent modules, the
Greff et al. (2017) variants, the layer-normalised LSTM of Ba et al. (2016) and
the optimisation ladder of chapter 10.

None of these modules calls PyTorch's RNN operators (``aten::lstm``,
``aten::gru``, ``aten::_cudnn_rnn``, ...): they are written from matmuls and
element-wise ops, and compute the same numbers as torch.nn.
"""

from __future__ import annotations

from .agreement import compare_with_torch
from .conv_lstm import ConvLSTM, ConvLSTMCell
from .crf import LinearChainCRF
from .gru import GRU, GRUCell
from .ladder import IMPLS
from .layer_norm import LayerNormLSTM, LayerNormLSTMCell
from .lstm import LSTM, LSTMCell
from .minimal import MinGRU, MinLSTM
from .rnn import RNN, RNNCell
from .scan import parallel_scan, sequential_scan
from .slstm import SLSTM
from .variants import VARIANTS, VariantLSTM

__all__ = [
    "GRU",
    "IMPLS",
    "LSTM",
    "RNN",
    "SLSTM",
    "VARIANTS",
    "ConvLSTM",
    "ConvLSTMCell",
    "GRUCell",
    "LSTMCell",
    "LayerNormLSTM",
    "LayerNormLSTMCell",
    "LinearChainCRF",
    "MinGRU",
    "MinLSTM",
    "RNNCell",
    "VariantLSTM",
    "compare_with_torch",
    "parallel_scan",
    "sequential_scan",
]
