// The workspace the hover end-to-end test opens: a protein in FASTA, a molecule in a .smi file, and
// a small random-initialised UME model that the workspace's .vscode/settings.json points the
// extension at (its scores mean nothing; the test compares what VS Code shows with the CLI on the
// same weights). The embedded default ume-tiny, when it is in the tree, is checked separately.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { umeConfig } from '../../server/src/engine/ume/config';
import { resolveModel, type ResolvedModel } from '../../server/src/engine/reward/model-path';
import { lobsterTensorSpecs, saveUmeWeights, umeWeightsFromTensors } from '../../server/src/engine/ume/weights';
import { randomLobsterTensors } from '../ume/reference';

export const proteinFile = 'ubiquitin.fasta';
export const smilesFile = 'aspirin.smi';

/** Human ubiquitin (UniProt P0CG48, one repeat): 76 residues on one line. */
export const protein = 'MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNISKESTLHLVLRLRGG';
/** Aspirin (acetylsalicylic acid). */
export const smiles = 'CC(=O)Oc1ccccc1C(=O)O';

/** Workspace-relative, so the test also covers resolving modelPath from the workspace folder. */
export const modelRelPath = 'models/ume-e2e.safetensors';
/** The name the hover shows for a user model: its file name without the extension. */
export const modelName = 'ume-e2e';
/** Not the default (0.1), so the test sees the setting reach the server. */
export const scoring = { mode: 'sampled', temperature: 0.5 } as const;

/** Scoring settings for the workspace; `modelPath: ''` selects the embedded default. */
export function workspaceSettings(modelPath: string): Record<string, unknown> {
  return {
    'umeStudio.scoring.modelPath': modelPath,
    'umeStudio.scoring.mode': scoring.mode,
    'umeStudio.scoring.temperature': scoring.temperature,
    'umeStudio.scoring.device': 'cpu',
  };
}

export function writeWorkspaceSettings(workspace: string, modelPath: string): void {
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify(workspaceSettings(modelPath), null, 2));
}

/** A fresh workspace with both files, the random model and settings pointing at it. */
export async function makeScoringWorkspace(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ume-e2e-hover-'));
  writeFileSync(join(dir, proteinFile), `>sp|P0CG48|UBC_HUMAN Polyubiquitin-C (first repeat)\n${protein}\n`);
  writeFileSync(join(dir, smilesFile), `${smiles} aspirin\n`);
  // Tiny on purpose: loading and scoring take milliseconds, so the test measures the plumbing.
  const config = umeConfig({ name: modelName, hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64 });
  const weights = umeWeightsFromTensors(randomLobsterTensors(lobsterTensorSpecs(config), 7, 0.2), {}, { config });
  mkdirSync(join(dir, 'models'));
  await saveUmeWeights(join(dir, modelRelPath), config, weights.params);
  writeWorkspaceSettings(dir, modelRelPath);
  return dir;
}

/** The embedded default model when its weights are in the tree (and so in the .vsix), else undefined. */
export function embeddedModel(): ResolvedModel | undefined {
  try {
    const m = resolveModel(undefined, join(__dirname, '..', '..', 'server', 'src', 'engine', 'reward'));
    return existsSync(m.path) ? m : undefined;
  } catch {
    return undefined;
  }
}
