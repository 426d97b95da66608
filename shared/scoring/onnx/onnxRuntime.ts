import type * as Ort from 'onnxruntime-node';

export type OnnxRuntime = typeof Ort;

let runtime: Promise<OnnxRuntime> | undefined;

/**
 * onnxruntime-node, imported on first use: its native library is large to load, and an instance whose scorer is not
 * `onnx` never pays for it (only type imports name it elsewhere).
 */
export function onnxRuntime(): Promise<OnnxRuntime> {
  runtime ??= import('onnxruntime-node').catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}
