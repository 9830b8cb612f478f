"""Applications to a call for entries: the producer's side, the office's side, and what they share."""
