# The two commands of the README: `make run` and `make test`. Both set everything up first.
.PHONY: run test setup bench lint

setup:
	@bash scripts/setup.sh

run: setup
	.venv/bin/python main.py $(ARGS)

test: setup
	@bash scripts/test.sh

bench: setup
	.venv/bin/python -m bench $(ARGS)
