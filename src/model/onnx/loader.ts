// ONNX ModelProto bytes -> graph IR (src/model/ir.ts). Decodes with proto.ts's reader, checks the
// model is complete and uses only supported operators, and normalizes each node's attributes so that
// later stages never look at opset numbers. Parameters that ONNX passes as inputs in newer opsets
// (Clip min/max, Pad pads, Slice starts..., Squeeze axes, ...) stay inputs here; bindAndFold resolves
// them once constants are known. Identity, Dropout and Constant nodes are removed here.
import { EdgeCnnError, ModelFormatError, UnsupportedError, describe } from '../../errors.js';
import type { ConstTensor, Dim, Graph, Node, ValueInfo } from '../ir.js';
import { DATA_TYPE_NAMES, DataType, decodeModel } from './proto.js';
import { Attrs, unsupportedAttr } from './attrs.js';
import { int64ToNumber, tensorFromProto } from './tensor.js';
import { MAX_OPSET, MIN_OPSET, OPS, minInputsOf } from '../ops.js';

const trimInputs = (xs: string[]) => { const r = xs.slice(); while (r.length && r[r.length - 1] === '') r.pop(); return r; };
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

function constantValue(node: Node, at: Attrs): ConstTensor {
  const t = at.tensor('value');
  if (t) return t;
  if (at.has('value_float')) return { dtype: 'float32', dims: [], data: new Float32Array([at.float('value_float', 0)]) };
  if (at.has('value_floats')) { const f = at.floats('value_floats')!; return { dtype: 'float32', dims: [f.length], data: Float32Array.from(f) }; }
  if (at.has('value_int')) return { dtype: 'int64', dims: [], data: [at.int('value_int', 0, true)] };
  if (at.has('value_ints')) { const v = at.ints('value_ints', undefined, true)!; return { dtype: 'int64', dims: [v.length], data: v }; }
  const names = at.names();
  if (names.length) unsupportedAttr(node, `Constant attribute '${names[0]}' is not supported`);
  throw new ModelFormatError(`${describe(node.name, node.op)}: Constant has no value`);
}

function valueInfo(vi: any, what: string, isInput: boolean): ValueInfo {
  const name: string = vi.name;
  const tt = vi.type?.tensorType;
  if (vi.type && !tt) throw new UnsupportedError(`${what} '${name}' is not a tensor (sequences and maps are not supported)`);
  const elem = tt?.elemType ?? 0;
  if (elem !== 0 && elem !== DataType.FLOAT) {
    throw new UnsupportedError(`${what} '${name}' has type ${DATA_TYPE_NAMES[elem] ?? elem}; only float32 model ${isInput ? 'inputs' : 'outputs'} are supported`);
  }
  let dims: Dim[] = [];
  if (tt?.shape) {
    dims = (tt.shape.dim as any[]).map((d, i) => {
      if (d.dimParam) return d.dimParam as string;
      const v = d.dimValue == null ? 0 : int64ToNumber(d.dimValue, `${what} '${name}': dim ${i}`);
      if (v > 0) return v;
      return `${name}:${i}`; // unknown (0, -1 or absent): a symbol of its own
    });
  } else if (isInput) {
    throw new UnsupportedError(`${what} '${name}' has no shape in the model`);
  }
  return { name, dims, dtype: 'float32' };
}

/** Decodes and normalizes an ONNX model. Throws ModelFormatError (truncated, corrupt or inconsistent
 * bytes) or UnsupportedError (operators, domains, opsets, data types edgecnn does not implement). */
