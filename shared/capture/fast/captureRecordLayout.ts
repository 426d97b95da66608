import type avro from 'avsc';
import { readVarint, VARINT_TOO_LONG, zigZag } from '../../binary/varint.js';
import type { CaptureRecordView } from '../types.js';

/** A cursor over one block. Reads past `end` leave `pos > end` and give zeros; `failure` names invalid data. */
class BlockCursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  failure: string | undefined;

  /** Zig-zag varint (Avro int and long), exact up to 2^53. */
  long(): number {
    const pos = this.pos;
    if (pos >= this.end) {
      this.pos = this.end + 1;
      return 0;
    }
    const first = this.buf[pos]!;
    const value = readVarint(this.buf, this, this.end);
    if (value >= 0) return zigZag(value, first);
    if (value === VARINT_TOO_LONG) this.fail('varint longer than 10 bytes');
    else this.pos = this.end + 1;
    return 0;
  }

  /** Length of a bytes or string value; the cursor is left on its first byte. */
  length(): number {
    const length = this.long();
    if (length < 0) this.fail(`negative length ${length}`);
    return length;
  }

  skip(bytes: number): void {
    this.pos += bytes;
  }

  get stopped(): boolean {
    return this.pos > this.end || this.failure !== undefined;
  }

  fail(reason: string): void {
    this.failure ??= reason;
    this.pos = this.end + 1;
  }
}

type Skipper = (cursor: BlockCursor) => void;

const enum Op {
  Skip = 0,
  SequenceNumber = 1,
  EnqueuedTimeUtc = 2,
  /** Body written as a plain bytes or string. */
  Body = 3,
  /** Body written as a union: `bodyBranches[index]` says whether the branch is null. */
  BodyUnion = 4,
}

/**
 * Reads Capture records straight from the writer schema's byte layout, taking only SequenceNumber, EnqueuedTimeUtc
 * and Body and skipping everything else (Offset, the property maps) without materialising it: the bytes avsc's
 * resolver would read, decoded the same way, at a fraction of the cost. Built only for writer schemas whose three
 * fields have the types Capture writes (or the encodings Avro promotes to them); anything else goes through avsc.
 */
export class CaptureRecordLayout {
  private readonly cursor = new BlockCursor();
  private readonly lastTime = Buffer.alloc(64);
  private lastTimeLength = -1;
  private lastTimeText = '';

  private constructor(
    private readonly ops: readonly Op[],
    private readonly skippers: ReadonlyArray<Skipper | undefined>,
    private readonly bodyBranchIsNull: readonly boolean[],
  ) {}

  /** The layout of a writer record type, or undefined when only avsc's general resolution should read it. */
  static of(writer: avro.Type): CaptureRecordLayout | undefined {
    const record = writer as unknown as { typeName: string; fields?: Array<{ name: string; type: avro.Type }> };
    if (record.typeName !== 'record' || !record.fields) return undefined;
    const ops: Op[] = [];
    const skippers: Array<Skipper | undefined> = [];
    let bodyBranchIsNull: boolean[] = [];
    const seen = new Set<string>();
    for (const field of record.fields) {
      const typeName = field.type.typeName;
      let op: Op;
      if (field.name === 'SequenceNumber') {
        if (typeName !== 'long' && typeName !== 'int') return undefined;
        op = Op.SequenceNumber;
      } else if (field.name === 'EnqueuedTimeUtc') {
        if (typeName !== 'string' && typeName !== 'bytes') return undefined;
        op = Op.EnqueuedTimeUtc;
      } else if (field.name === 'Body') {
        if (typeName === 'string' || typeName === 'bytes') op = Op.Body;
        else if (typeName.startsWith('union')) {
          const branches = (field.type as unknown as { types: avro.Type[] }).types.map((t) => t.typeName);
          if (!branches.every((b) => b === 'null' || b === 'bytes' || b === 'string')) return undefined;
          bodyBranchIsNull = branches.map((b) => b === 'null');
          op = Op.BodyUnion;
        } else return undefined;
      } else {
        const skipper = skipperOf(field.type, new Map());
        if (!skipper) return undefined;
        ops.push(Op.Skip);
        skippers.push(skipper);
        continue;
      }
      seen.add(field.name);
      ops.push(op);
      skippers.push(undefined);
    }
    if (seen.size !== 3) return undefined;
    return new CaptureRecordLayout(ops, skippers, bodyBranchIsNull);
  }

