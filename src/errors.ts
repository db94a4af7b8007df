/** Every error edgecnn throws on purpose is an EdgeCnnError with a stable `code`. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'   // a caller's value is malformed (feeds, options, tensors)
  | 'INVALID_LAYER'      // a layer or node does not fit its input, or its parameters are wrong
  | 'INVALID_MODEL'      // model bytes are truncated, corrupt or inconsistent
  | 'UNSUPPORTED'        // an operator, attribute or data type edgecnn does not implement
  | 'RESOURCE_LIMIT'     // memory or size limits
  | 'BACKEND'            // a backend failed to start or died (worker fault, wasm trap)
  | 'DISPOSED';          // use after dispose()

export class EdgeCnnError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options as ErrorOptions);
    this.name = new.target.name;
    this.code = code;
  }
}
export class InvalidArgumentError extends EdgeCnnError {
  constructor(message: string, options?: { cause?: unknown }) { super('INVALID_ARGUMENT', message, options); }
}
/** A layer (builder) or node (ONNX) whose shape or parameters are wrong; `layer` names it. */
export class LayerError extends EdgeCnnError {
  readonly layer: string;
  readonly op: string;
  constructor(layer: string, op: string, detail: string) {
    super('INVALID_LAYER', `${describe(layer, op)}: ${detail}`);
    this.layer = layer;
    this.op = op;
  }
}
export class ModelFormatError extends EdgeCnnError {
  constructor(message: string, options?: { cause?: unknown }) { super('INVALID_MODEL', message, options); }
}
export class UnsupportedError extends EdgeCnnError {
  constructor(message: string) { super('UNSUPPORTED', message); }
}
export class ResourceLimitError extends EdgeCnnError {
  constructor(message: string) { super('RESOURCE_LIMIT', message); }
}
export class BackendError extends EdgeCnnError {
  constructor(message: string, options?: { cause?: unknown }) { super('BACKEND', message, options); }
}
export class DisposedError extends EdgeCnnError {
  constructor(what: string) { super('DISPOSED', `${what} has been disposed`); }
}

export function describe(name: string, op: string): string {
  return `node '${name}' (${op})`;
}
