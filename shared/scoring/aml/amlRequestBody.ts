import type { FeatureValue } from '../../contracts/records.js';
import type { ScoreRequest } from '../../contracts/scorer.js';
import type { AmlRequestFormat } from './amlFormats.js';

/**
 * The JSON body of one endpoint request for a chunk of events. `columns` are the profile's feature names in profile
 * order, so the model sees the columns it was trained on whatever order the event's JSON used; a feature the event
 * lacks is sent as null (sanitising imputes numerics before this, so that only happens for categorical features).
 * Row i of the body is request i of the chunk: the response is matched back by position.
 */
export function amlRequestBody(
  format: AmlRequestFormat,
  columns: readonly string[],
  requests: readonly ScoreRequest[],
): unknown {
  switch (format) {
    case 'mlflow-split':
      return {
        input_data: {
          columns: [...columns],
          index: requests.map((_, position) => position),
          data: requests.map((request) => rowOf(columns, request)),
        },
      };
    case 'mlflow-records':
      return {
        dataframe_records: requests.map((request) => {
          const record: Record<string, FeatureValue> = {};
          for (const column of columns) record[column] = request.features[column] ?? null;
          return record;
        }),
      };
    case 'data-array':
      return { data: requests.map((request) => rowOf(columns, request)) };
  }
}

function rowOf(columns: readonly string[], request: ScoreRequest): FeatureValue[] {
  return columns.map((column) => request.features[column] ?? null);
}
