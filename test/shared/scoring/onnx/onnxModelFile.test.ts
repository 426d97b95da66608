import { describe, expect, it } from 'vitest';
import { readOnnxModelFile, withoutZipMap } from '../../../../shared/scoring/onnx/onnxModelFile.js';
import { onnxRuntime } from '../../../../shared/scoring/onnx/onnxRuntime.js';
import { onnxBytes } from '../../../helpers/onnxFixtures.js';

describe('readOnnxModelFile', () => {
  it('reads the graph onnxruntime does not show: nodes, their class labels (strings, int64), outputs, opset', () => {
    const logreg = readOnnxModelFile(onnxBytes('breast-cancer-logreg'));
    expect(logreg.ok && logreg.value).toMatchObject({
      irVersion: 8,
      producer: 'skl2onnx',
      defaultOpset: 16,
      outputs: ['output_label', 'output_probability'],
    });
    const nodes = logreg.ok ? logreg.value.nodes : [];
    expect(nodes.map((n) => n.opType)).toEqual(['Scaler', 'LinearClassifier', 'Identity', 'ZipMap']);
    expect(nodes[1]).toMatchObject({
      domain: 'ai.onnx.ml',
      classLabels: ['benign', 'malignant'],
      inputs: ['variable'],
    });
    const lgbm = readOnnxModelFile(onnxBytes('breast-cancer-lgbm'));
    expect(lgbm.ok && lgbm.value.nodes.find((n) => n.opType === 'ZipMap')?.classLabels).toEqual(['0', '1']);
  });

  it('refuses bytes that are not a model', () => {
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('not a model'), Uint8Array.from([0x08, 0x80])]) {
      expect(readOnnxModelFile(bytes)).toMatchObject({ ok: false, error: { code: 'MODEL.NOT_ONNX' } });
    }
  });
});

describe('withoutZipMap', () => {
  it('turns a ZipMap output into the probability tensor under the same name, keeping its class labels', async () => {
    const bytes = onnxBytes('breast-cancer-logreg');
    const { bytes: rewritten, zipMaps } = withoutZipMap(bytes);
    expect(zipMaps).toEqual([{ output: 'output_probability', classLabels: ['benign', 'malignant'] }]);
    const ort = await onnxRuntime();
    await expect(ort.InferenceSession.create(bytes).then((s) => s.outputMetadata[1]!.isTensor)).resolves.toBe(false);
    const session = await ort.InferenceSession.create(rewritten);
    expect(session.outputMetadata[1]).toEqual({
      name: 'output_probability',
      isTensor: true,
      type: 'float32',
      shape: ['N', 2],
    });
    const read = readOnnxModelFile(rewritten);
    expect(read.ok && read.value.nodes.map((n) => n.opType)).toEqual([
      'Scaler',
      'LinearClassifier',
      'Identity',
      'Identity',
    ]);
  });

  it('leaves a model without ZipMap as it is', () => {
    const bytes = onnxBytes('iris-gbt');
    expect(withoutZipMap(bytes)).toEqual({ bytes, zipMaps: [] });
  });
});
