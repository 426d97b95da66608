import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';

/**
 * Reads the Bicep files under infra/ with tree-sitter-bicep, the grammar CI uses (the Bicep compiler cannot be
 * installed here), and evaluates the parts of them that are knowable before deployment: literals, parameters bound
 * by the calling module, variables, module outputs, string interpolation, loadJsonContent and a few functions. What
 * depends on Azure (resource properties, unknown functions) evaluates to UNKNOWN, and tests skip or reject it.
 */
export type SyntaxNode = Parser.SyntaxNode;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const INFRA_DIR = join(REPO_ROOT, 'infra');

/** A value that cannot be known without deploying. */
export const UNKNOWN: unique symbol = Symbol('unknown');
type Locals = ReadonlyMap<string, Value>;
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | typeof UNKNOWN;

const parser = new Parser();
parser.setLanguage(Bicep as unknown as Parser.Language);

export interface SyntaxProblem {
  line: number;
  kind: 'error' | 'missing';
  text: string;
}

/** ERROR and MISSING nodes, the way CI's tree-sitter check reports them. */
export function syntaxProblems(source: string): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const walk = (node: SyntaxNode): void => {
    if (node.isMissing) problems.push({ line: node.startPosition.row + 1, kind: 'missing', text: node.type });
    else if (node.type === 'ERROR')
      problems.push({ line: node.startPosition.row + 1, kind: 'error', text: node.text.slice(0, 60) });
    if (node.hasError || node.type === 'ERROR') node.children.forEach(walk);
  };
  walk(parser.parse(source).rootNode);
  return problems;
}

/** Every .bicep file under infra/, relative to the repository root. */
export function bicepFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep')) found.push(relative(REPO_ROOT, full));
    }
  };
  if (existsSync(INFRA_DIR)) walk(INFRA_DIR);
  return found.sort();
}

export interface Declaration {
  kind: 'param' | 'var' | 'resource' | 'module' | 'output';
  name: string;
  node: SyntaxNode;
  /** The comment lines right above the declaration (and its decorators). */
  comment: string;
  decorators: string[];
}

export interface Resource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  body: SyntaxNode;
  node: SyntaxNode;
  /** The `if (…)` a conditional resource is deployed under; null when it always is. */
  condition: SyntaxNode | null;
}

/** One parsed Bicep file. */
export class BicepFile {
  readonly source: string;
  readonly root: SyntaxNode;
  readonly declarations: Declaration[];

  constructor(readonly path: string) {
    this.source = readFileSync(join(REPO_ROOT, path), 'utf8');
    this.root = parser.parse(this.source).rootNode;
    this.declarations = readDeclarations(this.root);
  }

  find(kind: Declaration['kind'], name: string): Declaration | undefined {
    return this.declarations.find((d) => d.kind === kind && d.name === name);
  }

  all(kind: Declaration['kind']): Declaration[] {
    return this.declarations.filter((d) => d.kind === kind);
  }

  /** The expression a param (default), var or output is set to; the body of a resource or module. */
  valueOf(declaration: Declaration): SyntaxNode | undefined {
    const named = declaration.node.namedChildren;
    if (declaration.kind === 'param') return named.length >= 3 ? named[named.length - 1] : undefined;
    if (declaration.kind === 'var' || declaration.kind === 'output') return named[named.length - 1];
    return innerObject(named[named.length - 1]);
  }

  /** Every resource, nested ones included, with its type and API version. */
  resources(): Resource[] {
    const found: Resource[] = [];
    const visit = (decl: SyntaxNode, parentType?: string, parentVersion?: string): void => {
      const [symbol, typeNode] = decl.namedChildren;
      const typeString = typeNode ? stringLiteral(typeNode) : undefined;
      if (!symbol || typeString === undefined) return;
      const [rawType = '', rawVersion] = typeString.split('@');
      const type = parentType && !rawType.includes('/') ? `${parentType}/${rawType}` : rawType;
      const apiVersion = rawVersion ?? parentVersion ?? '';
      const last = decl.namedChildren[decl.namedChildren.length - 1];
      const body = innerObject(last);
      if (!body) return;
      const condition = last?.type === 'if_statement' ? (last.namedChildren[0] ?? null) : null;
      found.push({
        symbol: symbol.text,
        type,
        apiVersion,
        existing: /\bexisting\s*=/.test(decl.text.split('\n')[0] ?? ''),
        body,
        node: decl,
        condition,
      });
      for (const child of body.namedChildren) {
        const nested =
          child.type === 'resource_declaration'
            ? child
            : child.type === 'object_property'
              ? child.namedChildren[0]
              : undefined;
        if (nested?.type === 'resource_declaration') visit(nested, type, apiVersion);
      }
    };
    for (const node of this.root.namedChildren) if (node.type === 'resource_declaration') visit(node);
    return found;
  }