export function loadOnnx(bytes: Uint8Array): Graph {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError('model bytes must be a Uint8Array');
  if (bytes.length === 0) throw new ModelFormatError('model is empty (0 bytes)');
  let model: any;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new ModelFormatError(`cannot decode ONNX model (${bytes.length} bytes; truncated or not an ONNX file): ${(e as Error)?.message ?? e}`, { cause: e });
  }
  try {
    return build(model);
  } catch (e) {
    if (e instanceof EdgeCnnError) throw e;
    // safety net: anything unexpected while reading a decoded (possibly corrupt) model is a format error
    throw new ModelFormatError(`inconsistent ONNX model: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}

function build(model: any): Graph {
  const g = model.graph;
  if (!g) throw new ModelFormatError('ONNX model has no graph (truncated or not an ONNX file)');
  let opset = -1;
  for (const imp of model.opsetImport ?? []) {
    if (imp.domain === '' || imp.domain === 'ai.onnx' || imp.domain == null) opset = int64ToNumber(imp.version, 'opset_import version');
  }
  if (opset < 0) throw new ModelFormatError('ONNX model imports no opset of the default domain (truncated or not an ONNX file)');
  if (opset < MIN_OPSET || opset > MAX_OPSET) throw new UnsupportedError(`opset ${opset} of the default ONNX domain is not supported (opsets ${MIN_OPSET}–${MAX_OPSET} are)`);
  if (!g.node?.length) throw new ModelFormatError('ONNX graph has no nodes');

  const consts = new Map<string, ConstTensor>();
  for (const t of g.initializer) {
    if (!t.name) throw new ModelFormatError('initializer without a name');
    consts.set(t.name, tensorFromProto(t, 'initializer'));
  }
  const inputs: ValueInfo[] = [];
  for (const vi of g.input) {
    if (!vi.name) throw new ModelFormatError('graph input without a name');
    if (inputs.some((i) => i.name === vi.name)) throw new ModelFormatError(`graph input '${vi.name}' is listed twice`);
    if (!consts.has(vi.name)) inputs.push(valueInfo(vi, 'model input', true));
  }
  if (!g.output?.length) throw new ModelFormatError('ONNX graph has no outputs');
  const outputs = (g.output as any[]).map((vi) => {
    if (!vi.name) throw new ModelFormatError('graph output without a name');
    return valueInfo(vi, 'model output', false);
  });
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(o.name)) throw new ModelFormatError(`graph output '${o.name}' is listed twice`);
    seen.add(o.name);
  }

  const nodes: Node[] = [];
  const names = new Set<string>();
  const produced = new Set<string>([...inputs.map((v) => v.name), ...consts.keys()]);
  const aliases = new Map<string, string>(); // Identity/Dropout outputs -> their input
  (g.node as any[]).forEach((nd, index) => {
    const op: string = nd.opType;
    let name: string = nd.name || `${op || 'node'}_${index}`;
    while (names.has(name)) name = `${name}_${index}`;
    names.add(name);
    if (!op) throw new ModelFormatError(`node '${name}' has no operator type`);
    const domain: string = nd.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') {
      throw new UnsupportedError(`${describe(name, op)}: operator domain '${domain}' is not supported (only the default ONNX domain)`);
    }
    const spec = Object.hasOwn(OPS, op) && !OPS[op].builderOnly ? OPS[op] : undefined;
    if (!spec) throw new UnsupportedError(`${describe(name, op)}: operator ${op} is not supported (opset ${opset})`);
    if (opset < spec.since) throw new ModelFormatError(`${describe(name, op)}: ${op} is not defined before opset ${spec.since} (model opset ${opset})`);
    if (spec.until !== undefined && opset > spec.until) throw new UnsupportedError(`${describe(name, op)}: operator ${op} is supported up to opset ${spec.until} (model opset ${opset})${op === 'Upsample' ? '; it was replaced by Resize in opset 10' : ''}`);
    const node: Node = { name, op, inputs: trimInputs(Array.from(nd.input as string[])), outputs: trimInputs(Array.from(nd.output as string[])), attrs: {} };
    const need = minInputsOf(spec, opset);
    if (node.inputs.length < need || node.inputs.slice(0, op === 'Concat' ? undefined : need).some((i) => i === '')) {
      throw new ModelFormatError(`${describe(name, op)}: expects at least ${plural(need, 'input')}, got [${node.inputs.slice(0, 8).map((i) => `'${i}'`).join(', ')}${node.inputs.length > 8 ? ', …' : ''}]`);
    }
    if (node.inputs.length > spec.maxInputs) throw new ModelFormatError(`${describe(name, op)}: has ${plural(node.inputs.length, 'input')}; ${op} takes at most ${spec.maxInputs}`);
    if (!node.outputs.length || node.outputs[0] === '') throw new ModelFormatError(`${describe(name, op)}: node has no output`);
    if (node.outputs.length > spec.maxOutputs) throw new ModelFormatError(`${describe(name, op)}: has ${plural(node.outputs.length, 'output')}; ${op} has at most ${spec.maxOutputs}`);
    for (const o of node.outputs) {
      if (o === '') continue;
      if (produced.has(o)) throw new ModelFormatError(`${describe(name, op)}: value '${o}' is produced more than once`);
      produced.add(o);
    }
    const at = new Attrs(node, nd.attribute ?? []);
    if (op === 'Constant') {
      consts.set(node.outputs[0], constantValue(node, at));
      return;
    }
    if (op === 'Identity' || op === 'Dropout') {
      // Dropout's mask output is allowed when nothing reads it (removeIdentities checks)
      aliases.set(node.outputs[0], node.inputs[0]);
      nodes.push(node); // resolved below
      return;
    }
    spec.normalize?.(node, at, opset);
    node.inputs = trimInputs(node.inputs); // a normalizer may leave omitted optional inputs at the end
    nodes.push(node);
  });

  // every input must be produced somewhere
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i !== '' && !produced.has(i)) throw new ModelFormatError(`${describe(n.name, n.op)}: input '${i}' is not produced by any node, initializer or graph input`);
    }
  }
  for (const o of outputs) if (!produced.has(o.name)) throw new ModelFormatError(`model output '${o.name}' is not produced by any node`);

  return removeIdentities({ inputs, outputs, nodes, consts, opset });
}

/** Removes Identity and Dropout nodes (inference: both copy their input). Keeps graph output names:
 * when an Identity's output is a graph output, its producer is renamed instead, or, when that is not
 * possible (the input is a graph input, another graph output, or a constant read elsewhere), the
 * Identity stays and bindAndFold turns it into a copy. */
export function removeIdentities(g: Graph): Graph {
  const outNames = new Set(g.outputs.map((o) => o.name));
  const inNames = new Set(g.inputs.map((i) => i.name));
  const read = new Set(g.nodes.flatMap((n) => n.inputs));
  // Pass 1, linear: an Identity whose output is not a graph output becomes an alias of its input.
  const alias = new Map<string, string>();
  const nodes: Node[] = [];
  const atOutput: Node[] = [];
  for (const n of g.nodes) {
    if ((n.op !== 'Identity' && n.op !== 'Dropout') || n.attrs.keep) { nodes.push(n); continue; }
    if (n.outputs.slice(1).some((o) => o !== '' && (outNames.has(o) || read.has(o)))) {
      throw new UnsupportedError(`${describe(n.name, n.op)}: the Dropout mask output is not supported`);
    }
    if (outNames.has(n.outputs[0])) { nodes.push(n); atOutput.push(n); } else alias.set(n.outputs[0], n.inputs[0]);
  }
  const resolve = (v: string): string => {
    let r = v;
    const seen = new Set<string>();
    while (alias.has(r)) {
      if (seen.has(r)) throw new ModelFormatError(`graph has a cycle through Identity/Dropout nodes at value '${r}'`);
      seen.add(r);
      r = alias.get(r)!;
    }
    for (let k = v; k !== r; ) { const next = alias.get(k)!; alias.set(k, r); k = next; } // path compression: chains stay linear
    return r;
  };
  if (alias.size) for (const n of nodes) n.inputs = n.inputs.map((i) => (alias.has(i) ? resolve(i) : i));
  // Pass 2, at most one per graph output: keep the output's name.
  let rest = nodes;
  for (const id of atOutput) {
    const src = id.inputs[0], dst = id.outputs[0];
    const others = rest.filter((n) => n !== id);
    if (g.consts.has(src)) { // constant output: copy the constant under the output's name
      g.consts.set(dst, g.consts.get(src)!);
      rest = others;
      continue;
    }
    const producer = others.find((n) => n.outputs.includes(src));
    if (producer && !outNames.has(src) && !inNames.has(src)) {
      producer.outputs = producer.outputs.map((o) => (o === src ? dst : o));
      for (const n of others) n.inputs = n.inputs.map((i) => (i === src ? dst : i));
      rest = others;
      continue;
    }
    id.op = 'Identity';
    id.outputs = [dst];
    id.attrs = { keep: true };
  }
  return { ...g, nodes: rest };
}
