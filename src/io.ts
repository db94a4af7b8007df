// Model bytes from what Session.create is given: bytes as they are; a URL fetched (with download
// progress); a string, which is a URL resolved against the page in a browser and a file path (or a URL
// with its scheme) in Node, Deno and Bun. No `node:` module is reached in a browser.
import { InvalidArgumentError } from './errors.js';
import { readLocalFile, resolveLocation } from './runtime.js';

/** Download progress, as Session's onProgress reports it. */
export type DownloadProgress = (p: { stage: 'download'; loaded: number; total: number }) => void;

export async function readModel(src: Uint8Array | ArrayBuffer | string | URL, progress: DownloadProgress): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (typeof src !== 'string' && !(src instanceof URL)) {
    throw new InvalidArgumentError(`a model is ONNX bytes (Uint8Array, ArrayBuffer), a URL, a path or URL string, or a Graph; got ${describeValue(src)}`);
  }
  let loc: URL | string;
  try {
    loc = resolveLocation(src);
  } catch (e) {
    throw new InvalidArgumentError(`cannot read model '${String(src)}': not a valid URL (${(e as Error).message})`, { cause: e });
  }
  if (typeof loc !== 'string' && loc.protocol !== 'file:') return download(loc.href, progress);
  const name = typeof loc === 'string' ? loc : loc.href;
  try {
    const bytes = await readLocalFile(loc);
    progress({ stage: 'download', loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  } catch (e) {
    throw new InvalidArgumentError(`cannot read model file '${name}': ${(e as Error).message}`, { cause: e });
  }
}

export async function download(url: string, progress: DownloadProgress): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new InvalidArgumentError(`cannot fetch model '${url}': ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new InvalidArgumentError(`cannot fetch model '${url}': HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const total = Number(res.headers.get('content-length') ?? 0);
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    progress({ stage: 'download', loaded: b.byteLength, total: b.byteLength });
    return b;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    progress({ stage: 'download', loaded, total });
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'an object';
}
