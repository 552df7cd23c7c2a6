"""The NumPy reference: RNN, LSTM and GRU with hand-written backward passes.

Everything is time-major: ``x`` is ``(T, B, D)``, states are ``(B, H)``, and
the weights have ``torch.nn``'s layout and gate order, so they move freely
between this package, ``lstm_ref.torch`` and ``torch.nn``::

    y, (h_n, c_n), cache = lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh)
    grads = lstm_backward(dy, dh_n, dc_n, cache)   # dict: x, h0, c0, W_ih, W_hh, b_ih, b_hh
    y, h_n, cache = rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    grads = rnn_backward(dy, dh_n, cache)          # dict: x, h0, W_ih, W_hh, b_ih, b_hh
    y, h_n, cache = gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh)
    grads = gru_backward(dy, dh_n, cache)          # dict: x, h0, W_ih, W_hh, b_ih, b_hh

Every backward takes the gradient of each output of its forward, in order
(``None`` for zeros), then the cache, and returns gradients keyed by the names
of the forward's arguments. float32 and float64 both work; the dtype of ``x``
is kept throughout.

Modules: ``activations``, ``rnn``, ``lstm``, ``gru``, ``gradcheck``, ``optim``,
``losses``, ``model``; everything public is re-exported here.
"""

from lstm_ref.numpy._validation import DTypeError
from lstm_ref.numpy.activations import sigmoid, tanh
from lstm_ref.numpy.gradcheck import check_gradients, numerical_gradient, relative_error
from lstm_ref.numpy.gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from lstm_ref.numpy.losses import cross_entropy_loss, mse_loss
from lstm_ref.numpy.lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from lstm_ref.numpy.model import LSTMModel
from lstm_ref.numpy.optim import SGD, Adam, clip_grad_norm, global_norm
from lstm_ref.numpy.rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = [
    "SGD",
    "Adam",
    "DTypeError",
    "GRUCache",
    "GRUStepCache",
    "LSTMCache",
    "LSTMModel",
    "LSTMStepCache",
    "RNNCache",
    "RNNStepCache",
    "check_gradients",
    "clip_grad_norm",
    "cross_entropy_loss",
    "global_norm",
    "gru_backward",
    "gru_cell_backward",
    "gru_cell_forward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "mse_loss",
    "numerical_gradient",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "sigmoid",
    "tanh",
]
