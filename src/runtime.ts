// Which engine runs us, and the one door to Node's built-in modules. Imports nothing, uses no top-level
// await: the pool worker imports it, and bundlers build that worker as a classic script.
const g = globalThis as any;

export const isDeno = typeof g.Deno?.version?.deno === 'string';
export const isBun = typeof g.Bun?.version === 'string';
/**
 * Node.js itself. Deno and Bun also define `process.versions.node` (their Node compatibility layers), but
 * here they are not Node: a V8 flag set through node:v8 means nothing to Bun's JavaScriptCore, and
 * Node's worker execArgv rules are Node's.
 */
export const isNode = typeof process !== 'undefined' && !!process.versions?.node && !isDeno && !isBun;
/** A runtime with a file system (Node, Deno, Bun): a string names a file there; elsewhere a URL. */
export const hasFileSystem = isNode || isDeno || isBun;

/**
 * A Node built-in module (`nodeImport('fs/promises')`), for code that has checked it runs in Node, Deno
 * or Bun. The specifier is built at run time and marked ignored, so no bundler resolves `node:…` for a
 * browser build (esbuild: "Could not resolve"; webpack: "UnhandledSchemeError"; Vite: a stub module
 * with a warning), and browser code paths reach none.
 */
export function nodeImport<T = any>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/**
 * What a relative string names in a browser: a URL resolved against the page (its `<base>` or its
 * address), or against the worker's script in a worker. Absolute URLs are returned as they are.
 */
export function pageUrl(s: string): URL {
  const base: string | undefined = g.document?.baseURI ?? g.location?.href;
  return base ? new URL(s, base) : new URL(s);
}

/**
 * A string or URL naming something to read: in a browser a URL (a relative string resolved against the
 * page); in Node, Deno and Bun a file path, or a URL when it starts with a scheme (`file:`, `https:`…).
 */
export function resolveLocation(src: string | URL): URL | string {
  if (src instanceof URL) return src;
  if (hasFileSystem) return /^[a-z][a-z0-9+.-]+:/i.test(src) ? new URL(src) : src; // (a one-letter "scheme" is a Windows drive)
  return pageUrl(src);
}

/** A file-system runtime's bytes of a file path or file: URL. */
export async function readLocalFile(path: string | URL): Promise<Uint8Array> {
  if (isDeno) return (await g.Deno.readFile(path)) as Uint8Array;
  const fs = await nodeImport<typeof import('node:fs/promises')>('fs/promises');
  return new Uint8Array(await fs.readFile(path));
}

