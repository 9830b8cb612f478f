"""CNNT catalog: the public register of Vietnam's certified typical rural industrial products."""
