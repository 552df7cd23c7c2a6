r"""Data-parallel training with ``DistributedDataParallel``, small enough to run anywhere.

Each of the :math:`W` processes (ranks) holds a full copy of the model and
takes its own slice :math:`B_r` of every global batch :math:`B`. After the
backward pass DDP all-reduces the gradients, so every rank steps with the
average

.. math::
    g = \frac{1}{W} \sum_{r=0}^{W-1} \nabla_\theta L(B_r), \qquad
    L(B_r) = \frac{1}{|B_r|} \sum_{n \in B_r} \ell_n ,

which for equal slices is exactly the gradient of the mean loss over the
whole batch :math:`B`: ``W`` processes with batches of ``b`` train the same
model as one process with batches of ``W * b``. Each rank runs the package's
training core, :func:`lstm_ref.train.train_loop`, on its own slices.

Run it with two CPU processes (gloo backend)::

    GLOO_SOCKET_IFNAME=lo torchrun --standalone --nproc_per_node=2 \
        -m lstm_ref.apps.distributed --out /tmp/ddp

On GPUs give ``--backend nccl`` (one process per GPU: ``--nproc_per_node``
= number of GPUs); on several machines replace ``--standalone`` by
``--nnodes``, ``--node_rank`` and ``--rdzv_endpoint``. :func:`launch` starts
the two-process CPU run from Python, :func:`train_single` is its
single-process twin.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from lstm_ref.checks import check_positive_int
from lstm_ref.data import adding
from lstm_ref.history import History
from lstm_ref.models import RecurrentModel
from lstm_ref.train import train_loop

#: Sequence length of the adding problem every run trains on.
T = 20
#: Hidden units of the LSTM.
HIDDEN = 16


def make_model(seed: int = 0) -> RecurrentModel:
    """The model every rank starts from: an LSTM of ``HIDDEN`` units and a read-out, float64."""
    torch.manual_seed(seed)
    return RecurrentModel(2, HIDDEN, 1).double()


def global_batch(step: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Step ``step``'s global batch: ``x (batch_size, T, 2)`` and ``y (batch_size, 1)``, float64."""
    task = adding(batch_size, T, seed=step)
    return torch.as_tensor(task.x, dtype=torch.float64), torch.as_tensor(
        task.y, dtype=torch.float64
    ).reshape(batch_size, 1)


def train_rank(
    model: nn.Module,
    steps: int,
    batch_size: int,
    lr: float,
    rank: int,
    world_size: int,
    device: torch.device | None = None,
) -> History:
    """Train ``model`` as rank ``rank`` of ``world_size``: SGD, no clipping, on its slice.

    Every rank draws the same global batch (:func:`global_batch`) and keeps its
    own contiguous slice; the step is :func:`lstm_ref.train.train_loop`'s, and
    under ``DistributedDataParallel`` the gradients are averaged over the ranks
    during ``backward``. With ``world_size=1`` it is plain single-process training.
    """

    def rank_batches() -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for step in itertools.count():
            x, y = global_batch(step, batch_size)
            yield x.chunk(world_size)[rank].to(device), y.chunk(world_size)[rank].to(device)

    def loss_of_batch(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x, y = batch
        return F.mse_loss(model(x), y)  # DDP all-reduces the gradients during backward

    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return train_loop(
        model, rank_batches(), loss_of_batch, steps=steps, optimizer=optimizer, clip=None
    )


def train_single(
    steps: int = 20, batch_size: int = 32, lr: float = 0.5, seed: int = 0
) -> dict[str, torch.Tensor]:
    """Train :func:`make_model` in one process on each whole global batch; its ``state_dict``."""
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    model = make_model(seed)
    train_rank(model, steps, batch_size, lr, rank=0, world_size=1)
    return model.state_dict()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of one rank (started by ``torchrun``); saves ``<out>/rank<r>.pt``.

    Options: ``--out DIR`` (required), ``--steps``, ``--batch-size`` (global,
    divisible by the number of processes), ``--lr``, ``--seed``, ``--backend``
    (``gloo`` for CPU, ``nccl`` for GPUs).
    """
    parser = argparse.ArgumentParser(prog="python -m lstm_ref.apps.distributed")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="gloo")
    args = parser.parse_args(argv)
    dist.init_process_group(args.backend)
    try:
        rank, world_size = dist.get_rank(), dist.get_world_size()
        if args.batch_size % world_size:
            raise ValueError(
                f"--batch-size: expected a multiple of {world_size} ranks, got {args.batch_size}"
            )
        device = torch.device("cpu")
        if args.backend == "nccl":
            device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
            torch.cuda.set_device(device)
        # Same seed everywhere; DDP also broadcasts rank 0's weights at wrap time.
        model = DistributedDataParallel(make_model(args.seed).to(device))
        train_rank(model, args.steps, args.batch_size, args.lr, rank, world_size, device)
        args.out.mkdir(parents=True, exist_ok=True)
        state = {k: v.cpu() for k, v in model.module.state_dict().items()}
        torch.save(state, args.out / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def launch(
    out: str | Path,
    *,
    nproc: int = 2,
    steps: int = 20,
    batch_size: int = 32,
    lr: float = 0.5,
    seed: int = 0,
    timeout: float = 120.0,
) -> list[dict[str, torch.Tensor]]:
    """Run :func:`main` under ``torchrun --standalone`` with ``nproc`` CPU processes (gloo).

    Returns
    -------
    list of dict
        Each rank's final ``state_dict``, rank 0 first.

    Raises
    ------
    RuntimeError
        If ``torchrun`` fails; the message holds its output.
    """
    check_positive_int("nproc", nproc)
    check_positive_int("steps", steps)
    check_positive_int("batch_size", batch_size)
    if batch_size % nproc:
        raise ValueError(f"batch_size: expected a multiple of nproc={nproc}, got {batch_size}")
    out = Path(out)
    # The loopback interface keeps gloo off the network; one thread per rank
    # so that the ranks don't fight over the cores.
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone",
        f"--nproc_per_node={nproc}", "-m", "lstm_ref.apps.distributed", "--out", str(out),
        "--steps", str(steps), "--batch-size", str(batch_size), "--lr", str(lr),
        "--seed", str(seed),
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"torchrun failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return [torch.load(out / f"rank{r}.pt") for r in range(nproc)]


if __name__ == "__main__":
    main()
