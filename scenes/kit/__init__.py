"""What a scene author imports: the base scene, style, parameters, captions, speech, timing, fades, framing."""
