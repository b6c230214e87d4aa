"""Placeholder package so the layer contract names it; the app arrives with its issue."""
