import avro from 'avsc';
import type { Failure, Result } from '../errors.js';
import { CAPTURE_FAILURES } from './captureFailures.js';
import { CAPTURE_READER_SCHEMA } from './captureSchema.js';

export interface ResolvedCaptureSchema {
  /** The writer type the file embeds. */
  writer: avro.Type;
  /** The lean reader type (captureSchema.ts) and its resolver from the writer. */
  reader: avro.Type;
  resolver: avro.Resolver;
}

export const CAPTURE_READER_TYPE = avro.Type.forSchema(CAPTURE_READER_SCHEMA as unknown as avro.Schema);

// Capture embeds the same schema in every file: resolving it once per process saves a schema parse per blob.
const cache = new Map<string, Result<ResolvedCaptureSchema>>();

/**
 * The writer schema a file embeds, parsed by avsc and resolved against the reader schema: CAPTURE.BAD_SCHEMA when it
 * is not Avro, CAPTURE.FOREIGN_SCHEMA when its records are not Capture's EventData. Both readers use it, so they
 * accept and refuse the same files.
 */
export function resolveCaptureSchema(schemaText: string): Result<ResolvedCaptureSchema> {
  const cached = cache.get(schemaText);
  if (cached) return cached;
  const result = resolveUncached(schemaText);
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(schemaText, result);
  return result;
}

function resolveUncached(schemaText: string): Result<ResolvedCaptureSchema> {
  let writer: avro.Type;
  try {
    // Property map unions ([long, double, string, bytes]) are ambiguous, so `wrapUnions: false` would reject the
    // schema in avsc 5.7; 'auto' wraps only those, and the reader schema skips them anyway.
    writer = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema, { wrapUnions: 'auto' });
  } catch (error) {
    return refuse({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.badSchema,
      message: `Embedded schema is not valid Avro: ${(error as Error).message}`,
    });
  }
  try {
    return {
      ok: true,
      value: { writer, reader: CAPTURE_READER_TYPE, resolver: CAPTURE_READER_TYPE.createResolver(writer) },
    };
  } catch (error) {
    const name = (writer as unknown as { name?: string }).name ?? writer.typeName;
    return refuse({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.foreignSchema,
      message: `Records of type ${name} are not Event Hubs Capture EventData records: ${firstLine((error as Error).message)}`,
      detail: { recordType: name },
    });
  }
}

function refuse(error: Failure): Result<ResolvedCaptureSchema> {
  return { ok: false, error };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
