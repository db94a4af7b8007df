// placeholder: kernel family 'pool' (owner fills in)
export function pool_placeholder(): void {}
