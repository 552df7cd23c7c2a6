r"""The Triton kernels of the ``persistent`` impl: a whole LSTM layer direction per launch.

Imported only when ``impl="persistent"`` runs (it imports Triton). Both
kernels are written for one launch per layer direction, one program per tile
of ``BLOCK_B`` batch rows, each program walking all ``T`` steps:

* A program owns whole rows of the batch and *all* H hidden units of those
  rows. The gates of a row at step t need all of :math:`h_{t-1}` of that row,
  so nothing passes between programs: there is no grid-wide barrier (which
  Triton's sequential interpreter, running one program after the other,
  would deadlock on), only ``tl.debug_barrier()`` (``__syncthreads``) between
  the threads of one program, after a step has written its state to global
  memory and before the next step reads it back.
* Inside a step the program loops over tiles of ``BLOCK_H`` hidden units and,
  for each, over tiles of ``BLOCK_K`` features of :math:`h_{t-1}`. Where all
  of :math:`W_{hh}` is one tile per gate (``RESIDENT``, H ≤ 32), the program
  loads it into registers once, before the time loop. Otherwise each tile of
  :math:`W_{hh}` is loaded at every step: Triton gives no way to pin a tensor
  in shared memory across loop iterations, and all of :math:`W_{hh}` (16 H²
  bytes in float32) would not fit in one program's registers or shared
  memory from H = 128 on. What should keep the re-reads cheap is L2: every
  program reads the same :math:`W_{hh}` (4 MiB at H = 512, 16 MiB at
  H = 1024), which fits in the L2 cache of current data-centre GPUs.
* States live in global memory, written once per step into ``hs`` and ``cs``
  (T + 1, B, H) in the order the steps are processed; slot 0 holds the
  initial state. The backward pass reads them back.
* The backward kernel walks the steps in reverse, each in two phases split by
  a barrier: the element-wise backward (gate gradients ``d_preact`` and
  :math:`\delta c`), then :math:`\delta h_{t-1} = W_{hh}^\top \delta a_t`,
  which needs all 4H gate gradients of a row. :math:`\delta h` and
  :math:`\delta c` alternate between two buffers, read one and write the
  other, because a thread must never read an element that another thread
  holding a copy of it (small tiles are replicated across threads) has
  already overwritten.

Products are broadcast multiply-and-sum in the accumulation type (float32, or
float64 for float64 tensors), never TF32, so the results match ``nn.LSTM``
with TF32 off. Both tanh are :math:`2\sigma(2a) - 1`, as in
:func:`~lstm_ref.torch.functional.lstm_pointwise`.
"""

from __future__ import annotations

import re

import numpy as np
import triton
import triton.language as tl

#: Whether Triton runs these kernels under its interpreter (on any device, in
#: NumPy) rather than compiling them for the GPU. Triton decides when it is
#: first imported, from the environment variable ``TRITON_INTERPRET``, for its
#: own library functions too, so it cannot change later in the process.
#: (``triton.knobs`` exists from Triton 3.4 on.)
INTERPRETED: bool = bool(triton.knobs.runtime.interpret)


def _major_minor(version: str) -> tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"version: expected 'MAJOR.MINOR...', got {version!r}")
    return int(match[1]), int(match[2])


def check_interpreter() -> None:
    """Raise :class:`RuntimeError` where Triton's interpreter cannot run these kernels.

    Triton's interpreter before 3.7 holds a scalar argument such as ``T`` as a
    NumPy array of shape (1,) and turns it into a Python int with ``int()``,
    which NumPy refuses from 2.4 on ("only 0-dimensional arrays can be converted
    to Python scalars"), so every loop bounded by an argument (``range(T)``)
    fails. The compiled kernels are not affected (checked with Triton 3.6 and
    3.9). No kernel code can avoid this, since the loops must be bounded by
    run-time sizes, hence a version check here rather than a second kernel.
    """
    old_triton = _major_minor(triton.__version__) < (3, 7)
    if INTERPRETED and old_triton and _major_minor(np.__version__) >= (2, 4):
        raise RuntimeError(
            f"impl='persistent' under TRITON_INTERPRET=1 needs Triton >= 3.7 with "
            f"NumPy >= 2.4: Triton {triton.__version__}'s interpreter fails on NumPy "
            f"{np.__version__} (pip install 'triton>=3.7' or 'numpy<2.4'); compiled on a "
            "GPU, Triton >= 3.4 works"
        )


@triton.jit
def gate_tiles(w_hh, units, feats, H, ACC: tl.constexpr):
    """The (BLOCK_H, BLOCK_K) tiles of W_hh's i, f, g, o blocks: rows z*H + units, columns feats."""
    at = w_hh + units[:, None] * H + feats[None, :]
    mask = (units < H)[:, None] & (feats < H)[None, :]
    w_i = tl.load(at, mask=mask, other=0.0).to(ACC)
    w_f = tl.load(at + H * H, mask=mask, other=0.0).to(ACC)
    w_g = tl.load(at + 2 * H * H, mask=mask, other=0.0).to(ACC)
    w_o = tl.load(at + 3 * H * H, mask=mask, other=0.0).to(ACC)
    return w_i, w_f, w_g, w_o


