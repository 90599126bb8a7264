"""Evidence: upload checks, storage, cleaning, OCR, facts read from the text, the cross-check."""
