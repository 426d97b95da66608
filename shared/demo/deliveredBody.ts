const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body as the Event Hubs trigger hands it to scoreEvents: parsed when it is JSON, a string when it is other UTF-8
 * text, the bytes otherwise. The demo plays bodies through the handler this way.
 */
export function deliveredBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return bytes;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
