"""Video coding on PyAV and numpy: the pipelined encoder, H.264 skip pictures, VP9 show-existing
frames, and the coding libraries' versions."""
