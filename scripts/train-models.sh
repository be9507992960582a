#!/usr/bin/env bash
# Trains the bundled models with cim-tune: the recipe behind models/README.md
# and docs/results.md.
#
#   scripts/train-models.sh [STAGE...]
#     arch      untrained architectures (scripts/make-arch-models.py, seed 1)
#     lenet     models/lenet5-fmnist.onnx         (float, 20 epochs)
#     resnet20  models/resnet20-fmnist.onnx       (float, 15 epochs)
#     vit       models/vit-fmnist.onnx            (float, 30 epochs)
#     qat       W8A8 and W4A4 QAT of the models into $CIM_BUILD/qat/
#     eval      accuracies of every model into $CIM_BUILD/qat/*.json
#   (no stage: all of them, in this order; CIM_TUNE_MODELS="lenet5-fmnist"
#   limits qat and eval to the models named, CIM_TUNE_MODELS=vit-fmnist
#   runs them on the ViT)
#
# Each training run writes OUT.onnx.ckpt after every epoch and resumes from
# it when interrupted; delete the checkpoint to start over. Threads: ResNet-20
# and the QAT runs use one (the figures depend on the summation order), the
# LeNet-5 run one per core, as the bundled models were made.
source "$(dirname "$0")/common.sh"

TUNE="$CIM_BUILD/bin/cim-tune"
ARCH="$CIM_BUILD/arch"
QAT="$CIM_BUILD/qat"
MODELS="$CIM_ROOT/models"
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(arch lenet resnet20 vit qat eval)
# The models qat and eval work on.
models=${CIM_TUNE_MODELS:-lenet5-fmnist resnet20-fmnist}

run() {
  cim_log "$*"
  "$@"
}

for stage in "${stages[@]}"; do
  case "$stage" in
  arch)
    run /usr/bin/python3 "$CIM_ROOT/scripts/make-arch-models.py" "$ARCH" --seed 1
    ;;
  lenet)
    run "$TUNE" train --model "$ARCH/lenet5-arch.onnx" --data fashion-mnist \
      --epochs 20 --seed 1 --optimizer sgd --lr 0.05 --weight-decay 5e-4 \
      --batch-size 128 --augment flip \
      --checkpoint "$CIM_BUILD/lenet5-fmnist.ckpt" -o "$MODELS/lenet5-fmnist.onnx"
    ;;
  resnet20)
    run "$TUNE" train --model "$ARCH/resnet20-arch.onnx" --data fashion-mnist \
      --epochs 15 --seed 1 --optimizer sgd --lr 0.1 --weight-decay 5e-4 \
      --batch-size 128 --augment crop:2,flip --threads 1 \
      --checkpoint "$CIM_BUILD/resnet20-fmnist.ckpt" -o "$MODELS/resnet20-fmnist.onnx"
    ;;
  vit)
    # Adam (L2 weight decay) and a cosine schedule, 2-pixel shifts and
    # horizontal flips (flips alone overfit: 90.73 %); one thread (two to
    # six minutes an epoch on the 2-core machine).
    run "$TUNE" train --model "$ARCH/vit-arch.onnx" --data fashion-mnist \
      --epochs 30 --seed 1 --optimizer adam --lr 1e-3 --weight-decay 1e-4 \
      --batch-size 128 --augment crop:2,flip --threads 1 \
      --checkpoint "$CIM_BUILD/vit-fmnist.ckpt" -o "$MODELS/vit-fmnist.onnx"
    ;;
  qat)
    # Activation scales calibrated (99.99th percentile on 2 048 training
    # images) and learned; W8A8 keeps the compiler's max-based weight
    # scales, W4A4 learns them too (--learn-weight-scales). One thread: the
    # figures in docs/results.md (the summation order depends on it).
    mkdir -p "$QAT"
    for model in $models; do
      for bits in 8 4; do
        if [ "$bits" = 8 ]; then
          recipe=(--epochs 3 --lr 0.005 --weight-decay 1e-4)
        else
          recipe=(--epochs 15 --lr 0.005 --weight-decay 5e-4 --augment flip
            --learn-weight-scales)
        fi
        # ResNet-20 (an epoch costs about 12 LeNet-5 epochs): W8A8 1 epoch,
        # W4A4 8 (4 lose 0.56 %, 8 lose 0.40 %: docs/results.md).
        [ "$model" = resnet20-fmnist ] && recipe[1]=$((bits == 8 ? 1 : 8))
        # The ViT (trained with Adam): Adam at a small learning rate, W8A8
        # one epoch at 1e-5, W4A4 six at 1e-4 (docs/results.md).
        if [ "$model" = vit-fmnist ]; then
          if [ "$bits" = 8 ]; then
            recipe=(--epochs 1 --optimizer adam --lr 1e-5 --weight-decay 1e-4)
          else
            recipe=(--epochs 6 --optimizer adam --lr 1e-4 --weight-decay 1e-4
              --augment crop:2,flip --learn-weight-scales)
          fi
        fi
        run "$TUNE" qat --model "$MODELS/$model.onnx" --data fashion-mnist \
          --wbits "$bits" --abits "$bits" --seed 1 "${recipe[@]}" \
          --threads 1 --calibration percentile \
          --percentile 99.99 --calibration-images 2048 \
          --checkpoint "$QAT/$model-w${bits}a${bits}.ckpt" \
          -o "$QAT/$model-w${bits}a${bits}.onnx"
      done
    done
    ;;
  eval)
    for model in $models; do
      run "$TUNE" eval --model "$MODELS/$model.onnx" --json "$QAT/$model-float.json"
      for bits in 8 4; do
        run "$TUNE" eval --model "$QAT/$model-w${bits}a${bits}.onnx" \
          --json "$QAT/$model-w${bits}a${bits}.json"
      done
    done
    # The W4A4 LeNet-5 compiled by cimc at its own widths, on the simulator.
    run "$CIM_BUILD/bin/cimc" "$QAT/lenet5-fmnist-w4a4.onnx" \
      -o "$QAT/lenet5-fmnist-w4a4.cim"
    run "$TUNE" eval --model "$QAT/lenet5-fmnist-w4a4.onnx" --limit 1000 \
      --reference --program "$QAT/lenet5-fmnist-w4a4.cim" \
      --json "$QAT/lenet5-fmnist-w4a4-agreement.json"
    ;;
  *)
    echo "train-models.sh: error: unknown stage '$stage'" >&2
    exit 1
    ;;
  esac
done
