import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoPath } from '../../cli/repoPath.js';

/** The repository's peer environment, made by scripts/python/peers.sh (gitignored). */
export const PEER_VENV_PYTHON = repoPath('.venv-peers', 'bin', 'python');

/**
 * A Python interpreter that imports every one of `modules`, or null: MRM_PEER_PYTHON, then the repository's peer
 * environment, then Debian's /usr/bin/python3. Peers are optional: a benchmark without them prints our side only.
 */
export function peerPython(...modules: string[]): string | null {
  const candidates = [process.env.MRM_PEER_PYTHON, PEER_VENV_PYTHON, '/usr/bin/python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0 && existsSync(p),
  );
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}
