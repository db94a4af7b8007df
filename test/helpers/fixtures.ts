// The models the suite ships (test/fixtures/models): no test reads anything outside the repository.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = new URL('../fixtures/models/', import.meta.url);
export const FIXTURES_DIR = fileURLToPath(FIXTURES);
export const MODEL_NAMES = ['lenet', 'conv_1x1', 'conv_3x3', 'dwconv_3x3', 'squeezenet1_1', 'mobilenet_v2'] as const;
export type ModelName = typeof MODEL_NAMES[number];

export interface ModelMeta {
  input: { name: string; shape: number[] };
  output: { name: string; shape: number[]; max_abs: number };
  onnx_ops: Record<string, number>;
  params: number;
  macs: number;
}

export const modelUrl = (name: string, ext = 'onnx'): URL => new URL(`${name}.${ext}`, FIXTURES);
export const modelBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(modelUrl(name)));
export const modelMeta = (name: string): ModelMeta => JSON.parse(readFileSync(modelUrl(name, 'json'), 'utf8'));

/** PyTorch's input and output for the model, when the fixture keeps them. */
export function torchIO(name: string): { input: Float32Array; output: Float32Array } | null {
  if (!existsSync(modelUrl(name, 'input.bin'))) return null;
  const f32 = (ext: string) => { const b = readFileSync(modelUrl(name, ext)); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
  return { input: f32('input.bin'), output: f32('output.bin') };
}
