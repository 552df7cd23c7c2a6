#!/usr/bin/env bash
# The GPU work owed by issues 4 and 13, in pieces that fit the device tool's 10-minute commands.
#
# Usage, from the repository root of a checkout, on a machine with a CUDA GPU, nothing installed:
#
#     PYTHONPATH=. bash tools/gpu_owed.sh OUTDIR [PHASE ...]
#
# Phases, run in the order given (default: env tests bench persistent), all within one budget of
# BUDGET_MINUTES (default 8.5) counted from the start of this script, with the Python in $PYTHON
# (default python3, which on the GPU machines is the one that holds PyTorch):
#
#   env         nvidia-smi, the versions of Python, torch, Triton and NumPy, the device name and
#               the file name of its tables                                  -> OUTDIR/env.txt
#   tests       tests/test_torch_cuda.py and tests/test_torch_persistent.py  -> OUTDIR/tests.log
#   bench       python -m lstm_ref.bench --device cuda (the GPU shape set, every rung, the
#               default 50 timed calls after 10 warm-up calls)  -> OUTDIR/<device>.json, bench.log
#   persistent  the same with --grid persistent (torch.nn, cuda_graphs, persistent on
#               T x B x H = 2 x 4 x 4 shapes) and --repeats 20 --warmup 5, because its
#               T = 1024 cases are long and a median of 20 CUDA-event timings is stable
#                                                   -> OUTDIR/<device>-persistent.json, persistent.log
#
# <device> is lstm_ref.bench.device_slug of the GPU's name, e.g. nvidia-h100-80gb-hbm3. At most
# six files land in OUTDIR (the device tool brings back eight).
#
# Benchmarks in pieces: each benchmark gets --max-minutes set to what is left of the budget, so
# it stops cleanly before a case it could not finish, writes what it measured and exits with
# status 3. Run the phase again to go on: it continues (--resume) the table of the same name it
# finds first in $GPU_OWED_STATE (default /tmp/gpu_owed_state, where each run leaves a copy: it
# lasts while the machine stays warm) or else in benchmarks/results/ of the checkout (copy the
# partial JSON there from OUTDIR: it travels with the next call, to a fresh machine too). A
# complete table is left as it is.
#
# Estimated times on an H100 (no GPU has run this yet). A generous model: 10 us per PyTorch
# operator launched from Python (the eager rungs' operators per step, from
# lstm_ref.bench.count_ops: per_gate 34 forward / 125 forward+backward, fused_gates 16 / 59,
# input_proj 17 / 47, fused_step 17 / 52), 3 us per replayed kernel for cuda_graphs, 15 / 45 us
# a step for cuDNN, and for the persistent kernel 250 / 600 us a step at H = 1024, scaling as H^2;
# times 60 calls (10 + 50) or 25 (5 + 20) per shape, implementation and pass:
#   tests       1-3 min (Triton compiles each kernel configuration once)
#   bench       ~8 min (T = 1024, B = 16, H = 768 alone ~4.5 min), so two calls
#   persistent  ~4 min with 25 calls (~10 min with 60), worst shape ~0.5 min
# A whole session: a machine's start (1-2 min), then three calls of at most BUDGET_MINUTES.
#
# Exit status: 0 when every phase finished, 3 when a benchmark stopped at the budget or had no
# time left (run the phase again), 1 when a phase failed (see its log), 2 for a usage error.

set -uo pipefail

