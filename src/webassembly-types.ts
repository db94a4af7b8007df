// The two WebAssembly types the package's declarations name, declared as (mergeable) interfaces so the
// .d.ts files type-check for users without the DOM lib (a Node project with only @types/node, whose
// version 20 does not declare the WebAssembly namespace). With the DOM lib they merge into its types.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace WebAssembly {
    // eslint-disable-next-line @typescript-eslint/no-empty-interface
    interface Module {}
    // eslint-disable-next-line @typescript-eslint/no-empty-interface
    interface Memory {}
  }
}
export {};