@triton.jit
def lstm_forward_kernel(
    gx,  # (T, B, 4H): W_ih x_t + b_ih + b_hh, in time order
    w_hh,  # (4H, H)
    hs,  # (T + 1, B, H): slot 0 = h_0 on entry; slot s + 1 = h after processed step s
    cs,  # (T + 1, B, H): the same for c
    acts,  # (T, B, 4H): i, f, g, o of processed step s (written when SAVE)
    batch_sizes,  # (T,) int32: rows running at time step t
    T,
    B,
    H,
    REVERSE: tl.constexpr,
    SAVE: tl.constexpr,
    RESIDENT: tl.constexpr,
    ACC: tl.constexpr,
    BLOCK_B: tl.constexpr,
    BLOCK_H: tl.constexpr,
    BLOCK_K: tl.constexpr,
):
    rows = tl.program_id(0) * BLOCK_B + tl.arange(0, BLOCK_B)
    row_ok = rows < B
    if RESIDENT:  # H <= BLOCK_H, BLOCK_K: W_hh is one tile per gate, kept in registers
        w_kept = gate_tiles(w_hh, tl.arange(0, BLOCK_H), tl.arange(0, BLOCK_K), H, ACC)
    for s in range(T):
        t = T - 1 - s if REVERSE else s
        # Rows past batch_sizes[t] (finished, or not started when reversed) keep their state.
        run = row_ok & (rows < tl.load(batch_sizes + t))
        h_prev = hs + s * B * H
        c_prev = cs + s * B * H
        for j in range(0, H, BLOCK_H):
            units = j + tl.arange(0, BLOCK_H)
            out_mask = row_ok[:, None] & (units < H)[None, :]
            # a = gx_t + W_hh h_{t-1}, gate by gate, the rows of W_hh z*H + units.
            at = gx + t * B * 4 * H + rows[:, None] * 4 * H + units[None, :]
            a_i = tl.load(at, mask=out_mask, other=0.0).to(ACC)
            a_f = tl.load(at + H, mask=out_mask, other=0.0).to(ACC)
            a_g = tl.load(at + 2 * H, mask=out_mask, other=0.0).to(ACC)
            a_o = tl.load(at + 3 * H, mask=out_mask, other=0.0).to(ACC)
            for k in range(0, H, BLOCK_K):
                feats = k + tl.arange(0, BLOCK_K)
                h_mask = row_ok[:, None] & (feats < H)[None, :]
                h_at = h_prev + rows[:, None] * H + feats[None, :]
                h_tile = tl.load(h_at, mask=h_mask, other=0.0).to(ACC)[:, None, :]  # (BB, 1, BK)
                if RESIDENT:
                    w = w_kept
                else:  # streamed: from L2 at every step
                    w = gate_tiles(w_hh, units, feats, H, ACC)  # (i, f, g, o)
                a_i += tl.sum(h_tile * w[0][None, :, :], axis=2)
                a_f += tl.sum(h_tile * w[1][None, :, :], axis=2)
                a_g += tl.sum(h_tile * w[2][None, :, :], axis=2)
                a_o += tl.sum(h_tile * w[3][None, :, :], axis=2)
            i = tl.sigmoid(a_i)
            f = tl.sigmoid(a_f)
            g = 2 * tl.sigmoid(2 * a_g) - 1
            o = tl.sigmoid(a_o)
            state = rows[:, None] * H + units[None, :]
            c_old = tl.load(c_prev + state, mask=out_mask, other=0.0).to(ACC)
            h_old = tl.load(h_prev + state, mask=out_mask, other=0.0)
            c = f * c_old + i * g
            h = o * (2 * tl.sigmoid(2 * c) - 1)
            keep = run[:, None]
            tl.store(cs + (s + 1) * B * H + state, tl.where(keep, c, c_old), mask=out_mask)
            tl.store(hs + (s + 1) * B * H + state, tl.where(keep, h, h_old), mask=out_mask)
            if SAVE:
                act_at = acts + s * B * 4 * H + rows[:, None] * 4 * H + units[None, :]
                tl.store(act_at, i, mask=out_mask)
                tl.store(act_at + H, f, mask=out_mask)
                tl.store(act_at + 2 * H, g, mask=out_mask)
                tl.store(act_at + 3 * H, o, mask=out_mask)
        # Step s + 1 reads all H units of h written by every thread of this program.
        tl.debug_barrier()


