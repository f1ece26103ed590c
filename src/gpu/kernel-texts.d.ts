/**
 * The module web/build.mjs generates for the browser build: every file under kernels/ (lib/
 * included) by its path relative to kernels/, e.g. 'tconv/direct.wgsl', → its WGSL text.
 * Declared here so src/gpu/host-web.ts type-checks; Node never imports it.
 */
declare module 'virtual:i2md-kernels' {
  const texts: Record<string, string>;
  export default texts;
}
