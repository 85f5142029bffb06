"""The studio: a local web app over the lesson's scenes (``ravine studio``).

The navigator draws a scene's runs on its landscape live from the engine (:mod:`.navigator`);
previews and renders go through the same job schema, pipeline, cache and out folder as
``ravine render`` (:mod:`.renders`, one render at a time in a worker process with a bounded
queue); files are served from the out folder only (:mod:`.files`). :mod:`.app` holds the routes,
:mod:`.api` the request and answer shapes, ``static/`` the page (plain JS, no build step).
"""
