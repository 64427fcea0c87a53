"""Loaders: one module per published source format, each turning a file into node and edge frames.

Use :func:`loaders.registry.get_loader` to find one by name.
"""
