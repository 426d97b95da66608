import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBaseline } from '../../cli/commands/baseline.js';
import type { BaselineProfile } from '../../shared/baseline/profile.js';
import { ONNX_FIXTURES } from '../helpers/onnxFixtures.js';

const model = (name: string) => join(ONNX_FIXTURES, `${name}.onnx`);
const iris = readFileSync(join('test', 'fixtures', 'sklearn', 'iris.csv'), 'utf8');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mrm-cli-baseline-model-'));
  await writeFile(join(dir, 'iris-names.csv'), iris);
  const numbered = iris
    .replace(/,setosa$/gm, ',0')
    .replace(/,versicolor$/gm, ',1')
    .replace(/,virginica$/gm, ',2');
  await writeFile(join(dir, 'iris.csv'), numbered);
});

describe('mrm baseline --model', () => {
  it("scores the held-out rows with the user's model and prints its out-of-sample macro metrics", async () => {
    const out = join(dir, 'profile.json');
    const summary = await runBaseline(
      { input: join(dir, 'iris.csv'), out, label: 'target', seed: 1, model: model('iris-gbt') },
      {},
    );
    expect(summary).toMatch(
      /Model onnx:[0-9a-f]{16} \(classes 0, 1, 2\) on 30 labelled held-out rows \(those validation did not reject\): accuracy 0\.9\d\d, macro precision 0\.9\d\d, macro recall 0\.9\d\d, macro F1 0\.9\d\d, AUC n\/a/,
    );
    const profile = JSON.parse(await readFile(out, 'utf8')) as BaselineProfile;
    expect(profile.heldOut.scoredBy).toMatchObject({ scorer: 'onnx', classes: ['0', '1', '2'] });
  });

  /** `mrm baseline` on one of the iris files with the target label, expected to stop before writing anything. */
  const refused = (input: string, modelFile?: string) =>
    expect(
      runBaseline(
        {
          input: join(dir, input),
          out: join(dir, 'no.json'),
          label: 'target',
          seed: 1,
          ...(modelFile ? { model: modelFile } : {}),
        },
        {},
      ),
    ).rejects;

  it('refuses a three-class label without a model, saying to give one', async () => {
    await refused('iris.csv').toMatchObject({
      code: 'BASELINE.MULTICLASS_NEEDS_MODEL',
      message: expect.stringContaining('--model'),
    });
  });

  it("refuses labels that are not the model's class names", async () => {
    await refused('iris-names.csv', model('iris-gbt')).toMatchObject({ code: 'BASELINE.MODEL_CLASSES' });
  });

  it('names a model file that cannot be read', async () => {
    await refused('iris.csv', join(dir, 'nosuch.onnx')).toMatchObject({
      code: 'MODEL.UNAVAILABLE',
      message: expect.stringContaining('nosuch.onnx'),
    });
  });

  it('names a file that is no ONNX model', async () => {
    await refused('iris.csv', join(dir, 'iris.csv')).toMatchObject({ message: expect.stringContaining('iris.csv') });
  });
});
