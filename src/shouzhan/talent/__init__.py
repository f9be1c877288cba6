"""人才服务: the support a person applies for (settling, housing, schooling, titles, skill certification) as case
types, the person's talent record pages, the support catalogue, and the training courses' pages (docs/talent.md).
The records themselves are the registry's (`registry/talent/`)."""