  /** Every `a.b.c` chain in the file whose first parts are `prefix` (e.g. ['monitoring', 'metrics']), as the next part. */
  memberReferences(prefix: string[]): string[] {
    const found = new Set<string>();
    for (const node of this.root.descendantsOfType('member_expression')) {
      const chain = memberChain(node);
      if (chain && chain.length > prefix.length && prefix.every((part, i) => chain[i] === part))
        found.add(chain[prefix.length]!);
    }
    return [...found].sort();
  }
}

function readDeclarations(root: SyntaxNode): Declaration[] {
  const kinds: Record<string, Declaration['kind']> = {
    parameter_declaration: 'param',
    variable_declaration: 'var',
    resource_declaration: 'resource',
    module_declaration: 'module',
    output_declaration: 'output',
  };
  const declarations: Declaration[] = [];
  const children = root.namedChildren;
  children.forEach((node, i) => {
    const kind = kinds[node.type];
    if (!kind) return;
    const decorators: string[] = [];
    const comments: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const before = children[j]!;
      if (before.endPosition.row < (children[j + 1]?.startPosition.row ?? node.startPosition.row) - 1) break;
      if (before.type === 'decorators') decorators.unshift(...before.namedChildren.map((d) => d.text));
      else if (before.type === 'comment') comments.unshift(before.text.replace(/^\/\/\s?/, ''));
      else break;
    }
    declarations.push({
      kind,
      name: node.namedChildren[0]?.text ?? '',
      node,
      comment: comments.join('\n'),
      decorators,
    });
  });
  return declarations;
}

function innerObject(node: SyntaxNode | undefined): SyntaxNode | undefined {
  if (!node) return undefined;
  if (node.type === 'object') return node;
  for (const child of node.namedChildren) {
    const found = innerObject(child);
    if (found) return found;
  }
  return undefined;
}

function memberChain(node: SyntaxNode): string[] | undefined {
  if (node.type === 'identifier') return [node.text];
  if (node.type !== 'member_expression') return undefined;
  const object = node.childForFieldName('object');
  const property = node.childForFieldName('property');
  const head = object ? memberChain(object) : undefined;
  return head && property ? [...head, property.text] : undefined;
}

