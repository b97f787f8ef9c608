"""What every stage shares: namespaces, errors, paths, formats, vocabularies, councils."""