@triton.jit
def lstm_backward_kernel(
    dy,  # (T, B, H): gradient of the outputs, in processed order (unused where not running)
    w_hh,  # (4H, H)
    cs,  # (T + 1, B, H): the cell states saved by the forward kernel
    acts,  # (T, B, 4H): the gate activations saved by the forward kernel
    d_preact,  # (T, B, 4H) out: gradient of the pre-activations a, zero where not running
    dh,  # (2, B, H): slot 0 = dh_n on entry; dh_0 in slot T % 2 on exit
    dc,  # (2, B, H): the same for dc
    batch_sizes,  # (T,) int32
    T,
    B,
    H,
    REVERSE: tl.constexpr,
    RESIDENT: tl.constexpr,
    ACC: tl.constexpr,
    BLOCK_B: tl.constexpr,
    BLOCK_H: tl.constexpr,
    BLOCK_K: tl.constexpr,
):
    rows = tl.program_id(0) * BLOCK_B + tl.arange(0, BLOCK_B)
    row_ok = rows < B
    if RESIDENT:  # as in the forward kernel
        w_kept = gate_tiles(w_hh, tl.arange(0, BLOCK_H), tl.arange(0, BLOCK_K), H, ACC)
    for r in range(T):
        s = T - 1 - r  # processed steps, last first
        t = T - 1 - s if REVERSE else s
        run = (row_ok & (rows < tl.load(batch_sizes + t)))[:, None]
        # Read one slot of dh and dc, write the other: a thread must never read a
        # value that a thread holding a copy of the same element has already updated.
        dh_in, dh_out = dh + (r % 2) * B * H, dh + ((r + 1) % 2) * B * H
        dc_in, dc_out = dc + (r % 2) * B * H, dc + ((r + 1) % 2) * B * H
        # Phase 1: the element-wise backward, unit tile by unit tile.
        for j in range(0, H, BLOCK_H):
            units = j + tl.arange(0, BLOCK_H)
            mask = row_ok[:, None] & (units < H)[None, :]
            state = rows[:, None] * H + units[None, :]
            at = s * B * 4 * H + rows[:, None] * 4 * H + units[None, :]
            i = tl.load(acts + at, mask=mask, other=0.0).to(ACC)
            f = tl.load(acts + at + H, mask=mask, other=0.0).to(ACC)
            g = tl.load(acts + at + 2 * H, mask=mask, other=0.0).to(ACC)
            o = tl.load(acts + at + 3 * H, mask=mask, other=0.0).to(ACC)
            c_old = tl.load(cs + s * B * H + state, mask=mask, other=0.0).to(ACC)
            c = tl.load(cs + (s + 1) * B * H + state, mask=mask, other=0.0).to(ACC)
            tanh_c = 2 * tl.sigmoid(2 * c) - 1
            d_h = tl.load(dh_in + state, mask=mask, other=0.0).to(ACC)
            d_h += tl.load(dy + s * B * H + state, mask=mask, other=0.0).to(ACC)
            d_c_in = tl.load(dc_in + state, mask=mask, other=0.0).to(ACC)
            d_c = d_c_in + d_h * o * (1 - tanh_c * tanh_c)
            zero = tl.zeros_like(d_c)
            tl.store(d_preact + at, tl.where(run, d_c * g * i * (1 - i), zero), mask=mask)
            tl.store(d_preact + at + H, tl.where(run, d_c * c_old * f * (1 - f), zero), mask=mask)
            tl.store(d_preact + at + 2 * H, tl.where(run, d_c * i * (1 - g * g), zero), mask=mask)
            d_o = d_h * tanh_c * o * (1 - o)
            tl.store(d_preact + at + 3 * H, tl.where(run, d_o, zero), mask=mask)
            tl.store(dc_out + state, tl.where(run, d_c * f, d_c_in), mask=mask)
        tl.debug_barrier()  # phase 2 reads all 4H gate gradients of each row
        # Phase 2: dh_{t-1} = W_hh^T da, tile of features k by tile of units j, gate by gate.
        for k in range(0, H, BLOCK_K):
            feats = k + tl.arange(0, BLOCK_K)
            acc = tl.zeros((BLOCK_B, BLOCK_K), dtype=ACC)
            for j in range(0, H, BLOCK_H):
                units = j + tl.arange(0, BLOCK_H)
                unit_mask = row_ok[:, None] & (units < H)[None, :]
                da_at = d_preact + s * B * 4 * H + rows[:, None] * 4 * H + units[None, :]
                if RESIDENT:
                    w = w_kept
                else:
                    w = gate_tiles(w_hh, units, feats, H, ACC)
                for z in tl.static_range(4):  # gates i, f, g, o
                    da = tl.load(da_at + z * H, mask=unit_mask, other=0.0).to(ACC)
                    acc += tl.sum(da[:, :, None] * w[z][None, :, :], axis=1)
            feat_state = rows[:, None] * H + feats[None, :]
            feat_mask = row_ok[:, None] & (feats < H)[None, :]
            d_h_old = tl.load(dh_in + feat_state, mask=feat_mask, other=0.0)
            tl.store(dh_out + feat_state, tl.where(run, acc, d_h_old), mask=feat_mask)
        tl.debug_barrier()  # the next step's phase 1 reads dh and dc of every unit