if [[ $# -lt 1 || $1 == -* ]]; then
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
OUT_ARG=$1
shift
PHASES=("$@")
[[ ${#PHASES[@]} -gt 0 ]] || PHASES=(env tests bench persistent)
for phase in "${PHASES[@]}"; do
    case $phase in
        env | tests | bench | persistent) ;;
        *) echo "gpu_owed.sh: unknown phase '$phase' (env, tests, bench, persistent)" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT_ARG" || exit 2
OUT_DIR=$(cd "$OUT_ARG" && pwd)

cd "$(dirname "$0")/.." || exit 2
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
PYTHON=${PYTHON:-python3}
STATE=${GPU_OWED_STATE:-/tmp/gpu_owed_state}
BUDGET=$(awk -v m="${BUDGET_MINUTES:-8.5}" 'BEGIN { printf "%d", m * 60 }')
SECONDS=0

SLUG=$("$PYTHON" -c '
import sys, torch
from lstm_ref.bench import device_name, device_slug
if not torch.cuda.is_available():
    sys.exit("gpu_owed.sh: no CUDA device here; this script is for a machine with an NVIDIA GPU")
print(device_slug(device_name(torch.device("cuda"))))
') || exit 1

left() { echo $((BUDGET - SECONDS)); }

phase_env() {
    {
        nvidia-smi
        "$PYTHON" - <<'EOF'
import platform, numpy, torch, triton
from lstm_ref.bench import device_name
print("python", platform.python_version(), "| torch", torch.__version__,
      "| triton", triton.__version__, "| numpy", numpy.__version__)
print("device:", device_name(torch.device("cuda")), "| cuDNN", torch.backends.cudnn.version())
EOF
        echo "tables: benchmarks/results/$SLUG.json, benchmarks/results/$SLUG-persistent.json"
    } 2>&1 | tee "$OUT_DIR/env.txt"
}

phase_tests() {
    if [[ $(left) -lt 60 ]]; then
        echo "gpu_owed.sh: no time left for the tests in this call: run the phase again"
        return 3
    fi
    # SIGINT at the end of the budget: pytest then still prints what passed and failed.
    timeout -s INT -k 30 "$(left)" "$PYTHON" -m pytest -p no:cacheprovider -q -ra \
        tests/test_torch_cuda.py tests/test_torch_persistent.py 2>&1 | tee "$OUT_DIR/tests.log"
}

# run_bench NAME LOG [bench arguments]: continue benchmarks/results/NAME if it is there.
run_bench() {
    local name=$1 log=$2
    shift 2
    local minutes
    minutes=$(awk -v s="$(left)" 'BEGIN { printf "%.1f", (s - 45) / 60 }')
    if awk -v m="$minutes" 'BEGIN { exit !(m < 1) }'; then
        echo "gpu_owed.sh: no time left for $name in this call: run the phase again" | tee "$log"
        return 3
    fi
    local earlier
    for earlier in "$OUT_DIR/$name" "$STATE/$name" "benchmarks/results/$name"; do
        if [[ -f $earlier ]]; then
            [[ $earlier -ef $OUT_DIR/$name ]] || cp "$earlier" "$OUT_DIR/$name"
            echo "continuing $earlier" | tee "$log"
            break
        fi
    done
    timeout -s INT -k 30 "$(left)" "$PYTHON" -m lstm_ref.bench --device cuda "$@" \
        --max-minutes "$minutes" --resume --out "$OUT_DIR/$name" 2>&1 | tee -a "$log"
    local code=$?
    if [[ -f $OUT_DIR/$name ]]; then
        mkdir -p "$STATE" && cp "$OUT_DIR/$name" "$STATE/$name"
    fi
    return $code
}

status=0
for phase in "${PHASES[@]}"; do
    echo "=== $phase (${SECONDS}s of ${BUDGET}s used)"
    case $phase in
        env) phase_env ;;
        tests) phase_tests ;;
        bench) run_bench "$SLUG.json" "$OUT_DIR/bench.log" ;;
        persistent)
            run_bench "$SLUG-persistent.json" "$OUT_DIR/persistent.log" \
                --grid persistent --repeats 20 --warmup 5
            ;;
    esac
    code=$?
    echo "=== $phase: exit status $code after ${SECONDS}s"
    if [[ $code -eq 3 && $status -ne 1 ]]; then
        status=3
    elif [[ $code -ne 0 && $code -ne 3 ]]; then
        status=1
    fi
done
ls -l "$OUT_DIR"
exit $status
