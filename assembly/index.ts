// One source, several binaries: every kernel family is re-exported here and compiled once per
// asconfig.json target (scalar, simd, simd+threads, relaxed). See docs/DESIGN.md for the ABI.
export * from './gemm';
export * from './gemv';
export * from './matmul';
export * from './conv';
export * from './dwconv';
export * from './pool';
export * from './eltwise';
export * from './softmax';
export * from './layout';
export * from './resize';
export * from './reduce';
export * from './winograd';
export * from './local';
