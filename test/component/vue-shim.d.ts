// `tsc -p test` type-checks the component tests with plain TypeScript, which cannot read single-file
// components; the components themselves are checked by `vue-tsc -p src-renderer`.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
declare module '*.css';
