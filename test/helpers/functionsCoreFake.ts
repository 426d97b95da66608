import Module from 'node:module';

/** What the Functions host would receive from `registerFunction`, recorded for registration tests. */
export interface RecordedRegistration {
  metadata: {
    name: string;
    bindings: Record<string, Record<string, unknown> & { type: string; direction: string }>;
    retryOptions?: Record<string, unknown>;
  };
  handler: (...args: unknown[]) => unknown;
}

/** A hook the host would run (`appTerminate` at a graceful shutdown), as `app.hook` registered it. */
export interface RecordedHook {
  name: string;
  callback: (context: unknown) => unknown;
}

declare global {
  var __mrmRegistrations: RecordedRegistration[] | undefined;
  var __mrmHooks: RecordedHook[] | undefined;
}

// @azure/functions reaches the host through `require('@azure/functions-core')`, an internal require that vi.mock does
// not intercept; answering it at Node's module loader lets tests see the registrations the host would get.
const registrations: RecordedRegistration[] = (globalThis.__mrmRegistrations ??= []);
const hooks: RecordedHook[] = (globalThis.__mrmHooks ??= []);
const fakeCore = {
  setProgrammingModel: () => undefined,
  registerFunction: (metadata: RecordedRegistration['metadata'], handler: RecordedRegistration['handler']) => {
    registrations.push({ metadata, handler });
    return { dispose: () => undefined };
  },
  registerHook: (name: string, callback: RecordedHook['callback']) => {
    hooks.push({ name, callback });
    return { dispose: () => undefined };
  },
  log: () => undefined,
};
type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Loader };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function load(request: string, parent: unknown, isMain: boolean) {
  if (request === '@azure/functions-core') return fakeCore;
  return originalLoad.call(this, request, parent, isMain);
};

export function recordedRegistration(name: string): RecordedRegistration {
  const found = registrations.find((r) => r.metadata.name === name);
  if (!found)
    throw new Error(
      `No function named ${name} was registered; saw ${registrations.map((r) => r.metadata.name).join(', ')}`,
    );
  return found;
}

export function triggerBinding(registration: RecordedRegistration): Record<string, unknown> & { type: string } {
  const trigger = Object.values(registration.metadata.bindings).find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`${registration.metadata.name} has no trigger binding`);
  return trigger;
}

export function recordedHooks(name: string): RecordedHook[] {
  return hooks.filter((h) => h.name === name);
}
