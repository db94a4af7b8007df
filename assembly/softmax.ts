// placeholder: kernel family 'softmax' (owner fills in)
export function softmax_placeholder(): void {}
