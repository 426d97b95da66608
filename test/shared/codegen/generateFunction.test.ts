import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  generateFunction,
  MAX_GENERATED_SOURCE_LENGTH,
  nameLiteral,
} from '../../../shared/codegen/generateFunction.js';

describe('generateFunction', () => {
  it('compiles a strict-mode function of the given parameters', () => {
    const add = generateFunction<(a: number, b: number) => number>(['a', 'b'], 'return a + b;');
    expect(add?.(2, 3)).toBe(5);
    const sloppy = generateFunction<() => unknown>([], 'return this;');
    expect(sloppy?.()).toBeUndefined();
  });

  it('gives undefined for a body above the cap, so that the caller takes its plain loop', () => {
    const body = `return 1;${' '.repeat(MAX_GENERATED_SOURCE_LENGTH)}`;
    expect(generateFunction<() => number>([], body)).toBeUndefined();
    expect(generateFunction<() => number>([], body.slice(0, MAX_GENERATED_SOURCE_LENGTH))?.()).toBe(1);
  });

  it('refuses a parameter that is not an identifier', () => {
    expect(() => generateFunction(['a', 'b) { evil(); } function x(c'], 'return 1;')).toThrow(
      'generated parameter "b) { evil(); } function x(c" is not an identifier',
    );
  });
});

describe('nameLiteral', () => {
  it('gives any name back unchanged as the property it reads, whatever quotes, backslashes or line breaks it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (name) => {
        const read = generateFunction<(f: Record<string, unknown>) => unknown>(
          ['f'],
          `return f[${nameLiteral(name)}];`,
        );
        expect(read?.({ [name]: 42 })).toBe(42);
      }),
    );
  });
});
