// FC ↔ CONV: a classifier's fully-connected head is a convolution. The first Gemm after Flatten, which
// reads a [C, H, W] map as C·H·W numbers, is a Conv with H×W kernels (its weights reshaped, same
// order); every later Gemm is a 1×1 Conv. Rewritten so, the network slides over a wider input in one
// pass and gives a score map: one column of class scores per window position, what the classifier
// would say of each crop — computed once for the shared parts.
//
// Built here from what the public API exposes: the planned layers (`summary()`) and their weights
// (`weights()`, a session created with keepWeights), into a new graph with NetworkBuilder. Works for
// sequential LeNet-style models: Conv (stride 1, 'same' or no padding; a fused activation is taken as
// ReLU), MaxPool/AveragePool (square, stride = kernel), Relu, Flatten, Gemm. Anything else throws.
import { NetworkBuilder } from 'edgecnn';

/**
 * The fully-convolutional twin of `session`'s network (planned for one [1, C, H, W] input), for a
 * [1, C, H, width] input. Returns the graph and how score columns map to input columns: column j scores
 * the window starting at `j * stride` of `window` pixels.
 */
export function fullyConvolutional(session, width) {
  const report = session.summary();
  const [inDims] = Object.values(report.inputDims);
  if (inDims.length !== 4) throw new Error(`FC→CONV: the input is [${inDims.join(', ')}], not an image`);
  const [, C, H, W] = inDims;
  const net = new NetworkBuilder().input([1, C, H, width], 'input');
  let dims = [C, H, W];     // [C, H, W] of the classifier at its own size
  let stride = 1;           // input pixels per column of the current map
  let flat = null;          // [C, H, W] just before Flatten
  let fcSeen = false;
  const steps = [];
  for (const l of report.layers) {
    const op = l.op.replace(/\+.*$/, ''), act = l.op.includes('+act') ? 'relu' : 'none';
    const out = l.outputDims;
    if (op === 'Conv') {
      const { weight, bias } = session.weights(l.name);
      const [O, I, KH, KW] = weight.dims;
      if (I !== dims[0]) throw new Error(`FC→CONV: ${l.name}: grouped convolutions are not handled`);
      const same = out[2] === dims[1] && out[3] === dims[2];
      if (!same && (out[2] !== dims[1] - KH + 1 || out[3] !== dims[2] - KW + 1)) throw new Error(`FC→CONV: ${l.name}: only stride 1, 'same' or no padding`);
      net.conv({ filters: O, kernel: [KH, KW], padding: same ? 'same' : 'valid', activation: act, weights: weight.data, biasValues: bias?.data, name: l.name });
      steps.push(`${l.name}: Conv ${KH}×${KW} (as is)`);
      dims = [O, out[2], out[3]];
    } else if (op === 'MaxPool' || op === 'AveragePool') {
      const k = dims[1] / out[2];
      if (!Number.isInteger(k) || dims[2] / out[3] !== k) throw new Error(`FC→CONV: ${l.name}: only square pools with stride = kernel`);
      net[op === 'MaxPool' ? 'maxPool' : 'avgPool']({ kernel: k, name: l.name });
      stride *= k;
      steps.push(`${l.name}: ${op} ${k}×${k} (as is)`);
      dims = [out[1], out[2], out[3]];
    } else if (op === 'Relu') {
      net.relu(l.name);
    } else if (op === 'Flatten') {
      flat = dims;
      steps.push(`${l.name}: Flatten (dropped: the next Gemm reads the map as a ${dims[1]}×${dims[2]} convolution)`);
    } else if (op === 'Gemm') {
      const { weight, bias } = session.weights(l.name);
      const N = out[1];
      const K = fcSeen ? dims[0] : flat ? flat[0] * flat[1] * flat[2] : dims[0];
      let w = weight.data;
      if (!(weight.dims[0] === N && weight.dims[1] === K)) {
        if (!(weight.dims[0] === K && weight.dims[1] === N)) throw new Error(`FC→CONV: ${l.name}: weights [${weight.dims}] for ${K}→${N}`);
        w = new Float32Array(N * K); // B is [K, N] (transB = 0): to [N, K]
        for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[n * K + k] = weight.data[k * N + n];
      }
      if (!fcSeen && flat) {
        net.conv({ filters: N, kernel: [flat[1], flat[2]], padding: 'valid', activation: act, weights: w, biasValues: bias?.data, name: `${l.name}→conv${flat[1]}x${flat[2]}` });
        steps.push(`${l.name}: Gemm ${K}→${N} → Conv ${flat[1]}×${flat[2]}, ${flat[0]}→${N}`);
      } else {
        net.conv({ filters: N, kernel: 1, activation: act, weights: w, biasValues: bias?.data, name: `${l.name}→conv1x1` });
        steps.push(`${l.name}: Gemm ${K}→${N} → Conv 1×1`);
      }
      fcSeen = true;
      dims = [N, 1, 1];
    } else if (op === 'Softmax') {
      steps.push(`${l.name}: Softmax (left out: applied per column by the page)`);
    } else {
      throw new Error(`FC→CONV: ${l.name}: ${l.op} is not handled`);
    }
  }
  if (!fcSeen) throw new Error('FC→CONV: no fully-connected head');
  return { graph: net.toGraph(), stride, window: W, steps };
}
