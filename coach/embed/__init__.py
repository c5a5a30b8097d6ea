"""The embedding models: the packaged sentence-transformers model (`embedder`), its ONNX export
for a torch-free start (`onnx`), and its adaptation to the user's own notes at ingest (`adapt`)."""
