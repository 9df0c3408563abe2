#!/usr/bin/python3
"""Independent reference for the retrieval reward's ranking metrics (test/rewards/retrieval.test.ts).

Reads JSON from stdin: {"cases": [{"scores": [...], "relevant": [indices], "k": K}, ...]} and prints
{"results": [{"ndcg": x, "hit": x, "mrr": x}, ...]}. Ranking: sort by score descending, ties by
index (a stable sort), relevance binary; the textbook definitions:
  DCG@K = sum_{i <= K} rel_i / log2(i + 1), NDCG@K = DCG@K / IDCG@K,
  Hit@K = 1 if any relevant item is in the top K, MRR@K = 1 / rank of the first relevant item in the top K.
"""
import json
import math
import sys


def metrics(scores, relevant, k):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep index order
    rel = set(relevant)
    top = order[:k]
    dcg = sum(1.0 / math.log2(pos + 2) for pos, item in enumerate(top) if item in rel)
    idcg = sum(1.0 / math.log2(pos + 2) for pos in range(min(len(rel), k)))
    hit = 1.0 if any(item in rel for item in top) else 0.0
    mrr = 0.0
    for pos, item in enumerate(top):
        if item in rel:
            mrr = 1.0 / (pos + 1)
            break
    return {"ndcg": dcg / idcg if idcg else 0.0, "hit": hit, "mrr": mrr}


def main():
    cases = json.load(sys.stdin)["cases"]
    print(json.dumps({"results": [metrics(c["scores"], c["relevant"], c["k"]) for c in cases]}))


if __name__ == "__main__":
    main()
