// The WebGPU implementation the tests run on: Dawn for Node (the `webgpu` package) on the first
// adapter it finds. On a machine without a GPU that is SwiftShader (Chromium's software Vulkan,
// /usr/lib/chromium/vk_swiftshader_icd.json, with Debian's libvulkan1: scripts/ensure-webgpu.sh). The
// Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so setting it here, before the
// first create(), works without touching the test command. Where no adapter exists the tests say so
// loudly and skip; under CI (env CI set) that is a failure.
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export type GpuSetup = { ok: true; gpu: any; adapterName: string } | { ok: false; reason: string };

let cached: Promise<GpuSetup> | null = null;

export function softwareGpu(): Promise<GpuSetup> {
  return (cached ??= open());
}

async function open(): Promise<GpuSetup> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  let mod: any;
  try {
    mod = await import('webgpu');
  } catch (e) {
    return { ok: false, reason: `the webgpu package does not load: ${(e as Error).message}` };
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ok: false, reason: `no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}; run scripts/ensure-webgpu.sh)` };
  return { ok: true, gpu, adapterName: `${adapter.info.vendor} ${adapter.info.architecture} (${adapter.info.description})` };
}

/** The setup, or a loud warning (a failure under CI) and null. */
export async function gpuOrSkip(what: string): Promise<any | null> {
  const s = await softwareGpu();
  if (s.ok) return s.gpu;
  const msg = `\n!!! WebGPU tests (${what}) SKIPPED: ${s.reason}\n`;
  if (process.env.CI) throw new Error(`${msg}(CI is set: a missing adapter is a failure)`);
  console.warn(msg);
  return null;
}
