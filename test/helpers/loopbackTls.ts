import { generate } from 'selfsigned';

export interface LoopbackTls {
  /** PEM certificate for 127.0.0.1 and localhost; clients trust it through their own agent, never globally. */
  cert: string;
  key: string;
}

let made: Promise<LoopbackTls> | undefined;

/**
 * A self-signed certificate for the fake cloud servers that must speak HTTPS (ARM, Log Analytics), made when a test
 * run first needs it: no private key is ever stored in the repository.
 */
export function loopbackTls(): Promise<LoopbackTls> {
  made ??= generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  }).then((pems) => ({ cert: pems.cert, key: pems.private }));
  return made;
}
