import { fail, ok, type Result } from '../../errors.js';
import {
  concatBytes,
  fieldText,
  lengthDelimited,
  ProtobufError,
  readFields,
  readInt64,
  readVarint,
  textField,
  varintField,
  type ProtoField,
} from './protobufFields.js';

/** Field numbers of onnx.proto that this file reads. */
const MODEL = { irVersion: 1, producerName: 2, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = { node: 1, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, ints: 8, strings: 9 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const FLOAT = 1;

export interface OnnxNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** The `classlabels_*` attribute of a classifier or ZipMap node, as text; null without one. */
  classLabels: string[] | null;
}

export interface OnnxModelFile {
  irVersion: number;
  producer: string;
  /** Version of the default ('' / ai.onnx) opset the model imports; null when it imports none. */
  defaultOpset: number | null;
  nodes: OnnxNode[];
  /** Graph outputs, in order. */
  outputs: string[];
  /** The model's metadata_props. */
  metadata: Record<string, string>;
}

/**
 * What onnxruntime's JavaScript API does not show: the graph's nodes (for class labels) and its metadata. Reads
 * the ModelProto's wire format directly; a file that is not one is `MODEL.NOT_ONNX`.
 */
export function readOnnxModelFile(bytes: Uint8Array): Result<OnnxModelFile> {
  try {
    const fields = readFields(bytes);
    const graph = last(fields, MODEL.graph);
    const irVersion = last(fields, MODEL.irVersion);
    if (!graph || !irVersion || graph.wireType !== 2 || irVersion.wireType !== 0) {
      return fail(
        'configuration',
        'MODEL.NOT_ONNX',
        'The file is not an ONNX model: it has no graph or no IR version',
        {
          bytes: bytes.length,
        },
      );
    }
    const graphFields = readFields(bytes, graph.from, graph.to);
    const producer = last(fields, MODEL.producerName);
    const metadata: Record<string, string> = {};
    for (const entry of fields.filter((f) => f.field === MODEL.metadataProps)) {
      const kv = readFields(bytes, entry.from, entry.to);
      const key = last(kv, 1);
      const value = last(kv, 2);
      if (key) metadata[fieldText(bytes, key)] = value ? fieldText(bytes, value) : '';
    }
    return ok({
      irVersion: readVarint(bytes, irVersion.from).value,
      producer: producer ? fieldText(bytes, producer) : '',
      defaultOpset: defaultOpset(bytes, fields),
      nodes: graphFields.filter((f) => f.field === GRAPH.node).map((f) => readNode(bytes, f)),
      outputs: graphFields.filter((f) => f.field === GRAPH.output).map((f) => valueInfoName(bytes, f)),
      metadata,
    });
  } catch (error) {
    if (!(error instanceof ProtobufError)) throw error;
    return fail('configuration', 'MODEL.NOT_ONNX', `The file is not an ONNX model: ${error.message}`, {
      bytes: bytes.length,
    });
  }
}

export interface ZipMapOutput {
  /** The graph output the ZipMap produced, now the probability tensor under the same name. */
  output: string;
  /** The ZipMap's class labels: the columns of that tensor, in order. */
  classLabels: string[];
}

/**
 * onnxruntime-node returns tensors only, and skl2onnx and onnxmltools end classifiers with a ZipMap (a sequence of
 * maps, one per row). Each ZipMap that produces a graph output becomes an Identity over its input tensor, so the
 * output keeps its name and carries the probabilities as a [rows, classes] float tensor; its class labels are kept.
 */
export function withoutZipMap(bytes: Uint8Array): { bytes: Uint8Array; zipMaps: ZipMapOutput[] } {
  const fields = readFields(bytes);
  const graph = last(fields, MODEL.graph)!;
  const graphFields = readFields(bytes, graph.from, graph.to);
  const outputs = new Set(graphFields.filter((f) => f.field === GRAPH.output).map((f) => valueInfoName(bytes, f)));
  const zipMaps: ZipMapOutput[] = [];
  const replaced = new Map<ProtoField, Uint8Array>();
  for (const field of graphFields) {
    if (field.field !== GRAPH.node) continue;
    const node = readNode(bytes, field);
    const output = node.outputs[0];
    const input = node.inputs[0];
    if (node.opType !== 'ZipMap' || output === undefined || input === undefined || !outputs.has(output)) continue;
    zipMaps.push({ output, classLabels: node.classLabels ?? [] });
    replaced.set(
      field,
      lengthDelimited(
        GRAPH.node,
        concatBytes([
          textField(NODE.input, input),
          textField(NODE.output, output),
          textField(NODE.name, `${output}_unzipped`),
          textField(NODE.opType, 'Identity'),
        ]),
      ),
    );
  }
  if (zipMaps.length === 0) return { bytes, zipMaps };
  const byOutput = new Map(zipMaps.map((z) => [z.output, z]));
  const parts: Uint8Array[] = [];
  for (const field of graphFields) {
    const node = replaced.get(field);
    if (node) {
      parts.push(node);
      continue;
    }
    if (field.field === GRAPH.output || field.field === GRAPH.valueInfo) {
      const zipMap = byOutput.get(valueInfoName(bytes, field));
      if (zipMap) {
        // The declared type of a graph output must match what the graph now computes; a stale value_info would not.
        if (field.field === GRAPH.output) parts.push(tensorOutput(zipMap.output, zipMap.classLabels.length));
        continue;
      }
    }
    parts.push(bytes.subarray(field.start, field.end));
  }
  const modelParts: Uint8Array[] = [];
  for (const field of fields) {
    modelParts.push(
      field === graph ? lengthDelimited(MODEL.graph, concatBytes(parts)) : bytes.subarray(field.start, field.end),
    );
  }
  // Identity is a default-domain operator: a model of ai.onnx.ml operators only may import no default opset.
  if (defaultOpset(bytes, fields) === null)
    modelParts.push(lengthDelimited(MODEL.opsetImport, varintField(OPSET.version, 1)));
  return { bytes: concatBytes(modelParts), zipMaps };
}

/** A float tensor output of shape [N, classes]. */
function tensorOutput(name: string, classes: number): Uint8Array {
  const dims = [
    lengthDelimited(1, textField(2, 'N')),
    ...(classes > 0 ? [lengthDelimited(1, varintField(1, classes))] : []),
  ];
  const tensor = concatBytes([varintField(1, FLOAT), lengthDelimited(2, concatBytes(dims))]);
  return lengthDelimited(
    GRAPH.output,
    concatBytes([textField(1, name), lengthDelimited(2, lengthDelimited(1, tensor))]),
  );
}

function readNode(bytes: Uint8Array, node: ProtoField): OnnxNode {
  const fields = readFields(bytes, node.from, node.to);
  const text = (n: number) => fields.filter((f) => f.field === n).map((f) => fieldText(bytes, f));
  let classLabels: string[] | null = null;
  for (const attribute of fields.filter((f) => f.field === NODE.attribute)) {
    const attributeFields = readFields(bytes, attribute.from, attribute.to);
    const name = last(attributeFields, ATTRIBUTE.name);
    if (!name || !fieldText(bytes, name).startsWith('classlabels_')) continue;
    const labels: string[] = [];
    for (const f of attributeFields) {
      if (f.field === ATTRIBUTE.strings) labels.push(fieldText(bytes, f));
      else if (f.field === ATTRIBUTE.ints) labels.push(...int64s(bytes, f));
    }
    if (labels.length > 0) classLabels = labels;
  }
  return {
    opType: text(NODE.opType).at(-1) ?? '',
    domain: text(NODE.domain).at(-1) ?? '',
    inputs: text(NODE.input),
    outputs: text(NODE.output),
    classLabels,
  };
}

/** A repeated int64 field: one varint, or a packed run of them. */
function int64s(bytes: Uint8Array, field: ProtoField): string[] {
  if (field.wireType === 0) return [String(readInt64(bytes, field.from).value)];
  const values: string[] = [];
  for (let at = field.from; at < field.to;) {
    const v = readInt64(bytes, at, field.to);
    values.push(String(v.value));
    at = v.next;
  }
  return values;
}

function valueInfoName(bytes: Uint8Array, valueInfo: ProtoField): string {
  const name = last(readFields(bytes, valueInfo.from, valueInfo.to), 1);
  return name ? fieldText(bytes, name) : '';
}

function defaultOpset(bytes: Uint8Array, fields: readonly ProtoField[]): number | null {
  for (const f of fields) {
    if (f.field !== MODEL.opsetImport) continue;
    const opset = readFields(bytes, f.from, f.to);
    const domain = last(opset, OPSET.domain);
    const version = last(opset, OPSET.version);
    const name = domain ? fieldText(bytes, domain) : '';
    if ((name === '' || name === 'ai.onnx') && version) return readVarint(bytes, version.from).value;
  }
  return null;
}

function last(fields: readonly ProtoField[], n: number): ProtoField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i]!.field === n) return fields[i];
  return undefined;
}
