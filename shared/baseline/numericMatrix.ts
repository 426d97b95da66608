/** A dense matrix of numbers, row-major: value (r, c) is `values[r * columns + c]`. */
export interface NumericMatrix {
  rows: number;
  columns: number;
  values: Float64Array;
}