  /**
   * Reads the record at `pos` of `block[0, end)` into `view`. Returns the position after it, or a reason when the
   * record is invalid or runs past the end.
   */
  read(block: Buffer, pos: number, end: number, view: CaptureRecordView): number | string {
    const cursor = this.cursor;
    cursor.buf = block;
    cursor.pos = pos;
    cursor.end = end;
    cursor.failure = undefined;
    view.block = block;
    const ops = this.ops;
    for (let k = 0; k < ops.length; k++) {
      switch (ops[k]) {
        case Op.Skip:
          this.skippers[k]!(cursor);
          break;
        case Op.SequenceNumber:
          view.sequenceNumber = cursor.long();
          break;
        case Op.EnqueuedTimeUtc:
          view.enqueuedTimeUtc = this.timeText(cursor);
          break;
        case Op.Body:
          this.body(cursor, view);
          break;
        case Op.BodyUnion: {
          const branch = cursor.long();
          const isNull = this.bodyBranchIsNull[branch];
          if (isNull === undefined) {
            if (!cursor.stopped) cursor.fail(`invalid union index ${branch}`);
          } else if (isNull) view.bodyStart = view.bodyEnd = -1;
          else this.body(cursor, view);
          break;
        }
      }
      if (cursor.stopped) return cursor.failure ?? 'record runs past the end of its block';
    }
    return cursor.pos;
  }

  private body(cursor: BlockCursor, view: CaptureRecordView): void {
    const length = cursor.length();
    view.bodyStart = cursor.pos;
    cursor.skip(length);
    view.bodyEnd = cursor.pos;
  }

  /** Records of one file share a handful of distinct seconds: decode each distinct time text once. */
  private timeText(cursor: BlockCursor): string {
    const length = cursor.length();
    const start = cursor.pos;
    cursor.skip(length);
    if (cursor.stopped) return '';
    const buf = cursor.buf;
    const last = this.lastTime;
    if (length === this.lastTimeLength) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (buf[start + k] !== last[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastTimeText;
    }
    const text = buf.toString('utf8', start, start + length);
    if (length <= last.length) {
      buf.copy(last, 0, start, start + length);
      this.lastTimeLength = length;
      this.lastTimeText = text;
    }
    return text;
  }
}

/** Skips one value of any Avro type; undefined for a type it does not know (then avsc reads the file). */
function skipperOf(type: avro.Type, named: Map<avro.Type, Skipper>): Skipper | undefined {
  const known = named.get(type);
  if (known) return known;
  const t = type as unknown as {
    typeName: string;
    size?: number;
    fields?: Array<{ type: avro.Type }>;
    valuesType?: avro.Type;
    itemsType?: avro.Type;
    types?: avro.Type[];
  };
  switch (t.typeName) {
    case 'null':
      return () => {};
    case 'boolean':
      return (c) => c.skip(1);
    case 'int':
    case 'long':
    case 'enum':
      return (c) => void c.long();
    case 'float':
      return (c) => c.skip(4);
    case 'double':
      return (c) => c.skip(8);
    case 'bytes':
    case 'string':
      return (c) => c.skip(c.length());
    case 'fixed': {
      const size = t.size!;
      return (c) => c.skip(size);
    }
    case 'map': {
      const value = skipperOf(t.valuesType!, named);
      return value && blocksSkipper((c) => (c.skip(c.length()), value(c)));
    }
    case 'array': {
      const item = skipperOf(t.itemsType!, named);
      return item && blocksSkipper(item);
    }
    case 'record':
    case 'error': {
      // Registered before its fields, so a recursive record refers to itself.
      let fields: Skipper[] = [];
      const skipper: Skipper = (c) => {
        for (const field of fields) {
          field(c);
          if (c.stopped) return;
        }
      };
      named.set(type, skipper);
      const compiled = t.fields!.map((f) => skipperOf(f.type, named));
      if (compiled.some((s) => s === undefined)) return undefined;
      fields = compiled as Skipper[];
      return skipper;
    }
    default: {
      if (!t.typeName.startsWith('union') || !t.types) return undefined;
      const branches = t.types.map((b) => skipperOf(b, named));
      if (branches.some((s) => s === undefined)) return undefined;
      return (c) => {
        const index = c.long();
        const branch = branches[index];
        if (branch) branch(c);
        else if (!c.stopped) c.fail(`invalid union index ${index}`);
      };
    }
  }
}

/** Arrays and maps: blocks of `count` items until a zero count; a negative count is followed by the block's size. */
function blocksSkipper(item: Skipper): Skipper {
  return (c) => {
    for (;;) {
      let count = c.long();
      if (count === 0 || c.stopped) return;
      if (count < 0) {
        c.skip(c.length());
        count = 0;
      }
      for (let k = 0; k < count; k++) {
        item(c);
        if (c.stopped) return;
      }
    }
  };
}
