// Vite's `?worker&url` import: the URL of the bundled module (the renderer does not load vite/client types).
declare module '*?worker&url' {
  const url: string;
  export default url;
}
