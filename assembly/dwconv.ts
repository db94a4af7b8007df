// placeholder: kernel family 'dwconv' (owner fills in)
export function dwconv_placeholder(): void {}
