# Convenience targets; the README's two commands are scripts/lesson.sh and scripts/test.sh.
.PHONY: lesson test bench clean

lesson:
	bash scripts/lesson.sh

test:
	bash scripts/test.sh

bench:
	.venv/bin/python bench/engine_grid.py

clean:
	rm -rf out media .pytest_cache
