/** Where one event came from, as the Event Hubs trigger describes it. */
export interface EventMetadata {
  partition: string | null;
  sequenceNumber: number | null;
  offset: string | null;
  enqueuedTime: string | null;
  partitionKey: string | null;
  properties: Record<string, unknown> | null;
}

/** Metadata of an event whose origin is unknown (a file line, a replay without metadata). */
export const UNKNOWN_METADATA: EventMetadata = Object.freeze({
  partition: null,
  sequenceNumber: null,
  offset: null,
  enqueuedTime: null,
  partitionKey: null,
  properties: null,
});

const asArray = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);

/**
 * Reads per-event metadata from the trigger's batch metadata (`partitionContext`, `sequenceNumberArray`,
 * `offsetArray`, `enqueuedTimeUtcArray`, `partitionKeyArray`, `propertiesArray`). Missing or malformed metadata
 * yields nulls, never an error: metadata describes an event, it never decides whether it is kept.
 */
export function readEventMetadata(
  triggerMetadata: Record<string, unknown> | undefined,
  count: number,
): EventMetadata[] {
  const meta = triggerMetadata ?? {};
  const partitionContext = meta.partitionContext as { partitionId?: unknown } | undefined;
  const partition =
    partitionContext && partitionContext.partitionId !== undefined ? String(partitionContext.partitionId) : null;
  const sequenceNumbers = asArray(meta.sequenceNumberArray);
  const offsets = asArray(meta.offsetArray);
  const enqueuedTimes = asArray(meta.enqueuedTimeUtcArray);
  const partitionKeys = asArray(meta.partitionKeyArray);
  const properties = asArray(meta.propertiesArray);
  const result: EventMetadata[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const sequence = sequenceNumbers?.[i];
    const enqueued = enqueuedTimes?.[i];
    const props = properties?.[i];
    result[i] = {
      partition,
      sequenceNumber:
        typeof sequence === 'number'
          ? sequence
          : typeof sequence === 'string' && sequence !== ''
            ? Number(sequence)
            : null,
      offset: offsets?.[i] === undefined || offsets[i] === null ? null : String(offsets[i]),
      enqueuedTime: enqueued instanceof Date ? enqueued.toISOString() : typeof enqueued === 'string' ? enqueued : null,
      partitionKey: typeof partitionKeys?.[i] === 'string' ? (partitionKeys[i] as string) : null,
      properties: typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : null,
    };
  }
  return result;
}
