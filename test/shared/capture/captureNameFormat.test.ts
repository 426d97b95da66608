import { describe, expect, it } from 'vitest';
import {
  parseCaptureBlobName,
  parseCaptureNameFormat,
  renderPrefix,
  type CaptureNameFormat,
} from '../../../shared/capture/captureNameFormat.js';

const DEFAULT = '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}';

function format(text: string): CaptureNameFormat {
  const parsed = parseCaptureNameFormat(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

describe('parseCaptureNameFormat', () => {
  it('fails with CAPTURE.BAD_NAME_FORMAT naming missing, unknown and repeated tokens', () => {
    expect(parseCaptureNameFormat('{Namespace}/{EventHub}/{Year}/{Month}/{Day}')).toMatchObject({
      ok: false,
      error: { code: 'CAPTURE.BAD_NAME_FORMAT', detail: { missing: ['PartitionId', 'Hour', 'Minute', 'Second'] } },
    });
    expect(parseCaptureNameFormat(`${DEFAULT}/{Week}`)).toMatchObject({
      ok: false,
      error: { code: 'CAPTURE.BAD_NAME_FORMAT', detail: { token: 'Week' } },
    });
    expect(parseCaptureNameFormat(`${DEFAULT}/{Day}`)).toMatchObject({
      ok: false,
      error: { code: 'CAPTURE.BAD_NAME_FORMAT', detail: { token: 'Day' } },
    });
  });
});

describe('parseCaptureBlobName', () => {
  it('reads the parts and the UTC window start of a default-format name', () => {
    expect(parseCaptureBlobName(format(DEFAULT), 'mrm-ns/events/3/2024/01/15/10/05/00.avro')).toEqual({
      namespace: 'mrm-ns',
      eventHub: 'events',
      partitionId: '3',
      windowStartInMs: Date.UTC(2024, 0, 15, 10, 5, 0),
    });
  });

  it('follows a reordered format with extra literals', () => {
    const custom = format('archive/{Year}-{Month}-{Day}/{Namespace}.{EventHub}/p{PartitionId}/{Hour}{Minute}{Second}');
    expect(parseCaptureBlobName(custom, 'archive/2024-02-29/ns.scored/p12/235959.avro')).toEqual({
      namespace: 'ns',
      eventHub: 'scored',
      partitionId: '12',
      windowStartInMs: Date.UTC(2024, 1, 29, 23, 59, 59),
    });
  });

  it.each([
    'mrm-ns/events/3/2024/01/15/10/05.avro',
    'mrm-ns/events/3/2023/02/29/10/05/00.avro',
    'mrm-ns/events/3/2024/01/15/25/05/00.avro',
    'x/mrm-ns/events/3/2024/01/15/10/05/00.avro',
  ])('rejects %j', (name) => {
    expect(parseCaptureBlobName(format(DEFAULT), name)).toBeUndefined();
  });
});

describe('renderPrefix', () => {
  it('renders up to the first unknown token and says whether it fills a path segment', () => {
    const f = format(DEFAULT);
    expect(renderPrefix(f, { EventHub: 'events' })).toEqual({
      prefix: '',
      next: 'Namespace',
      nextIsWholeSegment: true,
    });
    expect(renderPrefix(f, { Namespace: 'ns', EventHub: 'events' })).toEqual({
      prefix: 'ns/events/',
      next: 'PartitionId',
      nextIsWholeSegment: true,
    });
    expect(
      renderPrefix(f, { Namespace: 'ns', EventHub: 'events', PartitionId: '0', Year: '2024', Month: '01', Day: '15' }),
    ).toEqual({
      prefix: 'ns/events/0/2024/01/15/',
      next: 'Hour',
      nextIsWholeSegment: true,
    });
    const custom = format('archive/{Namespace}.{EventHub}/p{PartitionId}/{Year}/{Month}/{Day}/{Hour}{Minute}{Second}');
    expect(renderPrefix(custom, { Namespace: 'ns', EventHub: 'e' })).toEqual({
      prefix: 'archive/ns.e/p',
      next: 'PartitionId',
      nextIsWholeSegment: false,
    });
  });
});
