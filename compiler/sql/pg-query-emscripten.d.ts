/** pg-query-emscripten ships no types: its default export is an Emscripten module factory. */
declare module 'pg-query-emscripten' {
  const factory: () => Promise<unknown>;
  export default factory;
}
declare module 'pg-query-emscripten/pg_query_wasm.js' {
  const factory: () => Promise<unknown>;
  export default factory;
}
