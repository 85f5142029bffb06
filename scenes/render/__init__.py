"""The render path below the kit: camera, layers, family walks, the still renderer, the SVG cache, the
scene's file writer and copy-free renderer; codec/ below it (PyAV and numpy only)."""
