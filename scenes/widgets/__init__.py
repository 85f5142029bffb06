"""Drawing pieces a scene composes: plot frames, paths, arrows, panels, tables, heat maps, charts."""