/** The text of a string literal without interpolation, or undefined. */
export function stringLiteral(node: SyntaxNode): string | undefined {
  if (node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  return stringParts(node, () => UNKNOWN) as string;
}

function stringParts(node: SyntaxNode, evaluate: (expr: SyntaxNode) => Value): Value {
  if (node.text.startsWith("'''")) return node.text.slice(3, -3).replace(/^\r?\n/, '');
  let text = '';
  for (const part of node.namedChildren) {
    if (part.type === 'string_content') text += part.text;
    else if (part.type === 'escape_sequence') text += unescape(part.text);
    else if (part.type === 'interpolation') {
      const value = evaluate(part.namedChildren[0]!);
      if (value === UNKNOWN || (typeof value === 'object' && value !== null)) return UNKNOWN;
      text += String(value);
    }
  }
  return text;
}

function unescape(sequence: string): string {
  const simple: Record<string, string> = {
    "\\'": "'",
    '\\\\': '\\',
    '\\n': '\n',
    '\\r': '\r',
    '\\t': '\t',
    '\\$': '$',
  };
  return simple[sequence] ?? sequence;
}

/** Object property keys of an object literal, in order. */
export function objectKeys(node: SyntaxNode): string[] {
  return node.namedChildren.filter((c) => c.type === 'object_property').map((p) => propertyKey(p)!);
}

export function objectProperty(node: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
  const property = node?.namedChildren.find((c) => c.type === 'object_property' && propertyKey(c) === key);
  return property?.namedChildren[1];
}

function propertyKey(property: SyntaxNode): string | undefined {
  const key = property.namedChildren[0];
  if (!key) return undefined;
  return key.type === 'string' ? stringLiteral(key) : key.text;
}

/**
 * A Bicep file with its parameters bound, as a module call binds them. Evaluation is lazy and memoised, so only
 * what a test asks for is computed.
 */
export class BicepScope {
  private readonly memo = new Map<string, Value>();

  constructor(
    readonly file: BicepFile,
    private readonly bindings: Record<string, () => Value> = {},
  ) {}

  static of(path: string): BicepScope {
    return new BicepScope(new BicepFile(path));
  }

  /** The scope a module declaration of this file runs in, its params bound to the arguments given here. */
  module(symbol: string): BicepScope {
    const declaration = this.file.find('module', symbol);
    if (!declaration) throw new Error(`${this.file.path}: no module ${symbol}`);
    const path = stringLiteral(declaration.node.namedChildren[1]!)!;
    const target = new BicepFile(relative(REPO_ROOT, join(dirname(join(REPO_ROOT, this.file.path)), path)));
    const params = objectProperty(this.file.valueOf(declaration), 'params');
    const bindings: Record<string, () => Value> = {};
    for (const key of params ? objectKeys(params) : [])
      bindings[key] = () => this.evaluate(objectProperty(params, key)!);
    return new BicepScope(target, bindings);
  }

  /** The same file with some params bound to other values. */
  withBindings(overrides: Record<string, () => Value>): BicepScope {
    return new BicepScope(this.file, { ...this.bindings, ...overrides });
  }

  /** The value of a param, var or output by name. */
  value(name: string, kind: 'param' | 'var' | 'output' = 'var'): Value {
    const cacheKey = `${kind}:${name}`;
    if (this.memo.has(cacheKey)) return this.memo.get(cacheKey)!;
    this.memo.set(cacheKey, UNKNOWN); // a cycle evaluates to UNKNOWN rather than overflowing
    let result: Value = UNKNOWN;
    const declaration = this.file.find(kind, name);
    if (kind === 'param' && name in this.bindings) result = this.bindings[name]!();
    else if (declaration) {
      const expression = this.file.valueOf(declaration);
      result = expression ? this.evaluate(expression) : UNKNOWN;
    }
    this.memo.set(cacheKey, result);
    return result;
  }

  evaluate(node: SyntaxNode, locals: Locals = new Map()): Value {
    switch (node.type) {
      case 'string':
        return stringParts(node, (expr) => this.evaluate(expr, locals));
      case 'number':
        return Number(node.text);
      case 'boolean':
        return node.text === 'true';
      case 'null':
        return null;
      case 'parenthesized_expression':
        return this.evaluate(node.namedChildren[0]!, locals);
      case 'array': {
        const items = node.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.evaluate(c, locals));
        return items.includes(UNKNOWN) ? UNKNOWN : items;
      }
      case 'object': {
        const result: Record<string, Value> = {};
        for (const property of node.namedChildren.filter((c) => c.type === 'object_property')) {
          const [keyNode, valueNode] = property.namedChildren;
          const key = keyNode?.type === 'string' ? this.evaluate(keyNode, locals) : keyNode?.text;
          if (typeof key !== 'string' || !valueNode) return UNKNOWN;
          result[key] = this.evaluate(valueNode, locals);
        }
        return result;
      }
      case 'identifier':
        return locals.has(node.text) ? locals.get(node.text)! : this.identifier(node.text);
      case 'member_expression':
        return this.member(node, locals);
      case 'subscript_expression': {
        const object = this.evaluate(node.childForFieldName('object')!, locals);
        const index = this.evaluate(node.childForFieldName('index')!, locals);
        if (Array.isArray(object) && typeof index === 'number') return object[index] ?? UNKNOWN;
        return isRecord(object) && typeof index === 'string' ? (object[index] ?? UNKNOWN) : UNKNOWN;
      }
      case 'ternary_expression': {
        const condition = this.evaluate(node.childForFieldName('condition')!, locals);
        if (typeof condition !== 'boolean') return UNKNOWN;
        return this.evaluate(node.childForFieldName(condition ? 'consequence' : 'alternative')!, locals);
      }
      case 'unary_expression': {
        const argument = this.evaluate(node.childForFieldName('argument')!, locals);
        const operator = node.childForFieldName('operator')?.text ?? node.text[0];
        if (operator === '!' && typeof argument === 'boolean') return !argument;
        if (operator === '-' && typeof argument === 'number') return -argument;
        return UNKNOWN;
      }
      case 'binary_expression':
        return this.binary(node, locals);
      case 'call_expression':
        return this.call(node, locals);
      case 'for_statement':
        return this.forLoop(node, locals);
      default:
        return UNKNOWN;
    }
  }

  private identifier(name: string): Value {
    if (this.file.find('param', name)) return this.value(name, 'param');
    if (this.file.find('var', name)) return this.value(name, 'var');
    return UNKNOWN;
  }

  /** `[for x in xs: body]`, `[for (x, i) in xs: body]`, with an optional `if (condition)` filter. */
  private forLoop(node: SyntaxNode, locals: Locals): Value {
    const [first, second] = node.namedChildren;
    const parameters =
      first?.type === 'for_loop_parameters' ? first.namedChildren.map((c) => c.text) : [first?.text ?? ''];
    const items = this.evaluate(second!, locals);
    if (!Array.isArray(items)) return UNKNOWN;
    const results: Value[] = [];
    for (const [index, item] of items.entries()) {
      const scope = new Map(locals).set(parameters[0]!, item);
      if (parameters[1]) scope.set(parameters[1], index);
      let body = node.childForFieldName('body')!;
      if (body.type === 'if_statement') {
        const condition = this.evaluate(body.namedChildren[0]!, scope);
        if (typeof condition !== 'boolean') return UNKNOWN;
        if (!condition) continue;
        body = body.namedChildren[1]!;
      }
      results.push(this.evaluate(body, scope));
    }
    return results;
  }

  /** Applies a lambda node (`x => ...` or `(k, v) => ...`) to arguments. */
  private apply(lambda: SyntaxNode, args: Value[], locals: Locals): Value {
    const [head, body] = lambda.namedChildren;
    const names =
      head?.type === 'parenthesized_expression' ? head.namedChildren.map((c) => c.text) : [head?.text ?? ''];
    const scope = new Map(locals);
    names.forEach((name, i) => scope.set(name, args[i] ?? null));
    return this.evaluate(body!, scope);
  }

  private member(node: SyntaxNode, locals: Locals): Value {
    const chain = memberChain(node);
    // <module>.outputs.<name>: evaluate the output inside the module, with its params bound.
    if (chain && chain.length >= 3 && chain[1] === 'outputs' && this.file.find('module', chain[0]!)) {
      let value = this.module(chain[0]!).value(chain[2]!, 'output');
      for (const part of chain.slice(3)) value = isRecord(value) ? (value[part] ?? UNKNOWN) : UNKNOWN;
      return value;
    }
    const object = this.evaluate(node.childForFieldName('object')!, locals);
    const property = node.childForFieldName('property')!.text;
    return isRecord(object) ? (object[property] ?? UNKNOWN) : UNKNOWN;
  }

  private binary(node: SyntaxNode, locals: Locals): Value {
    const operator = node.childForFieldName('operator')?.text;
    const left = this.evaluate(node.childForFieldName('left')!, locals);
    const right = this.evaluate(node.childForFieldName('right')!, locals);
    if (left === UNKNOWN || right === UNKNOWN) return UNKNOWN;
    switch (operator) {
      case '&&':
        return left === true && right === true;
      case '||':
        return left === true || right === true;
      case '==':
        return JSON.stringify(left) === JSON.stringify(right);
      case '!=':
        return JSON.stringify(left) !== JSON.stringify(right);
      case '??':
        return left ?? right;
      default:
        return UNKNOWN;
    }
  }

  private call(node: SyntaxNode, locals: Locals): Value {
    const name = node.childForFieldName('function')?.text.replace(/^sys\./, '');
    const argumentNodes = node.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (name === 'loadTextContent') {
      const path = this.evaluate(argumentNodes[0]!, locals);
      if (typeof path !== 'string') return UNKNOWN;
      const full = join(dirname(join(REPO_ROOT, this.file.path)), path);
      return existsSync(full) ? readFileSync(full, 'utf8') : UNKNOWN;
    }
    if (name === 'loadJsonContent') {
      const path = this.evaluate(argumentNodes[0]!, locals);
      if (typeof path !== 'string') return UNKNOWN;
      const full = join(dirname(join(REPO_ROOT, this.file.path)), path);
      return existsSync(full) ? (JSON.parse(readFileSync(full, 'utf8')) as Value) : UNKNOWN;
    }
    const lambda = argumentNodes.find((a) => a.type === 'lambda_expression');
    if (lambda && (name === 'map' || name === 'filter')) {
      const list = this.evaluate(argumentNodes[0]!, locals);
      if (!Array.isArray(list)) return UNKNOWN;
      const results = list.map((item, i) => this.apply(lambda, [item, i], locals));
      if (results.includes(UNKNOWN)) return UNKNOWN;
      return name === 'map' ? results : list.filter((_, i) => results[i] === true);
    }
    if (lambda && name === 'reduce') {
      const [list, initial] = argumentNodes.slice(0, 2).map((a) => this.evaluate(a, locals));
      if (!Array.isArray(list) || initial === undefined || initial === UNKNOWN) return UNKNOWN;
      return list.reduce<Value>(
        (acc, item, i) => (acc === UNKNOWN ? UNKNOWN : this.apply(lambda, [acc, item, i], locals)),
        initial,
      );
    }
    if (lambda) return UNKNOWN;
    const args = argumentNodes.map((a) => this.evaluate(a, locals));
    if (args.includes(UNKNOWN)) return UNKNOWN;
    const [first, second] = args;
    switch (name) {
      case 'empty':
        return (
          first === null ||
          first === '' ||
          (Array.isArray(first) && first.length === 0) ||
          (isRecord(first) && Object.keys(first).length === 0)
        );
      case 'string':
        return typeof first === 'string' ? first : JSON.stringify(first);
      case 'split':
        return typeof first === 'string' && typeof second === 'string' ? first.split(second) : UNKNOWN;
      case 'trim':
        return typeof first === 'string' ? first.trim() : UNKNOWN;
      case 'contains':
        if (isRecord(first) && typeof second === 'string') return second in first;
        if (Array.isArray(first)) return first.some((item) => JSON.stringify(item) === JSON.stringify(second));
        return typeof first === 'string' && typeof second === 'string' ? first.includes(second) : UNKNOWN;
      case 'items':
        return isRecord(first)
          ? Object.keys(first)
              .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
              .map((key) => ({ key, value: first[key]! }))
          : UNKNOWN;
      case 'concat':
        if (args.every(Array.isArray)) return (args as Value[][]).flat(1);
        return args.every((a) => typeof a === 'string') ? args.join('') : UNKNOWN;
      case 'replace':
        return typeof first === 'string' && typeof second === 'string' && typeof args[2] === 'string'
          ? first.split(second).join(args[2])
          : UNKNOWN;
      case 'join':
        return Array.isArray(first) && typeof second === 'string' && first.every((x) => typeof x === 'string')
          ? first.join(second)
          : UNKNOWN;
      case 'toLower':
        return typeof first === 'string' ? first.toLowerCase() : UNKNOWN;
      case 'take':
        return typeof first === 'string' && typeof second === 'number' ? first.slice(0, second) : UNKNOWN;
      case 'union':
        return args.every(isRecord) ? Object.assign({}, ...args) : UNKNOWN;
      case 'format':
        return typeof first === 'string'
          ? first.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1]))
          : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }
}

export function isRecord(value: Value | undefined): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
