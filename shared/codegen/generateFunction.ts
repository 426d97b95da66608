/**
 * Source longer than this is not generated: V8 does not optimise a very long function, and the caller's plain loop
 * is then faster. 64 KiB holds the generators' measured cases (20 to 512 names, 2,048 residual terms).
 */
export const MAX_GENERATED_SOURCE_LENGTH = 65_536;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A name (a feature's, a property's) as it may enter generated code: a JSON string literal, which is a valid and
 * inert JavaScript string literal for any name. Names enter generated code in no other way.
 */
export function nameLiteral(name: string): string {
  return JSON.stringify(name);
}

/**
 * The one door to `new Function`, with one guard for every generator (the input reader, the feature object
 * builder, the residual screen and the profile fold): parameters are plain identifiers, the body runs in strict mode,
 * and a body above MAX_GENERATED_SOURCE_LENGTH gives undefined, for the caller to take its plain loop. The caller
 * builds the body from its own fixed code, numbers it has checked, and names through `nameLiteral` only.
 */
export function generateFunction<F>(parameters: readonly string[], body: string): F | undefined {
  for (const parameter of parameters) {
    if (!IDENTIFIER.test(parameter)) throw new Error(`generated parameter "${parameter}" is not an identifier`);
  }
  if (body.length > MAX_GENERATED_SOURCE_LENGTH) return undefined;
  return new Function(...parameters, `"use strict";\n${body}`) as F;
}
