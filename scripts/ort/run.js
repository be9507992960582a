// Runs an ONNX model with ONNX Runtime (the npm package onnxruntime-node)
// on inputs described by a manifest; driven by scripts/ort-run.py, which
// converts TensorProto files to and from the raw buffers used here.
//
//   node run.js ONNXRUNTIME_NODE_DIR MANIFEST.json
//
// MANIFEST: {"model": PATH, "optimize": true|false, "output_dir": DIR,
//            "inputs": [{"name", "type", "dims", "file"}]}
// Writes DIR/outputs.json ([{"name", "type", "dims", "file"}]) and one raw
// little-endian file per output. Exit status 1 with one line on failure.
'use strict';
const fs = require('fs');
const path = require('path');

const ARRAYS = {
  float32 : Float32Array,
  float64 : Float64Array,
  int8 : Int8Array,
  uint8 : Uint8Array,
  int16 : Int16Array,
  uint16 : Uint16Array,
  int32 : Int32Array,
  uint32 : Uint32Array,
  int64 : BigInt64Array,
  uint64 : BigUint64Array,
  bool : Uint8Array,
};

async function main() {
  const [moduleDir, manifestPath] = process.argv.slice(2);
  const ort = require(path.resolve(moduleDir));
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const options = {
    graphOptimizationLevel : manifest.optimize ? 'all' : 'disabled',
    intraOpNumThreads : 1,
    interOpNumThreads : 1,
  };
  const session = await ort.InferenceSession.create(manifest.model, options);
  const feeds = {};
  for (const input of manifest.inputs) {
    const Type = ARRAYS[input.type];
    if (!Type)
      throw new Error(`input '${input.name}': unsupported type ${input.type}`);
    const bytes = fs.readFileSync(input.file);
    const copy = new ArrayBuffer(bytes.length);
    new Uint8Array(copy).set(bytes);
    feeds[input.name] = new ort.Tensor(input.type, new Type(copy), input.dims);
  }
  const results = await session.run(feeds);
  const written = [];
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const file = path.join(manifest.output_dir, `raw_output_${i}.bin`);
    const data = t.data;
    fs.writeFileSync(
        file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    written.push({name, type : t.type, dims : t.dims.map(Number), file});
  });
  fs.writeFileSync(path.join(manifest.output_dir, 'outputs.json'),
                   JSON.stringify(written));
}

main().catch((e) => {
  process.stderr.write(
      `onnxruntime: error: ${String(e.message || e).split('\n')[0]}\n`);
  process.exit(1);
});
