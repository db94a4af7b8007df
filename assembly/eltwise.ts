// placeholder: kernel family 'eltwise' (owner fills in)
export function eltwise_placeholder(): void {}
