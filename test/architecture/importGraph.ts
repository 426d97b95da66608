import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Relative imports of the TypeScript sources under `roots`, as repository-relative paths (`a/b.ts` → `a/c.ts`). */
export function importGraph(repo: string, roots: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const root of roots) for (const file of sourcesUnder(join(repo, root))) graph.set(relative(repo, file), []);
  for (const [file, targets] of graph) {
    const text = readFileSync(join(repo, file), 'utf8');
    // Static imports and re-exports, type-only ones included (they tie the files together for a reader all the same),
    // and dynamic import() of a literal path.
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s*'([^']+)'/gm),
      ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1]!);
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(repo, resolve(dirname(join(repo, file)), specifier.replace(/\.js$/, '.ts')));
      if (graph.has(target) && !targets.includes(target)) targets.push(target);
    }
  }
  return graph;
}

/** The graph's cycles, one per strongly connected component of more than one node (or a node importing itself). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The graph between folders: `folderOf` names a file's folder; edges within one folder are dropped. */
export function folderGraph(
  graph: ReadonlyMap<string, readonly string[]>,
  folderOf: (file: string) => string,
): Map<string, string[]> {
  const folders = new Map<string, string[]>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? [];
    folders.set(from, edges);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && !edges.includes(to)) edges.push(to);
    }
  }
  return folders;
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}
