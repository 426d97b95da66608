import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, bicepFiles, syntaxProblems } from './bicepProgram.js';

// The Bicep compiler cannot be installed here; tree-sitter-bicep is what CI parses with (infra/README.md).
describe('Bicep syntax', () => {
  it('finds the main template and its modules', () => {
    const files = bicepFiles();
    expect(files).toContain('infra/main.bicep');
    expect(files.filter((f) => f.startsWith('infra/modules/')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(bicepFiles())('%s parses without ERROR or MISSING nodes', (file) => {
    expect(syntaxProblems(readFileSync(join(REPO_ROOT, file), 'utf8'))).toEqual([]);
  });

  it('reports a broken file, with its line', () => {
    const broken = "param a string\nresource r 'Microsoft.Web/sites@2025-03-01' = {\n  name: 'x'\n  properties: {\n}\n";
    const problems = syntaxProblems(broken);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it.each(bicepFiles())('%s avoids what the grammar misreads (extension statements, spread)', (file) => {
    const code = withoutStringsAndComments(readFileSync(join(REPO_ROOT, file), 'utf8'));
    expect(code).not.toMatch(/^\s*extension\s/m);
    expect(code).not.toMatch(/\.\.\.[A-Za-z_(]/);
  });
});

function withoutStringsAndComments(source: string): string {
  return source
    .replace(/'''[\s\S]*?'''/g, "''")
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/\/\/.*$/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '');
}
