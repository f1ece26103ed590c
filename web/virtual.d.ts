/** The modules web/build.mjs generates (see there). */
declare module 'virtual:i2md-doctor-tests' {
  export const tests: { name: string; load: () => Promise<unknown> }[];
  export const nodeOnly: string[];
}
