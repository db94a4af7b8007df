// Writes a layer-builder IR graph as ONNX bytes, so onnxruntime-node can check the builder's
// networks end to end. Fused activations become separate ONNX nodes again.
import type { Graph, Node } from '../../src/model/ir.js';
import { makeModel, type NodeSpec, type TensorSpec } from './onnx-builder.js';

/** An activation node (the builder's, or one fused as attrs.act) as ONNX; Clip's bounds become inputs. */
function actNode(op: string, attrs: Record<string, number>, x: string, y: string, extra: Record<string, TensorSpec>): NodeSpec {
  if (op !== 'Clip') return { op, inputs: [x], outputs: [y], attrs };
  extra[`${y}.min`] = { dims: [], data: [attrs.min ?? -3.4e38] };
  extra[`${y}.max`] = { dims: [], data: [attrs.max ?? 3.4e38] };
  return { op: 'Clip', inputs: [x, `${y}.min`, `${y}.max`], outputs: [y] };
}

function toOnnx(n: Node, extra: Record<string, TensorSpec>): NodeSpec[] {
  const a = n.attrs;
  let spec: NodeSpec;
  switch (n.op) {
    case 'Conv':
      spec = { op: 'Conv', inputs: n.inputs.slice(0, 3), outputs: [n.outputs[0]], attrs: { kernel_shape: a.kernel, strides: a.strides, pads: [a.pads[0], a.pads[1], a.pads[2], a.pads[3]], dilations: a.dilations, group: a.groups } };
      break;
    case 'Gemm':
      spec = { op: 'Gemm', inputs: n.inputs.slice(0, 3), outputs: [n.outputs[0]], attrs: { transB: a.transB, alpha: a.alpha, beta: a.beta } };
      break;
    case 'MaxPool': case 'AveragePool':
      spec = { op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: { kernel_shape: a.kernel, strides: a.strides, pads: a.pads, ceil_mode: a.ceilMode ? 1 : 0, ...(n.op === 'AveragePool' ? { count_include_pad: a.countIncludePad ? 1 : 0 } : {}) } };
      break;
    case 'Clip': case 'LeakyRelu': case 'HardSigmoid':
      return [actNode(n.op, a, n.inputs[0], n.outputs[0], extra)];
    case 'Softmax': case 'Concat': case 'Flatten':
      spec = { op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: { axis: a.axis } };
      break;
    case 'BatchNormalization': spec = { op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: { epsilon: a.epsilon } }; break;
    default: spec = { op: n.op, inputs: n.inputs, outputs: n.outputs };
  }
  if (!a.act) return [spec];
  const pre = `${n.outputs[0]}.preact`;
  return [{ ...spec, outputs: [pre] }, actNode(a.act.op, a.act.attrs, pre, n.outputs[0], extra)];
}

export function graphToOnnx(g: Graph): Uint8Array {
  const extra: Record<string, TensorSpec> = {};
  const nodes = g.nodes.flatMap((n) => toOnnx(n, extra));
  const initializers: Record<string, TensorSpec> = { ...extra };
  for (const [name, c] of g.consts) initializers[name] = { dims: c.dims, data: c.data as Float32Array };
  return makeModel({
    opset: 14,
    inputs: g.inputs.map((i) => ({ name: i.name, dims: i.dims })),
    outputs: g.outputs.map((o) => ({ name: o.name })),
    nodes,
    initializers,
  });
}
