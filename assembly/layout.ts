// placeholder: kernel family 'layout' (owner fills in)
export function layout_placeholder(): void {}
