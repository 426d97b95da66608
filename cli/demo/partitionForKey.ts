/**
 * The partition Event Hubs assigns to a partition key: Bob Jenkins' lookup3 `hashlittle2` over the key's UTF-8 bytes,
 * the two 32-bit results XORed and cut to a signed 16-bit number, then |h mod count|. The service does this on its
 * side; `@azure/event-hubs` does the same in its buffered producer (internal, not exported), and the demo uses it so
 * a caller's events land on the partition they would land on in Azure, which keeps each caller's defence state on
 * one instance exactly as in production.
 */
export function partitionForKey(partitionKey: string, partitionCount: number): string {
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new RangeError(`partitionCount must be a whole number >= 1, got ${partitionCount}`);
  const { b, c } = lookup3(Buffer.from(partitionKey, 'utf8'));
  const hash16 = ((c ^ b) << 16) >> 16;
  return String(Math.abs(hash16 % partitionCount));
}

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

function lookup3(data: Buffer): { b: number; c: number } {
  let a = (0xdeadbeef + data.length) | 0;
  let b = a;
  let c = a;
  let index = 0;
  let size = data.length;
  while (size > 12) {
    a = (a + data.readInt32LE(index)) | 0;
    b = (b + data.readInt32LE(index + 4)) | 0;
    c = (c + data.readInt32LE(index + 8)) | 0;
    // mix(a, b, c)
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    index += 12;
    size -= 12;
  }
  if (size === 0) return { b, c };
  // The tail: the last 1–12 bytes, little-endian, into c, b, a (lookup3's switch with fall-through).
  const byte = (i: number): number => (i < size ? data[index + i]! : 0);
  a = (a + (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24))) | 0;
  if (size > 4) b = (b + (byte(4) | (byte(5) << 8) | (byte(6) << 16) | (byte(7) << 24))) | 0;
  if (size > 8) c = (c + (byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24))) | 0;
  // final(a, b, c)
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return { b, c };
}
