"""Chinese full-text search and matching: jieba tokens with a domain dictionary, a BM25 index, explanations."""
