"""Notes on disk -> the index: read a file (`documents`, `loaders`), split it into chunks that
follow its structure (`chunking`), embed what changed and save vectors, BM25 and chunks with a
manifest (`ingest`, `index`, `keyword`); add and remove note files safely (`corpus`)."""
