"""Finding cases: the safeguarding vocabulary, filters, score fusion and retrieval grouped by case."""
