// Every component type: its params (checked with nearest-name errors), one line of docs, and how
// to build it. docs/rewards.md mirrors this table.

import type { RewardComponentType } from '../../../protocol/reward-config';
import { DESCRIPTORS, descriptorComponent } from './molecular';
import { DIVERSITY_PARAMS } from './diversity-filter';
import { LENGTH_PARAMS, lengthComponent } from './length';
import type { ParamSpec } from './params';
import { RETRIEVAL_PARAMS, retrievalComponent } from './retrieval';
import { SA_PARAMS, saScoreComponent } from './sa-score';
import { COMPOSITION_PARAMS, compositionComponent, KMER_NOVELTY_PARAMS, kmerNoveltyComponent, LC_PARAMS, linguisticComplexityComponent } from './sequence-stats';
import { SIMILARITY_PARAMS, similarityComponent } from './similarity';
import { SMARTS_PARAMS, smartsComponent } from './smarts';
import type { BuildContext, Component } from './types';
import { UME_PARAMS, umeComponent } from './ume';
import { VALIDITY_PARAMS, validityComponent } from './validity';

export interface ComponentKind {
  doc: string;
  params: ParamSpec;
  /** diversity_filter is not a measurement: composite.ts applies it to the aggregated score. */
  create?: (name: string, params: Record<string, unknown>, ctx: BuildContext) => Component | Promise<Component>;
}

const descriptor = (type: RewardComponentType): ComponentKind => ({
  doc: DESCRIPTORS[type]!.doc,
  params: DESCRIPTORS[type]!.spec ?? {},
  create: (name, params, ctx) => descriptorComponent(type, name, params, ctx),
});

export const COMPONENTS: Record<RewardComponentType, ComponentKind> = {
  ume: { doc: 'UME pseudo-log-likelihood / temperature (lobster\'s reward)', params: UME_PARAMS, create: umeComponent },
  validity: { doc: '1 for a valid sequence (RDKit SMILES, protein/nucleotide alphabets, tags), else 0', params: VALIDITY_PARAMS, create: validityComponent },
  length: { doc: 'sequence length, scored against a range or target per modality', params: LENGTH_PARAMS, create: lengthComponent },
  qed: descriptor('qed'),
  mw: descriptor('mw'),
  clogp: descriptor('clogp'),
  tpsa: descriptor('tpsa'),
  hbd: descriptor('hbd'),
  hba: descriptor('hba'),
  rotatable_bonds: descriptor('rotatable_bonds'),
  rings: descriptor('rings'),
  aromatic_rings: descriptor('aromatic_rings'),
  heavy_atoms: descriptor('heavy_atoms'),
  smarts: { doc: 'SMARTS matches: count, presence, or absence (alerts)', params: SMARTS_PARAMS, create: smartsComponent },
  similarity: { doc: 'Morgan-fingerprint Tanimoto similarity to reference molecules (max or mean)', params: SIMILARITY_PARAMS, create: similarityComponent },
  sa_score: { doc: 'synthetic-accessibility estimate, 1 (easy) to 10 (hard): Ertl\'s complexity terms without the fragment term (see docs)', params: SA_PARAMS, create: saScoreComponent },
  kmer_novelty: { doc: 'fraction of the sequence\'s k-mers absent from a reference set', params: KMER_NOVELTY_PARAMS, create: kmerNoveltyComponent },
  linguistic_complexity: { doc: 'linguistic complexity (distinct words over the most possible); low for repeats', params: LC_PARAMS, create: (n, p) => linguisticComplexityComponent(n, p) },
  composition: { doc: 'fraction of residues in a set (GC content, hydrophobic, charged, custom), optionally scored in a range', params: COMPOSITION_PARAMS, create: (n, p) => compositionComponent(n, p) },
  retrieval: { doc: 'NDCG/Hit/MRR@K of the dataset\'s target among a reference set ranked by UME-embedding cosine similarity to the completion', params: RETRIEVAL_PARAMS, create: retrievalComponent },
  diversity_filter: { doc: 'REINVENT diversity filter: repeated SMILES/sequences and full scaffold buckets score 0', params: DIVERSITY_PARAMS },
};
