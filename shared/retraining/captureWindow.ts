/** The span of captured events handed to a retraining job: `days` days up to the alert. */
export interface CaptureWindow {
  start: string;
  end: string;
}

export function captureWindowEndingAt(end: Date, days: number): CaptureWindow {
  return { start: new Date(end.getTime() - days * 86_400_000).toISOString(), end: end.toISOString() };
}

/**
 * The fixed leading part of Capture blob names for one hub: the name format's literal text and tokens known for the
 * whole window ({Namespace}, {EventHub}), up to the first token that varies between files. A job lists blobs under it.
 */
export function capturePrefix(nameFormat: string, known: { namespace?: string | undefined; eventHub: string }): string {
  const values: Record<string, string | undefined> = { Namespace: known.namespace, EventHub: known.eventHub };
  let prefix = '';
  let rest = nameFormat;
  for (;;) {
    const token = /\{(\w+)\}/.exec(rest);
    if (!token) return prefix + rest;
    const value = values[token[1]!];
    prefix += rest.slice(0, token.index);
    if (value === undefined) return prefix;
    prefix += value;
    rest = rest.slice(token.index + token[0].length);
  }
}
