#!/usr/bin/env bash
# Images/s of a ViT training epoch: cim-tune (float and QAT W8A8) beside
# PyTorch (bench/vit-torch.py, the same model, initial weights, threads and
# batch; its QAT with PyTorch's fake quantizers on the same 35 layers),
# measured in the same run on the same machine, alternating the tools.
#
#   bench/vit-epoch.sh [MODEL.onnx] [BATCHES] [THREADS] [ROUNDS]
#
# MODEL defaults to $CIM_BUILD/arch/vit-arch.onnx (scripts/train-models.sh
# arch), BATCHES to 100 batches of 128 images (the rate of a whole epoch
# within a few percent), THREADS to 1, ROUNDS to 3. Prints one line per
# measurement and the medians; needs /usr/bin/python3 with python3-torch.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${CIM_BUILD:-$ROOT/build}"
MODEL="${1:-$BUILD/arch/vit-arch.onnx}"
BATCHES="${2:-100}"
THREADS="${3:-1}"
ROUNDS="${4:-3}"
TUNE="$BUILD/bin/cim-tune"
IMAGES=$((BATCHES * 128))
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The training rate cim-tune reports for its epoch (images/s).
tune_rate() {
  "$TUNE" "$@" --model "$MODEL" --epochs 1 --limit "$IMAGES" \
    --batch-size 128 --threads "$THREADS" --progress plain \
    --optimizer adam --lr 1e-3 --weight-decay 1e-4 \
    --checkpoint "$WORK/ckpt" -o "$WORK/out.onnx" 2>&1 |
    sed -n 's/^epoch 1\/1: loss .*, \([0-9.]*\) images\/s.*/\1/p'
  rm -f "$WORK/ckpt"
}

torch_rate() {
  /usr/bin/python3 "$ROOT/bench/vit-torch.py" "$MODEL" --time-epoch "$@" \
    --batches "$BATCHES" --batch-size 128 --threads "$THREADS" \
    --optimizer adam --lr 1e-3 --weight-decay 1e-4 |
    /usr/bin/python3 -c 'import json,sys; print(round(json.loads(sys.stdin.read())["images_per_second"]))'
}

declare -a T TQ F Q
for ((r = 0; r < ROUNDS; ++r)); do
  t=$(torch_rate); f=$(tune_rate train)
  tq=$(torch_rate --qat 8,8); q=$(tune_rate qat --wbits 8 --abits 8)
  echo "round $((r + 1)): pytorch float $t, cim-tune float $f, pytorch qat W8A8 $tq, cim-tune qat W8A8 $q images/s"
  T+=("$t"); F+=("$f"); TQ+=("$tq"); Q+=("$q")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mt=$(median "${T[@]}"); mf=$(median "${F[@]}")
mtq=$(median "${TQ[@]}"); mq=$(median "${Q[@]}")
echo "median images/s: pytorch float $mt, cim-tune float $mf, pytorch qat $mtq, cim-tune qat $mq"
awk -v t="$mt" -v f="$mf" -v tq="$mtq" -v q="$mq" 'BEGIN {
  printf "cim-tune time per epoch over PyTorch: float %.2fx, qat %.2fx\n", t / f, tq / q }'
