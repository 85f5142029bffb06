"""What a job writes: output formats, audio, captions and outputs, montage, lesson assembly, the gallery."""
