"""The render path below the kit: camera, layers, family walks, the still renderer, the SVG cache; codec/ below it."""
