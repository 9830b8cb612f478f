"""The demo data set and the large synthetic catalog the benchmarks use."""
