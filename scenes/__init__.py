"""Manim scenes of the SGD-and-momentum lesson: style, widgets, the scene base and one module per beat family.

Importing this package does not import Manim; ``scenes.lesson`` (the ordered scene list) does.
"""
