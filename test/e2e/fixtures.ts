// The workspace the end-to-end test opens: one FASTA file and one SMILES file, each with a problem
// a user would make, plus what the Problems panel must say about them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fastaFile = 'proteins.fasta';
export const smilesFile = 'molecules.smi';

/** Human haemoglobin alpha (UniProt P69905) with a 'J' (no amino acid) typed into it, and a lowercase protein. */
export const badResidueLine = 'MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSJHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKL';
export const lowercaseLine = 'mktayiakqrqisfvkshfsrqleerlglievqapilsrvgdgtqdnlsgaekavqvkvkalpdaqfevvhslakwkrqtlgqhdfsagegl';
export const fastaText = [
  '>sp|P69905|HBA_HUMAN Hemoglobin subunit alpha (a J typed into it)',
  badResidueLine,
  '>lowercase protein',
  lowercaseLine,
  '',
].join('\n');

/** Two valid molecules and one with a ring bond that is never closed. */
export const invalidSmiles = 'C1CC(=O)CC';
export const smilesText = ['CCO ethanol', 'c1ccccc1C(=O)O benzoic_acid', `${invalidSmiles} broken_ring`, ''].join('\n');

/** Problems-panel expectations (codes are stable; see server/src/engine/seq/codes.ts). */
export const expected = {
  badResidue: { file: fastaFile, code: 'UME104', line: 2 },
  invalidSmiles: { file: smilesFile, code: 'UME103', line: 3 },
  lowercase: { file: fastaFile, code: 'UME106', line: 4, fix: /upper ?case/i },
} as const;

export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ume-e2e-ws-'));
  writeFileSync(join(dir, fastaFile), fastaText);
  writeFileSync(join(dir, smilesFile), smilesText);
  return dir;
}

/** User settings for the test profile: no AI side panel, no welcome page, nothing reaching out. */
export const workbenchSettings = {
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'editor.minimap.enabled': false,
  // The test saves explicitly, so that the saved file proves the edit reached the document.
  'files.autoSave': 'off',
};
