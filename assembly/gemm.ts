// placeholder: kernel family 'gemm' (owner fills in)
export function gemm_placeholder(): void {}
