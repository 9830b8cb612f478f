"""Thin routes, one module per area: parse, call one service, render."""
