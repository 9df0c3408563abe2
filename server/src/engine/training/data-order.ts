// The order training prompts are drawn in: a fresh seeded permutation per epoch (TRL's
// RandomSampler reshuffles every epoch), read through a cursor. The whole state is (epoch, cursor),
// because each epoch's permutation is recomputed from seed and epoch: a checkpoint stores two
// integers and a resumed run draws exactly the prompts an uninterrupted one would.

import { Rng } from '../train/rng';

export interface DataOrderState {
  epoch: number;
  cursor: number;
  order_seed: number;
}

export class DataOrder {
  private perm: number[];

  constructor(
    readonly size: number,
    private state: DataOrderState,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`the training set has no prompts (size ${size}); give a dataset with at least one prompt`);
    this.perm = DataOrder.permutation(size, state.order_seed, state.epoch);
  }

  static start(size: number, seed: number): DataOrder {
    return new DataOrder(size, { epoch: 0, cursor: 0, order_seed: seed });
  }

  static permutation(size: number, seed: number, epoch: number): number[] {
    // Each epoch's stream is seeded from (seed, epoch) alone.
    const rng = new Rng((seed * 1000003 + epoch * 7919 + 17) >>> 0);
    return rng.shuffle(Array.from({ length: size }, (_, i) => i));
  }

  /** Fractional epochs completed (TRL's `epoch` metric). */
  get epochProgress(): number {
    return this.state.epoch + this.state.cursor / this.size;
  }

  /** The next n prompt indices, wrapping into the next epoch (no prompt twice in one batch unless n > size). */
  take(n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.state.cursor >= this.size) {
        this.state = { ...this.state, epoch: this.state.epoch + 1, cursor: 0 };
        this.perm = DataOrder.permutation(this.size, this.state.order_seed, this.state.epoch);
      }
      out.push(this.perm[this.state.cursor]!);
      this.state = { ...this.state, cursor: this.state.cursor + 1 };
    }
    return out;
  }

  snapshot(): DataOrderState {
    return { ...this.state };
  }
}
