"""From records to the index on disk: chunks, quotable sentences, embeddings, vectors, BM25, builds."""
