import { BicepScope, objectKeys, objectProperty, stringLiteral, type SyntaxNode, type Value } from './bicepProgram.js';

export interface AppSettingsSource {
  /** Every key the Function App module sets, with its value evaluated as far as it can be before deployment. */
  readonly values: ReadonlyMap<string, Value>;
  /** Parts of the settings object that are not object literals (e.g. the filtered overrides), by their source text. */
  readonly opaque: readonly string[];
  readonly scope: BicepScope;
}

/**
 * The app settings of the Function App module, read from its `Microsoft.Web/sites/config` `appsettings` resource:
 * object literals, variables holding them and `union(...)` of those, evaluated as main.bicep calls the module.
 */
export function appSettingsOf(
  main = BicepScope.of('infra/main.bicep'),
  moduleSymbol = 'functionApp',
): AppSettingsSource {
  const scope = main.module(moduleSymbol);
  const config = scope.file
    .resources()
    .find(
      (r) =>
        r.type === 'Microsoft.Web/sites/config' && stringLiteral(objectProperty(r.body, 'name')!) === 'appsettings',
    );
  if (!config) throw new Error(`${scope.file.path}: no Microsoft.Web/sites/config 'appsettings' resource`);
  const values = new Map<string, Value>();
  const opaque: string[] = [];
  const collect = (node: SyntaxNode): void => {
    if (node.type === 'object') {
      for (const key of objectKeys(node)) values.set(key, scope.evaluate(objectProperty(node, key)!));
    } else if (node.type === 'call_expression' && node.childForFieldName('function')?.text === 'union') {
      node.childForFieldName('arguments')!.namedChildren.forEach(collect);
    } else if (node.type === 'identifier' && isObjectLiteralVar(scope, node.text)) {
      collect(scope.file.valueOf(scope.file.find('var', node.text)!)!);
    } else {
      opaque.push(
        node.type === 'identifier' ? scope.file.valueOf(scope.file.find('var', node.text)!)!.text : node.text,
      );
    }
  };
  collect(objectProperty(config.body, 'properties')!);
  return { values, opaque, scope };
}

function isObjectLiteralVar(scope: BicepScope, name: string): boolean {
  const declaration = scope.file.find('var', name);
  const value = declaration && scope.file.valueOf(declaration);
  return (
    value?.type === 'object' ||
    (value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'union')
  );
}
