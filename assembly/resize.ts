// placeholder: kernel family 'resize' (owner fills in)
export function resize_placeholder(): void {}
