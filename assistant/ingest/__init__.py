"""Reading review files into records: the readers (one per format), the digest and report parsers, facets."""
