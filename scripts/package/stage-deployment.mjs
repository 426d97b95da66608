#!/usr/bin/env node
// azd prepackage hook (azure.yaml): stages what the Function App runs into .azure-package/, the folder azd zips and
// deploys (`dist: .azure-package`). Only that: host.json, package.json, the compiled functions and shared code, and
// the production dependencies (package-lock.json entries not marked dev), copied from the local node_modules; no dev
// dependency (vitest, azurite, typescript, tree-sitter, playwright… about 470 MB), no sources, tests or settings.
//
// Usage: node scripts/package/stage-deployment.mjs [--list] [--dist <compiled dir>] [--out <dir>]
//   --list prints the staged files and their total size as JSON instead of copying.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Compiled folders the functions load (package.json "main" is dist/functions/*.js; they import dist/shared). */
const APP_FOLDERS = ['functions', 'shared'];
const APP_FILES = ['host.json', 'package.json'];
/** onnxruntime-node ships binaries for every platform (about 245 MB); Flex Consumption runs Linux x64 only. */
const FOREIGN_BINARIES = [
  'node_modules/onnxruntime-node/bin/napi-v6/darwin',
  'node_modules/onnxruntime-node/bin/napi-v6/win32',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64',
];

/**
 * Every file of the deployment package: [path in the package, path on disk].
 * @param {{ root?: string, distDir?: string }} [options]
 * @returns {Array<[string, string]>}
 */
export function deploymentFiles({ root = ROOT, distDir = join(root, 'dist') } = {}) {
  const files = [];
  for (const file of APP_FILES) files.push([file, join(root, file)]);
  for (const folder of APP_FOLDERS) {
    const compiled = join(distDir, folder);
    if (!existsSync(compiled))
      throw new Error(`${relative(root, compiled) || compiled} is missing: run \`npm run build\` first.`);
    for (const file of walk(compiled, () => true))
      if (!file.endsWith('.map') && !file.endsWith('.d.ts'))
        files.push([toPosix(join('dist', folder, relative(compiled, file))), file]);
  }
  for (const pkg of productionPackages(root)) {
    const dir = join(root, pkg);
    // Nested node_modules are lock entries of their own, dev or not.
    for (const file of walk(dir, (sub) => sub !== join(dir, 'node_modules'))) {
      const inPackage = toPosix(relative(root, file));
      if (!FOREIGN_BINARIES.some((prefix) => inPackage.startsWith(`${prefix}/`))) files.push([inPackage, file]);
    }
  }
  return files;
}

/** node_modules paths of the lockfile's packages that production needs and that are installed. */
export function productionPackages(root = ROOT) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional && !entry.link)
    .map(([path]) => path)
    .filter((path) => existsSync(join(root, path)));
}

function* walk(dir, enter) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (enter(full)) yield* walk(full, enter);
    } else if (entry.isFile()) yield full;
  }
}

function toPosix(path) {
  return path.split(sep).join('/');
}

function argument(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  try {
    const distDir = argument(args, '--dist');
    const files = deploymentFiles(distDir ? { distDir } : {});
    const bytes = files.reduce((sum, [, file]) => sum + statSync(file).size, 0);
    if (args.includes('--list')) {
      process.stdout.write(`${JSON.stringify({ files: files.map(([path]) => path), bytes })}\n`);
    } else {
      const out = argument(args, '--out') ?? join(ROOT, '.azure-package');
      rmSync(out, { recursive: true, force: true });
      for (const [path, file] of files) {
        mkdirSync(dirname(join(out, path)), { recursive: true });
        cpSync(file, join(out, path));
      }
      process.stdout.write(
        `Staged ${files.length} files (${(bytes / 2 ** 20).toFixed(1)} MiB) in ${relative(ROOT, out) || out}\n`,
      );
    }
  } catch (error) {
    process.stderr.write(
      `Could not stage the deployment package: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
