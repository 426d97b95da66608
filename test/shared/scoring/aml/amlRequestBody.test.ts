import { describe, expect, it } from 'vitest';
import { amlRequestBody } from '../../../../shared/scoring/aml/amlRequestBody.js';
import type { ScoreRequest } from '../../../../shared/contracts/scorer.js';

const columns = ['age', 'income', 'country'];
// Features arrive in event order, not profile order; one event lacks the categorical feature.
const requests: ScoreRequest[] = [
  { id: 'a', features: { country: 'FR', income: 52_000.5, age: 31 }, vector: Float64Array.of(31, 52_000.5) },
  { id: 'b', features: { income: 0, age: 70 }, vector: Float64Array.of(70, 0) },
];

describe('amlRequestBody', () => {
  it('mlflow-split: columns in profile order, one row per event, positional index, categorical strings kept', () => {
    expect(amlRequestBody('mlflow-split', columns, requests)).toEqual({
      input_data: {
        columns: ['age', 'income', 'country'],
        index: [0, 1],
        data: [
          [31, 52_000.5, 'FR'],
          [70, 0, null],
        ],
      },
    });
  });

  it('mlflow-records: one record per event with every profile column', () => {
    expect(amlRequestBody('mlflow-records', columns, requests)).toEqual({
      dataframe_records: [
        { age: 31, income: 52_000.5, country: 'FR' },
        { age: 70, income: 0, country: null },
      ],
    });
  });

  it('data-array: bare rows in profile order', () => {
    expect(amlRequestBody('data-array', columns, requests)).toEqual({
      data: [
        [31, 52_000.5, 'FR'],
        [70, 0, null],
      ],
    });
  });

  it('sends only profile columns, never extra event fields', () => {
    const extra: ScoreRequest = {
      id: 'c',
      features: { age: 1, income: 2, country: 'DE', secret: 'x' },
      vector: new Float64Array(),
    };
    const body = amlRequestBody('mlflow-records', columns, [extra]) as { dataframe_records: object[] };
    expect(Object.keys(body.dataframe_records[0]!)).toEqual(columns);
  });

  it('survives a JSON round trip unchanged (what goes over the wire)', () => {
    const body = amlRequestBody('mlflow-split', columns, requests);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });
});
