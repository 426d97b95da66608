import { goodBody } from '../helpers/baselineFixture.js';

/** One megabyte, the largest event Event Hubs Standard takes (host.json allows batches of 100 of them). */
export const HOSTILE_BODY_BYTES = 1_000_000;

/**
 * The i-th hostile body, the same in the child that sends it and the test that checks what was kept: bytes JSON
 * would escape six-fold (0x01), bytes that are not UTF-8, text JSON escapes two-fold, a byte-order mark, a valid but
 * oversized event, and pseudo-random bytes.
 */
export function hostileBody(i: number, size = HOSTILE_BODY_BYTES): Buffer {
  switch (i % 6) {
    case 0:
      return Buffer.alloc(size, 0x01);
    case 1:
      return Buffer.alloc(size, 0xff);
    case 2:
      return Buffer.alloc(size, '"\\');
    case 3:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.alloc(size - 3, 'x')]);
    case 4: {
      const head = JSON.stringify({ ...goodBody(`big-${i}`), pad: '' }).slice(0, -2);
      return Buffer.concat([Buffer.from(head), Buffer.alloc(size - head.length - 2, 'p'), Buffer.from('"}')]);
    }
    default: {
      const bytes = Buffer.alloc(size);
      let state = i + 1;
      for (let k = 0; k < size; k++) {
        state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
        bytes[k] = state >>> 24;
      }
      return bytes;
    }
  }
}
