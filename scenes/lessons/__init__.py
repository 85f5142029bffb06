"""The lesson's scenes: one module per scene, each a storyboard of beats."""
