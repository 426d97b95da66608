/**
 * A body as the Event Hubs trigger hands it to scoreEvents, registered with `dataType: 'binary'`: the producer's
 * bytes, as a Buffer. The demo plays bodies through the handler this way.
 */
export function deliveredBody(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
