import { describe, expect, it } from 'vitest';
import { parseAmlResponse, type AmlResponseContext } from '../../../../shared/scoring/aml/parseAmlResponse.js';

const binary: AmlResponseContext = {
  format: 'probabilities',
  classes: ['legit', 'fraud'],
  expectedCount: 2,
  status: 200,
};

describe('parseAmlResponse', () => {
  describe('probabilities', () => {
    it('maps each row to a prediction: class of highest probability, score = last (positive) class', () => {
      const parsed = parseAmlResponse('[[0.9, 0.1], [0.25, 0.75]]', binary);
      expect(parsed).toEqual({
        ok: true,
        value: [
          { prediction: 'legit', probabilities: { legit: 0.9, fraud: 0.1 }, score: 0.1 },
          { prediction: 'fraud', probabilities: { legit: 0.25, fraud: 0.75 }, score: 0.75 },
        ],
      });
    });

    it('gives a tie to the earlier class', () => {
      const parsed = parseAmlResponse('[[0.5, 0.5]]', { ...binary, expectedCount: 1 });
      expect(parsed.ok && parsed.value[0]!.prediction).toBe('legit');
    });

    it('renormalises a vector whose sum is within 1e-3 of 1', () => {
      const parsed = parseAmlResponse('[[0.3, 0.3, 0.3995]]', {
        ...binary,
        classes: ['a', 'b', 'c'],
        expectedCount: 1,
      });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      const p = parsed.value[0]!.probabilities;
      expect(p.a! + p.b! + p.c!).toBeCloseTo(1, 12);
      expect(p.c).toBeCloseTo(0.3995 / 0.9995, 12);
      expect(parsed.value[0]!.prediction).toBe('c');
    });

    it('reads a JSON-encoded JSON string (scoring scripts that return json.dumps)', () => {
      const parsed = parseAmlResponse(JSON.stringify(JSON.stringify([[0.2, 0.8]])), { ...binary, expectedCount: 1 });
      expect(parsed.ok && parsed.value[0]!.prediction).toBe('fraud');
    });
  });

  describe('labels', () => {
    const labels: AmlResponseContext = { ...binary, format: 'labels', expectedCount: 3 };

    it('gives probability 1 to the named class', () => {
      const parsed = parseAmlResponse('["fraud", "legit", "fraud"]', labels);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.map((p) => p.prediction)).toEqual(['fraud', 'legit', 'fraud']);
      expect(parsed.value[0]).toEqual({ prediction: 'fraud', probabilities: { legit: 0, fraud: 1 }, score: 1 });
    });

    it('reads integer labels by name first, else as the class index', () => {
      const byName = parseAmlResponse('[1, 0]', { ...labels, classes: ['0', '1'], expectedCount: 2 });
      expect(byName.ok && byName.value.map((p) => p.prediction)).toEqual(['1', '0']);
      const byIndex = parseAmlResponse('[1, 0]', { ...labels, expectedCount: 2 });
      expect(byIndex.ok && byIndex.value.map((p) => p.prediction)).toEqual(['fraud', 'legit']);
    });

    it('rejects a label that is not a class', () => {
      const parsed = parseAmlResponse('["fraud", "spam", "legit"]', labels);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.error.message).toBe(
        `The Azure ML endpoint's answer cannot be used: prediction 1: label "spam" is not one of the classes (legit, fraud)`,
      );
      expect(parsed.error.detail).toMatchObject({ position: 1, status: 200 });
    });
  });

  describe('predictions-object', () => {
    const wrapped: AmlResponseContext = { ...binary, format: 'predictions-object' };

    it('reads probability rows inside "predictions"', () => {
      const parsed = parseAmlResponse('{"predictions": [[0.6, 0.4], [0.1, 0.9]]}', wrapped);
      expect(parsed.ok && parsed.value.map((p) => p.score)).toEqual([0.4, 0.9]);
    });

    it('reads labels inside "predictions"', () => {
      const parsed = parseAmlResponse('{"predictions": ["legit", "fraud"]}', wrapped);
      expect(parsed.ok && parsed.value.map((p) => p.prediction)).toEqual(['legit', 'fraud']);
    });

    it('rejects a bare array when the object is expected', () => {
      const parsed = parseAmlResponse('[[0.6, 0.4], [0.1, 0.9]]', wrapped);
      expect(!parsed.ok && parsed.error.message).toBe(
        `The Azure ML endpoint's answer cannot be used: expected an object with a "predictions" array`,
      );
    });
  });

  describe('fails the whole chunk with SCORER.BAD_RESPONSE', () => {
    const cases: Array<[string, string, string]> = [
      ['not JSON', '<html>upstream error</html>', 'the body is not JSON'],
      ['empty body', '', 'the body is not JSON'],
      ['an object instead of rows', '{"result": 1}', 'expected an array of predictions'],
      ['too few rows', '[[0.5, 0.5]]', 'expected 2 predictions, got 1'],
      ['too many rows', '[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]', 'expected 2 predictions, got 3'],
      [
        'a row of the wrong length',
        '[[0.5, 0.5], [1]]',
        'prediction 1: expected 2 probabilities (legit, fraud), got 1',
      ],
      ['a scalar row', '[[0.5, 0.5], 0.7]', 'prediction 1: expected an array of class probabilities'],
      ['a negative probability', '[[1.2, -0.2], [0.5, 0.5]]', 'prediction 0: probability -0.2 is negative'],
      ['a non-number', '[["0.5", 0.5], [0.5, 0.5]]', 'prediction 0: probability "0.5" is not a finite number'],
      ['null (NaN from Python)', '[[null, 1], [0.5, 0.5]]', 'prediction 0: probability null is not a finite number'],
      ['a sum far from 1', '[[0.5, 0.5], [0.7, 0.7]]', 'prediction 1: probabilities sum to 1.4, not 1'],
      [
        'a sum just beyond the tolerance',
        '[[0.5, 0.5], [0.5, 0.5012]]',
        'prediction 1: probabilities sum to 1.0012, not 1',
      ],
    ];
    it.each(cases)('%s', (_name, body, reason) => {
      const parsed = parseAmlResponse(body, binary);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.error.code).toBe('SCORER.BAD_RESPONSE');
      expect(parsed.error.message).toBe(`The Azure ML endpoint's answer cannot be used: ${reason}`);
      expect(parsed.error.detail).toMatchObject({ status: 200, snippet: body.slice(0, 200) });
    });

    it('keeps only a short snippet of a large body', () => {
      const body = 'x'.repeat(10_000);
      const parsed = parseAmlResponse(body, binary);
      expect(!parsed.ok && (parsed.error.detail?.snippet as string).length).toBe(200);
    });
  });
});
