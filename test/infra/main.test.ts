import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BicepFile, REPO_ROOT, bicepFiles, objectKeys, objectProperty, stringLiteral } from './bicepProgram.js';

// What the Bicep compiler would check when main.bicep calls its modules, since it cannot run here: every argument is
// a declared parameter, every parameter without a default gets one, every output used exists.
const main = new BicepFile('infra/main.bicep');
const modules = main.all('module').map((declaration) => {
  const path = stringLiteral(declaration.node.namedChildren[1]!)!;
  const file = join(dirname('infra/main.bicep'), path);
  return { symbol: declaration.name, path: file, body: main.valueOf(declaration)! };
});

describe('main.bicep', () => {
  it('only wires modules: no resource of its own', () => {
    expect(main.resources()).toEqual([]);
    expect(modules.length).toBeGreaterThanOrEqual(8);
  });

  it('uses every module file under infra/modules', () => {
    const used = modules.map((m) => m.path).sort();
    expect(bicepFiles().filter((f) => f.startsWith('infra/modules/'))).toEqual([...new Set(used)].sort());
  });

  it.each(modules.map((m) => [m.symbol, m] as const))(
    'calls %s with exactly the parameters it declares',
    (_symbol, module) => {
      expect(existsSync(join(REPO_ROOT, module.path)), module.path).toBe(true);
      const target = new BicepFile(module.path);
      const declared = target.all('param');
      const given = objectKeys(objectProperty(module.body, 'params')!);
      expect(
        given.filter((name) => !declared.some((p) => p.name === name)),
        'arguments the module does not declare',
      ).toEqual([]);
      const required = declared.filter((p) => !target.valueOf(p)).map((p) => p.name);
      expect(
        required.filter((name) => !given.includes(name)),
        'parameters without default left unset',
      ).toEqual([]);
      expect(stringLiteral(objectProperty(module.body, 'name')!), 'deployment name').toMatch(/^[a-z-]+$/);
    },
  );

  it('uses only outputs its modules declare', () => {
    const used = [...main.source.matchAll(/\b(\w+)\.outputs\.(\w+)/g)].map((m) => ({ symbol: m[1]!, output: m[2]! }));
    expect(used.length).toBeGreaterThan(20);
    for (const { symbol, output } of used) {
      const module = modules.find((m) => m.symbol === symbol);
      expect(module, `module ${symbol}`).toBeDefined();
      expect(new BicepFile(module!.path).find('output', output), `${symbol}.outputs.${output}`).toBeDefined();
    }
  });

  it('uses every parameter each file declares', () => {
    for (const file of bicepFiles().map((path) => new BicepFile(path))) {
      const params = file.all('param').map((p) => p.name);
      const unused = params.filter(
        (name) => !new RegExp(`\\b${name}\\b`).test(file.source.replace(new RegExp(`^param ${name}\\b.*$`, 'm'), '')),
      );
      expect(unused, `${file.path}: parameters never used`).toEqual([]);
    }
  });

  it('gives azd its outputs in UPPER_SNAKE case', () => {
    const outputs = main.all('output').map((o) => o.name);
    expect(outputs).toContain('AZURE_FUNCTION_APP_NAME');
    expect(outputs.filter((name) => !/^[A-Z][A-Z0-9_]*$/.test(name))).toEqual([]);
  });

  it('describes every parameter a user may set', () => {
    const undocumented = main
      .all('param')
      .filter((p) => !p.decorators.some((d) => d.startsWith('@description(')))
      .map((p) => p.name);
    expect(undocumented).toEqual([]);
  });
});

describe('main.parameters.json', () => {
  const parameters = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/main.parameters.json'), 'utf8')) as {
    parameters: Record<string, { value: unknown }>;
  };
  const declared = main.all('param');

  it('sets only parameters main.bicep declares', () => {
    expect(Object.keys(parameters.parameters).filter((name) => !declared.some((p) => p.name === name))).toEqual([]);
  });

  it('sets every parameter that has no default, from the azd environment', () => {
    const required = declared.filter((p) => !main.valueOf(p)).map((p) => p.name);
    expect(required).toContain('environmentName');
    for (const name of required) expect(parameters.parameters[name]?.value, name).toMatch(/^\$\{[A-Z_]+\}$/);
  });

  it('tells role assignments what kind of principal runs azd (a pipeline is a ServicePrincipal), User by default', () => {
    expect(parameters.parameters.principalType?.value).toBe('${AZURE_PRINCIPAL_TYPE=User}');
    expect(main.find('param', 'principalType')!.decorators).toContain(
      "@allowed(['User', 'ServicePrincipal', 'Group'])",
    );
  });

  it('gives environment-variable defaults equal to the Bicep defaults', () => {
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      const fallback = /^\$\{[A-Z_]+=(.*)\}$/.exec(String(value))?.[1];
      if (fallback === undefined) continue;
      const bicepDefault = main.valueOf(main.find('param', name)!);
      const expected = bicepDefault ? (stringLiteral(bicepDefault) ?? bicepDefault.text) : '';
      expect(fallback, name).toBe(expected);
    }
  });
});

describe('azure.yaml', () => {
  const yaml = readFileSync(join(REPO_ROOT, 'azure.yaml'), 'utf8');

  it('provisions infra/main.bicep', () => {
    expect(yaml).toMatch(/^infra:\n(?: {2}.*\n)*? {2}provider: bicep$/m);
    expect(yaml).toMatch(/^ {2}path: infra$/m);
    expect(yaml).toMatch(/^ {2}module: main$/m);
  });

  it('deploys the repository as a TypeScript function app, the service the Function App is tagged with', () => {
    const service = /^services:\n {2}([\w-]+):\n((?: {4}.*\n?)*)/m.exec(yaml);
    expect(service).not.toBeNull();
    expect(service![2]).toMatch(/host: function/);
    expect(service![2]).toMatch(/language: ts/);
    expect(service![2]).toMatch(/project: \.\s*$/m);
    const functionApp = new BicepFile('infra/modules/functionApp.bicep');
    expect(functionApp.source).toContain(`'azd-service-name': '${service![1]}'`);
  });
});
