// placeholder: kernel family 'conv' (owner fills in)
export function conv_placeholder(): void {}
