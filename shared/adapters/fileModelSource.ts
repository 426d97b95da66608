import { readFile } from 'node:fs/promises';
import { MrmError, errorMessage } from '../errors.js';
import type { ModelBytes, ModelSource } from '../scoring/types.js';

/** An ONNX model file for the command line (`mrm score --model model.onnx`): read once. */
export class FileModelSource implements ModelSource {
  private read: Promise<ModelBytes> | undefined;

  constructor(private readonly path: string) {}

  current(): Promise<ModelBytes> {
    this.read ??= readFile(this.path).then(
      (buffer) => ({
        bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
        version: this.path,
        where: this.path,
      }),
      (error: unknown) => {
        this.read = undefined;
        throw new MrmError(
          'configuration',
          'MODEL.UNAVAILABLE',
          `Cannot read the ONNX model ${this.path}: ${errorMessage(error)}`,
          {
            cause: error,
          },
        );
      },
    );
    return this.read;
  }
}
