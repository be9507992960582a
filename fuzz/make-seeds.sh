#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/corpus from the repository's own test
# inputs and presets (never from ../shared/testdata), with the tools of a
# normal build:  fuzz/make-seeds.sh [BUILD_DIR]
# Regression inputs (crash-*, oom-*, timeout-*, slow-*) are left alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build}/bin"
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{onnx,onnx-text,hw,policy,program,tensor}

texts=(small-cnn more-ops qdq-cnn qdq-int4 resize shape-subgraph upsample-9)
for t in "${texts[@]}"; do
  cp "$root/test/Importer/Inputs/$t.onnxtxt" "$corpus/onnx-text/$t.onnxtxt"
  /usr/bin/python3 -c 'import sys, onnx, onnx.parser
m = onnx.parser.parse_model(open(sys.argv[1]).read())
open(sys.argv[2], "wb").write(m.SerializeToString())' \
    "$root/test/Importer/Inputs/$t.onnxtxt" "$corpus/onnx/$t.onnx"
done
cp "$root/test/Tools/Inputs/conv-bn.onnxtxt" "$corpus/onnx-text/"

cp "$root"/models/hw/*.yaml "$corpus/hw/"
cp "$root/test/Hardware/Inputs/unknown-key.yaml" "$corpus/hw/"

cp "$root"/test/Tools/Inputs/*.json "$corpus/policy/"
printf '{"layers": [{"index": 0, "wbits": 4}, {"name": "fc", "abits": 6}]}\n' \
  > "$corpus/policy/index-and-name.json"

model="$root/test/Importer/Inputs/small-cnn.onnxtxt"
for hw in rram-tiled cimaq-reference sram-digital; do
  for s in layer cross-layer; do
    "$bin/cimc" "$model" --hw "$hw" --schedule "$s" --wbits 4 --abits 4 \
      -o "$corpus/program/small-cnn-$hw-$s.cim" > /dev/null
  done
done

# Tensor files: the kinds cim-sim reads and writes.
write="$root/scripts/write-tensor.py"
/usr/bin/python3 "$write" "$corpus/tensor/f32.pb" "np.arange(24, dtype=np.float32).reshape(2, 3, 4)"
/usr/bin/python3 "$write" "$corpus/tensor/i64.pb" "np.array([1, -2, 3], dtype=np.int64)"
/usr/bin/python3 "$write" "$corpus/tensor/u8.pb" "np.arange(16, dtype=np.uint8).reshape(4, 4)"
/usr/bin/python3 "$write" "$corpus/tensor/f32-scalar.pb" "np.array(2.5)"
/usr/bin/python3 "$write" "$corpus/tensor/bool.pb" "np.array([True, False, True])"
/usr/bin/python3 -c 'import sys, onnx.helper as h
t = h.make_tensor("typed", 1, [2, 2], [1.0, 2.0, 3.0, 4.0])
open(sys.argv[1], "wb").write(t.SerializeToString())' "$corpus/tensor/typed-f32.pb"
