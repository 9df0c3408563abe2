// sa_score: a synthetic-accessibility ESTIMATE on Ertl & Schuffenhauer's 1-10 scale (1 easy).
// Ertl's SA score (RDKit Contrib/SA_Score/sascorer.py) = fragment score (mean contribution of
// the molecule's ECFP4 fragments, learned from ~1M PubChem molecules) - complexity penalties
// (size, stereo centres, spiro atoms, bridgeheads, macrocycles) + a fingerprint-density term,
// rescaled to 1-10. RDKit.js exposes only folded Morgan bits, not the unfolded fragment ids
// Ertl's table is keyed by, so the fragment term cannot be looked up here; this estimate keeps
// every other term exactly (RDKit.js stereo-centre, spiro and bridgehead counts; the density term
// from folded 2048-bit ECFP4) and replaces the fragment score by a constant,
// FRAGMENT_SCORE_MEAN, its mean over RDKit's NCI first_5K set. It tracks size/stereo/ring
// complexity well and misses "unusual fragment" penalties; docs/rewards.md gives its measured
// agreement with Ertl's score.

import type { ParamSpec } from './params';
import { perMolecule, type BuildContext, type Component } from './types';
import type { MoleculeRecord } from '../chem/molecule';
import { popcount } from '../chem/fingerprint';

/** Mean of sascorer.py's score1 (fragment score) over NCI first_5K (bench/peers/reward_rdkit.py sa). */
export const FRAGMENT_SCORE_MEAN = 1.45;

export const SA_PARAMS: ParamSpec = {
  fragment_score: { kind: 'number', default: FRAGMENT_SCORE_MEAN, doc: 'the constant standing in for Ertl\'s fragment score' },
};

export function saEstimate(m: MoleculeRecord, fragmentScore = FRAGMENT_SCORE_MEAN): number {
  const d = m.descriptors();
  const nAtoms = d.NumHeavyAtoms + (m.graph().atoms.filter((a) => a.z === 1).length);
  const nChiral = d.NumAtomStereoCenters;
  const nSpiro = d.NumSpiroAtoms;
  const nBridge = d.NumBridgeheadAtoms;
  const macro = m.graph().rings.some((r) => r.length > 8);
  const sizePenalty = nAtoms ** 1.005 - nAtoms;
  const score2 = -sizePenalty - Math.log10(nChiral + 1) - Math.log10(nSpiro + 1) - Math.log10(nBridge + 1) - (macro ? Math.log10(2) : 0);
  const nFeatures = popcount(m.morgan(2, 2048));
  const score3 = nFeatures > 0 && nAtoms > nFeatures ? Math.log(nAtoms / nFeatures) * 0.5 : 0;
  let sa = fragmentScore + score2 + score3;
  const min = -4.0;
  const max = 2.5;
  sa = 11 - ((sa - min + 1) / (max - min)) * 9;
  if (sa > 8) sa = 8 + Math.log(sa + 1 - 9);
  return Math.min(10, Math.max(1, sa));
}

export function saScoreComponent(name: string, params: Record<string, unknown>, ctx: BuildContext): Component {
  const f = params['fragment_score'] as number;
  return { name, type: 'sa_score', measure: async (rows) => perMolecule(ctx, rows, 'sa_score', ({ mol }) => ({ raw: saEstimate(mol, f) })) };
}
